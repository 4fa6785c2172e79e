/**
 * A load worker: holds thousands of subscribers in its own process and answers the
 * coordinator over Bun's IPC. It records deliveries and latencies; it never talks to the
 * database. Started by fleet.ts with `bun worker.ts`.
 */
import { raiseFdLimit } from "../limits.ts";
import { wallMs } from "../proc.ts";
import { openSio } from "./conn-sio.ts";
import { openSse } from "./conn-sse.ts";
import { type Conn, deliverAll, deliverNewestFirst, Ledger } from "./deliveries.ts";
import { frameFields } from "./frame-fields.ts";
import type { Command, OpenCommand } from "./protocol.ts";

raiseFdLimit();
let ledger = new Ledger();
let conns: Conn[] = [];
let spec: OpenCommand | undefined;
const queue: Conn[] = [];
let maxPending = Number.POSITIVE_INFINITY;

function ourFrame(conn: Conn, data: string, now: number): void {
  const { since, timestamp, reset } = frameFields(data);
  if (!reset && since === undefined) ledger.error("frame-unreadable");
  if (!reset && conn.cursor !== undefined && since !== conn.cursor) ledger.gaps++;
  conn.cursor = timestamp;
  if (conn.liveAt === 0) conn.liveAt = now;
  // A reset is a fresh window of history, not a delivery.
  if (!reset) deliverAll(ledger, conn, data, now);
}

/** A frame of a multi-space stream: one space's delta, chained per space. */
function multiFrame(conn: Conn, data: string, now: number): void {
  const multi = conn.multi;
  const { spaceId: space, since, timestamp, reset } = frameFields(data);
  if (!multi || space === undefined) {
    ledger.error("frame-without-space");
    return;
  }
  if (!reset && since === undefined) ledger.error("frame-unreadable");
  const cursor = multi.cursors.get(space);
  if (!reset && cursor !== undefined && since !== cursor) ledger.gaps++;
  if (timestamp !== undefined) multi.cursors.set(space, timestamp);
  if (multi.awaiting.delete(space) && multi.awaiting.size === 0 && conn.liveAt === 0) {
    conn.liveAt = now;
  }
  if (!reset) deliverAll(ledger, conn, data, now);
}

function fullArrayFrame(conn: Conn, data: string, now: number): void {
  const first = conn.liveAt === 0;
  if (first) conn.liveAt = now;
  else deliverNewestFirst(ledger, conn, data, now);
}

function connect(conn: Conn): void {
  const s = spec as OpenCommand;
  const target = { host: s.host, port: s.port, token: s.token };
  if (s.kind === "sio") {
    openSio(ledger, conn, target);
  } else if (s.kind === "full" || s.kind === "bare") {
    openSse(ledger, conn, { ...target, path: `/stream?space=${conn.space}` }, fullArrayFrame);
  } else if (conn.multi) {
    const multi = conn.multi;
    multi.awaiting = new Set(multi.spaces);
    const body = JSON.stringify({
      spaces: multi.spaces.map((spaceId) => ({
        spaceId,
        since: multi.cursors.get(spaceId),
        page: s.page,
      })),
    });
    openSse(ledger, conn, { ...target, path: "/api/stream", body }, multiFrame);
  } else {
    const since = conn.cursor === undefined ? "" : `&since=${encodeURIComponent(conn.cursor)}`;
    const path = `/api/stream?spaceId=${conn.space}${since}`;
    openSse(ledger, conn, { ...target, path }, ourFrame);
  }
}

/** Opens queued connections while fewer than `maxPending` wait for their first frame. */
function pump(): void {
  let pending = 0;
  for (const conn of conns) if (conn.open && conn.liveAt === 0) pending++;
  while (queue.length > 0 && pending < maxPending) {
    connect(queue.shift() as Conn);
    pending++;
  }
  if (queue.length > 0) setTimeout(pump, 2);
}

function status() {
  let live = 0;
  let open = 0;
  let positions = 0;
  let firstFrames = 0;
  let firstStart = Number.POSITIVE_INFINITY;
  let lastLive = 0;
  for (const conn of conns) {
    if (conn.open) open++;
    if (conn.multi) {
      positions += conn.multi.spaces.length;
      firstFrames += conn.multi.spaces.length - conn.multi.awaiting.size;
    }
    if (conn.liveAt > 0) {
      live++;
      lastLive = Math.max(lastLive, conn.liveAt);
    }
    firstStart = Math.min(firstStart, conn.startedAt);
  }
  return {
    total: conns.length,
    live,
    open,
    firstStart,
    lastLive,
    positions,
    firstFrames,
    errors: ledger.errors,
  };
}

/** (subscriber, space) pairs where the subscriber follows one of `spaces`. */
function followersOf(spaces: string[]): number {
  const wanted = new Set(spaces);
  let pairs = 0;
  for (const conn of conns) {
    for (const space of conn.multi?.spaces ?? [conn.space]) if (wanted.has(space)) pairs++;
  }
  return pairs;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await Bun.sleep(10);
  }
  return true;
}

async function handle(command: Command): Promise<unknown> {
  switch (command.type) {
    case "open": {
      spec = command;
      ledger = new Ledger();
      conns = command.spaces.map((space, index) => {
        const conn = ledger.newConn(index, space);
        conn.cursor = command.since?.[space];
        return conn;
      });
      for (const spaces of command.streams ?? []) {
        const conn = ledger.newConn(conns.length, spaces[0] ?? "");
        const cursors = new Map<string, string>();
        for (const space of spaces) {
          const since = command.since?.[space];
          if (since !== undefined) cursors.set(space, since);
        }
        conn.multi = { spaces, cursors, awaiting: new Set(spaces) };
        conns.push(conn);
      }
      maxPending = command.maxPending ?? Number.POSITIVE_INFINITY;
      queue.push(...conns);
      pump();
      return status();
    }
    case "status":
      return status();
    case "wait": {
      const followers = command.inSpaces ? followersOf(command.inSpaces) : conns.length;
      const target = command.perConn * followers;
      const done = await waitFor(
        () => (ledger.phases[command.phase]?.deliveries ?? 0) >= target,
        command.timeoutMs,
      );
      return { done, ...(ledger.phases[command.phase] ?? { deliveries: 0, hist: {}, bySeq: {} }) };
    }
    case "drop": {
      for (const conn of conns) conn.close();
      await waitFor(() => conns.every((conn) => !conn.open), 10_000);
      return status();
    }
    case "resume": {
      maxPending = command.maxPending ?? Number.POSITIVE_INFINITY;
      for (const conn of conns) {
        conn.liveAt = 0;
        if (command.fresh) {
          conn.cursor = undefined;
          conn.multi?.cursors.clear();
        }
      }
      queue.push(...conns);
      pump();
      return { at: wallMs() };
    }
    case "integrity": {
      let missing = 0;
      for (const conn of conns) missing += Math.max(0, command.expected - ledger.seenCount(conn));
      return { duplicates: ledger.duplicates, gaps: ledger.gaps, missing, errors: ledger.errors };
    }
    case "bytes":
      return { bytes: ledger.bytes };
    case "close": {
      for (const conn of conns) conn.close();
      await waitFor(() => conns.every((conn) => !conn.open), 5_000);
      conns = [];
      return status();
    }
  }
}

process.on("message", async (message: { id: number; command: Command }) => {
  const result = await handle(message.command).catch((error) => ({ error: String(error) }));
  process.send?.({ id: message.id, result });
});
process.send?.({ id: 0, result: "ready" });
