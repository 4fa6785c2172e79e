import { type Histogram, record } from "../hist.ts";

/** Highest message sequence number a run may use (a bitmap per connection tracks them). */
export const MAX_SEQ = 1 << 14;

/** One subscriber of the load generator, whatever its transport. */
export type Conn = {
  index: number;
  space: string;
  /** Our SSE: the timestamp of the last frame (the resume cursor). */
  cursor: string | undefined;
  /**
   * A multi-space subscriber (one `POST /api/stream`): the spaces it follows, its cursor per
   * space, and the spaces whose first frame has not come yet on the current connection.
   */
  multi?: { spaces: string[]; cursors: Map<string, string>; awaiting: Set<string> };
  /**
   * When the first frame (reset, catch-up, or Socket.IO's connect ack) arrived; 0 before.
   * A multi-space subscriber is live when every one of its spaces had its first frame.
   */
  liveAt: number;
  /** When its current connection attempt started. */
  startedAt: number;
  frames: number;
  seen: Uint8Array;
  close: () => void;
  open: boolean;
};

export type PhaseStats = {
  deliveries: number;
  hist: Histogram;
  /** The same latencies per message (by sequence number), for per-message percentiles. */
  bySeq: Record<number, Histogram>;
  firstAt: number;
  lastAt: number;
};

/** What a worker counts: per-phase deliveries and latencies, plus the integrity checks. */
export class Ledger {
  phases: Record<string, PhaseStats> = {};
  duplicates = 0;
  gaps = 0;
  errors: Record<string, number> = {};
  bytes = 0;

  newConn(index: number, space: string): Conn {
    return {
      index,
      space,
      cursor: undefined,
      liveAt: 0,
      startedAt: 0,
      frames: 0,
      seen: new Uint8Array(MAX_SEQ / 8),
      close: () => {},
      open: false,
    };
  }

  error(kind: string): void {
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
  }

  /** Records one delivered change; false when this connection had already seen it. */
  deliver(conn: Conn, seq: number, phase: string, sentAt: number, now: number): boolean {
    const byte = seq >> 3;
    const bit = 1 << (seq & 7);
    if ((conn.seen[byte] ?? 0) & bit) {
      this.duplicates++;
      return false;
    }
    conn.seen[byte] = (conn.seen[byte] ?? 0) | bit;
    let stats = this.phases[phase];
    if (!stats) {
      stats = { deliveries: 0, hist: {}, bySeq: {}, firstAt: now, lastAt: now };
      this.phases[phase] = stats;
    }
    stats.deliveries++;
    if (now > stats.lastAt) stats.lastAt = now;
    record(stats.hist, now - sentAt);
    stats.bySeq[seq] ??= {};
    record(stats.bySeq[seq], now - sentAt);
    return true;
  }

  seenCount(conn: Conn): number {
    let total = 0;
    for (const byte of conn.seen) {
      let value = byte;
      while (value) {
        total += value & 1;
        value >>= 1;
      }
    }
    return total;
  }
}

/** Message content: `m<seq>.<phase>@<sent wall ms>` then padding, so a chat-sized line. */
export function markerContent(seq: number, phase: string, sentAt: number, padTo = 80): string {
  const head = `m${seq}.${phase}@${sentAt.toFixed(3)} `;
  return head + "x".repeat(Math.max(0, padTo - head.length));
}

const MARKER = /"content":"m(\d+)\.([\w-]+)@(\d+\.\d+)/g;

/** Every marker in a JSON text (a delta, a Socket.IO packet): each is a delivered change. */
export function deliverAll(ledger: Ledger, conn: Conn, json: string, now: number): void {
  MARKER.lastIndex = 0;
  for (let match = MARKER.exec(json); match; match = MARKER.exec(json)) {
    ledger.deliver(conn, Number(match[1]), match[2] as string, Number(match[3]), now);
  }
}

const TAIL_MARKER = /^"content":"m(\d+)\.([\w-]+)@(\d+\.\d+)/;

/**
 * The full-array design re-sends the whole space: walk back from its newest element and
 * stop at the first change this connection already has (or the pre-filled history).
 */
export function deliverNewestFirst(ledger: Ledger, conn: Conn, json: string, now: number): void {
  let from = json.length;
  for (;;) {
    const at = json.lastIndexOf('"content":"', from);
    if (at < 0) return;
    const match = TAIL_MARKER.exec(json.slice(at, at + 64));
    if (!match) return;
    if (!ledger.deliver(conn, Number(match[1]), match[2] as string, Number(match[3]), now)) {
      ledger.duplicates--; // Already had it: not a duplicate, the array repeats everything.
      return;
    }
    from = at - 1;
  }
}
