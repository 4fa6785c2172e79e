import type { Fleet } from "../load/fleet.ts";
import type { Kind } from "../load/protocol.ts";
import { launch, streamTarget } from "../servers.ts";
import { createSpaces, type Stack } from "../stack.ts";

export type ConnectStormFigures = {
  peer: Kind;
  subscribers: number;
  spaces: number;
  live: number;
  /** From the first connection attempt to the last connect ack, all opened at once. */
  allLiveMs: number;
  errors: Record<string, number>;
};

/**
 * A peer's answer to our cold reconnect storm, in the same run: `subscribers` clients over
 * `spaces` rooms connect all at once (as our storm's clients resume) to a fresh process.
 * Socket.IO resumes nothing here: a connect is its whole cost.
 */
export async function runConnectStorm(
  stack: Stack,
  fleet: Fleet,
  kind: Kind,
  sizes: { subscribers: number; spaces: number },
  log: (line: string) => void,
  sioRuntime = "node",
): Promise<ConnectStormFigures> {
  const spaces = await createSpaces(stack, sizes.spaces, `connect storm ${kind}`);
  const server = await launch(kind, stack, sioRuntime);
  try {
    await fleet.open({
      ...streamTarget(server),
      spaces: Array.from(
        { length: sizes.subscribers },
        (_, i) => spaces[i % spaces.length] as string,
      ),
    });
    const status = await fleet.waitLive(120_000);
    await fleet.closeAll();
    const figures: ConnectStormFigures = {
      peer: kind,
      subscribers: sizes.subscribers,
      spaces: sizes.spaces,
      live: status.live,
      allLiveMs: Math.round(status.lastLive - status.firstStart),
      errors: status.errors,
    };
    log(`  ${kind}: ${figures.live}/${figures.subscribers} connected in ${figures.allLiveMs} ms`);
    return figures;
  } finally {
    await server.stop();
  }
}
