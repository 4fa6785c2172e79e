import { type Cursor, realTimers, type Timers } from "@rhizome/protocol";

/** Moves a read marker on the server: `PUT /api/spaces/:id/read`. */
export type PutRead = (spaceId: string, cursor: Cursor) => Promise<void>;

/** The part of a BroadcastChannel the read news use (a fake in tests). */
export type ReadChannelPort = {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  close(): void;
};

export type ReadNews = { spaceId: string; cursor: Cursor };

/** How long the marker waits for more reading before it is sent. */
export const READ_DEBOUNCE_MS = 1000;
/** A PUT that failed (offline) is tried again after this, unless a newer read came. */
export const READ_RETRY_MS = 10_000;

export type ReadMarkersOptions = {
  put: PutRead;
  timers?: Timers;
  delayMs?: number;
  retryMs?: number;
};

/**
 * The read markers this browser tab moves: reads of one space within `delayMs` of the first
 * are sent as one PUT, with the furthest cursor. The marker only moves forward.
 */
export class ReadMarkers {
  readonly #put: PutRead;
  readonly #timers: Timers;
  readonly #delayMs: number;
  readonly #retryMs: number;
  readonly #pending = new Map<string, { cursor: Cursor; timer: unknown }>();
  /** The furthest cursor sent (or being sent) per space. */
  readonly #sent = new Map<string, Cursor>();

  constructor(options: ReadMarkersOptions) {
    this.#put = options.put;
    this.#timers = options.timers ?? realTimers;
    this.#delayMs = options.delayMs ?? READ_DEBOUNCE_MS;
    this.#retryMs = options.retryMs ?? READ_RETRY_MS;
  }

  /** Read up to `cursor`: sent once reading pauses (or at the latest after `delayMs`). */
  mark(spaceId: string, cursor: Cursor): void {
    const sent = this.#sent.get(spaceId);
    if (sent !== undefined && cursor <= sent) return;
    const pending = this.#pending.get(spaceId);
    if (pending) {
      if (cursor > pending.cursor) pending.cursor = cursor;
      return;
    }
    this.#schedule(spaceId, cursor, this.#delayMs);
  }

  /** Sends every pending marker now (the tab is going away). */
  flush(): void {
    for (const [spaceId, pending] of [...this.#pending]) {
      this.#timers.clearTimeout(pending.timer);
      void this.#send(spaceId);
    }
  }

  /** Stops the timers; what is pending is sent first. */
  dispose(): void {
    this.flush();
  }

  #schedule(spaceId: string, cursor: Cursor, ms: number): void {
    const timer = this.#timers.setTimeout(() => void this.#send(spaceId), ms);
    this.#pending.set(spaceId, { cursor, timer });
  }

  async #send(spaceId: string): Promise<void> {
    const pending = this.#pending.get(spaceId);
    if (!pending) return;
    this.#pending.delete(spaceId);
    const { cursor } = pending;
    const before = this.#sent.get(spaceId);
    this.#sent.set(spaceId, cursor);
    try {
      await this.#put(spaceId, cursor);
    } catch (error) {
      if (this.#sent.get(spaceId) === cursor) {
        if (before === undefined) this.#sent.delete(spaceId);
        else this.#sent.set(spaceId, before);
      }
      // Offline: try again later, unless a newer read will carry it; a refusal is final.
      if (!this.#pending.has(spaceId) && isRetryable(error)) {
        this.#schedule(spaceId, cursor, this.#retryMs);
      }
    }
  }
}

/** A PUT that may pass later: no answer, 429 or 5xx (a 4xx refusal will not change). */
function isRetryable(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status !== "number" || status === 0 || status === 429 || status >= 500;
}

/** Tells the other tabs of this browser, for this being, that a space was read up to a cursor. */
export class ReadChannel {
  readonly #port: ReadChannelPort | undefined;
  readonly #listener: (event: { data: unknown }) => void;
  #onNews: ((news: ReadNews) => void) | undefined;

  constructor(port: ReadChannelPort | undefined, onNews: (news: ReadNews) => void) {
    this.#port = port;
    this.#onNews = onNews;
    this.#listener = (event) => {
      const news = asNews(event.data);
      if (news) this.#onNews?.(news);
    };
    port?.addEventListener("message", this.#listener);
  }

  announce(news: ReadNews): void {
    try {
      this.#port?.postMessage(news);
    } catch {
      // A closed channel: the other tabs learn it from the next listing.
    }
  }

  close(): void {
    this.#onNews = undefined;
    this.#port?.removeEventListener("message", this.#listener);
    this.#port?.close();
  }
}

/** The browser's channel for one being's read news, where there is one. */
export function browserReadPort(beingId: string): ReadChannelPort | undefined {
  if (typeof BroadcastChannel === "undefined") return undefined;
  return new BroadcastChannel(`rhizome:read:${beingId}`) as unknown as ReadChannelPort;
}

function asNews(data: unknown): ReadNews | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const { spaceId, cursor } = data as Record<string, unknown>;
  return typeof spaceId === "string" && typeof cursor === "string"
    ? { spaceId, cursor }
    : undefined;
}
