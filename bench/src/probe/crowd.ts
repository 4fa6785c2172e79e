import type { Fleet } from "../load/fleet.ts";
import type { Kind } from "../load/protocol.ts";
import { FANOUT_WORKERS, launch, type Running, streamTarget } from "../servers.ts";
import { createSpaces, fillSpace, type Stack } from "../stack.ts";

/** The probes' crowd: one server of `kind` (the fan-out's processes), `n` subscribers of one space. */
export async function crowd(
  stack: Stack,
  fleet: Fleet,
  kind: Kind,
  n: number,
): Promise<{ server: Running; space: string }> {
  const [space] = (await createSpaces(stack, 1, `probe ${kind} ${n}`)) as [string];
  await fillSpace(stack, space, 500);
  const server = await launch(kind, stack, "node", { workers: FANOUT_WORKERS });
  // Ours is launched once health says ready (every worker listens); the floor's processes
  // answer health as each comes up, so give the second one time before streams open.
  if (kind !== "ours") await Bun.sleep(2000);
  await fleet.open({ ...streamTarget(server), spaces: Array(n).fill(space), maxPending: 256 });
  await fleet.waitLive(120_000);
  return { server, space };
}
