import { SYNC_EVENT_TYPE, type SyncEvent } from "@rhizome/protocol";

const encoder = new TextEncoder();

/** How long a native EventSource waits before reconnecting, sent in each stream's first write. */
export const SSE_RETRY_MS = 2000;

/**
 * One SSE frame. `id:` is the event's timestamp, so that a native EventSource resumes with
 * `Last-Event-ID`; a multi-space stream leaves it out (its client resumes by its per-space
 * cursors). JSON.stringify escapes newlines, so `data:` is always one line.
 */
export function encodeFrame(
  event: SyncEvent,
  retryMs?: number,
  { withId = true }: { withId?: boolean } = {},
): Uint8Array {
  const retry = retryMs === undefined ? "" : `retry: ${retryMs}\n`;
  const id = withId ? `id: ${event.timestamp}\n` : "";
  return encoder.encode(
    `${retry}${id}event: ${SYNC_EVENT_TYPE}\ndata: ${JSON.stringify(event)}\n\n`,
  );
}

/**
 * One event, encoded at most once per form (with `id:` for single-space streams, without
 * for multi-space ones), however many subscribers it goes to.
 */
export class Frame {
  #withId: Uint8Array | undefined;
  #withoutId: Uint8Array | undefined;

  constructor(
    readonly event: SyncEvent,
    private readonly retryMs?: number,
  ) {}

  get timestamp(): string {
    return this.event.timestamp;
  }

  bytes(withId: boolean): Uint8Array {
    if (withId) {
      this.#withId ??= encodeFrame(this.event, this.retryMs);
      return this.#withId;
    }
    this.#withoutId ??= encodeFrame(this.event, undefined, { withId: false });
    return this.#withoutId;
  }
}
