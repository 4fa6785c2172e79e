import {
  type FrameRecord,
  fetchTransport,
  type StreamTransport,
  SyncClient,
} from "@rhizome/client";
import { type Cursor, type Intention, parseSyncEvent, type SyncEvent } from "@rhizome/protocol";

/** Fast reconnects for tests: the machine's backoff, shrunk. */
export const FAST_RECONNECT = { heartbeatMs: 15_000, minBackoffMs: 20, maxBackoffMs: 200 };

/**
 * A headless subscriber for tests: the production SyncClient plus an audit of every frame,
 * so that a test can prove no change was skipped or delivered twice.
 */
export class Reader {
  readonly client: SyncClient;
  readonly frames: (FrameRecord & { event: SyncEvent | undefined })[] = [];

  constructor(
    baseUrl: string,
    token: string,
    spaceId: string,
    options: { cursor?: Cursor; transport?: StreamTransport } = {},
  ) {
    this.client = new SyncClient({
      spaceId,
      transport: options.transport ?? fetchTransport({ baseUrl, token }),
      settings: FAST_RECONNECT,
      ...(options.cursor ? { cursor: options.cursor } : {}),
    });
    this.client.onFrame((record) => {
      const parsed = parseSyncEvent(record.data);
      this.frames.push({ ...record, event: parsed.ok ? parsed.event : undefined });
    });
  }

  start(): this {
    this.client.start();
    return this;
  }

  stop(): void {
    this.client.stop();
  }

  get cursor(): Cursor | null {
    return this.client.sync.cursor;
  }

  get intentions(): readonly Intention[] {
    return this.client.intentions;
  }

  /** Frames received after `index` (for per-test slices). */
  framesSince(index: number): SyncEvent[] {
    return this.frames.slice(index).flatMap((frame) => (frame.event ? [frame.event] : []));
  }

  /**
   * The chain audit: every frame was a reset or chained onto the cursor (never a gap,
   * a duplicate or garbage), resets only open a connection, and no change (an id at an
   * updatedAt, or a deletion) arrived twice outside a reset.
   */
  auditChain(): string[] {
    const problems: string[] = [];
    const seen = new Set<string>();
    let connection = -1;
    for (const [index, frame] of this.frames.entries()) {
      const firstOfConnection = frame.connection !== connection;
      connection = frame.connection;
      const kind = frame.outcome.kind;
      if (kind !== "applied" && kind !== "reset") {
        problems.push(`frame ${index}: ${kind} ${JSON.stringify(frame.outcome)}`);
        continue;
      }
      if (kind === "reset" && !firstOfConnection) problems.push(`frame ${index}: reset mid-stream`);
      const event = frame.event;
      if (!event) continue;
      if (kind === "reset") {
        // A reset legitimately repeats what came before; after it, nothing in it may repeat.
        seen.clear();
        for (const item of event.created) seen.add(`${item.id}@${item.updatedAt}`);
        continue;
      }
      for (const item of [...event.created, ...event.updated]) {
        const key = `${item.id}@${item.updatedAt}`;
        if (seen.has(key)) problems.push(`frame ${index}: ${key} delivered twice`);
        seen.add(key);
      }
      for (const id of event.deleted) {
        if (seen.has(`deleted:${id}`)) problems.push(`frame ${index}: deletion of ${id} twice`);
        seen.add(`deleted:${id}`);
      }
    }
    return problems;
  }
}

/** Polls `condition` until it holds; fails with `describe()` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  describe: () => string = () => "condition",
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${describe()}`);
    await Bun.sleep(10);
  }
}

/** The fields a reader must agree on with the database. */
export function comparable(items: readonly Intention[]) {
  return items.map(({ id, content, createdAt, updatedAt }) => ({
    id,
    content,
    createdAt,
    updatedAt,
  }));
}

/**
 * A transport whose every open goes to a randomly chosen instance: no sticky sessions.
 * `make` is `fetchTransport` or `fetchMultiTransport`.
 */
export function anyInstance<Request, Opened>(
  make: (options: {
    baseUrl: string;
    token: string;
  }) => (request: Request, signal: AbortSignal) => Promise<Opened>,
  urls: string[],
  token: string,
  random: () => number,
): (request: Request, signal: AbortSignal) => Promise<Opened> {
  return (request, signal) =>
    make({ baseUrl: urls[Math.floor(random() * urls.length)] as string, token })(request, signal);
}
