import type { Fleet } from "../load/fleet.ts";
import { type Running, streamTarget } from "../servers.ts";
import { createSpaces, type Stack } from "../stack.ts";
import { postMarked } from "../writer.ts";
import { fillSpaces, streamSpaces } from "./multi.ts";

export type ReloadSizes = {
  /** Clients reloading at once, each one multi-space stream. */
  clients: number;
  spaces: number;
  /** Intentions of history per space: more than a reset page. */
  history: number;
};

export type ReloadFigures = {
  clients: number;
  spaces: number;
  history: number;
  /** Bytes each client received to resume every space after one missed message. */
  withCursorsBytes: number;
  withoutCursorsBytes: number;
  /** with ÷ without. */
  ratio: number;
  /** The missed message reached every client in the catch-up. */
  missedDelivered: number;
  live: { withCursors: number; withoutCursors: number };
};

/**
 * A page reload of a client following `spaces` spaces over one multi-space stream: one
 * message was missed in one space while it was away. With its cursors it gets catch-ups
 * (empty but one); without, a reset (the latest page) of every space. Bytes are what the
 * client read (HTTP head and chunk framing included), per client.
 */
export async function runReload(
  stack: Stack,
  fleet: Fleet,
  server: Running,
  sizes: ReloadSizes,
  log: (line: string) => void,
): Promise<ReloadFigures> {
  const pool = await createSpaces(stack, sizes.spaces, "reload");
  await fillSpaces(stack, pool, sizes.history);
  const streams = streamSpaces(pool, sizes.clients, sizes.spaces);
  await fleet.open({
    ...streamTarget(server),
    spaces: [],
    streams,
  });
  const opened = await fleet.waitLive(60_000);
  const missedSpace = pool[0] as string;
  let seq = 1;
  const reload = async (fresh: boolean) => {
    await fleet.drop();
    const phase = `reload-${seq}`;
    await postMarked(server.target, missedSpace, seq++, phase);
    await Bun.sleep(1200); // the missed change's flush (batch window) is not the reload's
    const bytes0 = await fleet.clientBytes();
    await fleet.resume(undefined, fresh);
    const status = await fleet.waitLive(60_000);
    const bytes = (await fleet.clientBytes()) - bytes0;
    // A catch-up delivers the missed change; a reset carries it in its page instead.
    const missed = fresh ? undefined : await fleet.waitPhase(phase, 1, 10_000, [missedSpace]);
    return { bytes: bytes / sizes.clients, live: status.live, missed: missed?.deliveries ?? 0 };
  };
  const withCursors = await reload(false);
  const withoutCursors = await reload(true);
  await fleet.closeAll();
  const figures: ReloadFigures = {
    clients: sizes.clients,
    spaces: sizes.spaces,
    history: sizes.history,
    withCursorsBytes: Math.round(withCursors.bytes),
    withoutCursorsBytes: Math.round(withoutCursors.bytes),
    ratio: withCursors.bytes / Math.max(1, withoutCursors.bytes),
    missedDelivered: withCursors.missed,
    live: { withCursors: withCursors.live, withoutCursors: withoutCursors.live },
  };
  log(
    `  ${opened.live}/${sizes.clients} clients × ${sizes.spaces} spaces: ` +
      `${figures.withCursorsBytes} B with cursors, ${figures.withoutCursorsBytes} B without ` +
      `(ratio ${figures.ratio.toFixed(4)}), missed change delivered to ${figures.missedDelivered}`,
  );
  return figures;
}
