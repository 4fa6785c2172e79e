import { SYNC_EVENT_TYPE, type SyncEvent } from "@rhizome/protocol";

const encoder = new TextEncoder();

/** How long a native EventSource waits before reconnecting, sent in each stream's first write. */
export const SSE_RETRY_MS = 2000;

/**
 * One SSE frame. `id:` is the event's timestamp, so that a native EventSource resumes with
 * `Last-Event-ID`. JSON.stringify escapes newlines, so `data:` is always one line.
 */
export function encodeFrame(event: SyncEvent, retryMs?: number): Uint8Array {
  const retry = retryMs === undefined ? "" : `retry: ${retryMs}\n`;
  return encoder.encode(
    `${retry}id: ${event.timestamp}\nevent: ${SYNC_EVENT_TYPE}\ndata: ${JSON.stringify(event)}\n\n`,
  );
}
