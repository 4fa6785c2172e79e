/**
 * Which tab holds the stream where there is no SharedWorker: every tab asks for one Web Lock;
 * the browser grants it to one at a time and releases it when that tab goes. This machine is
 * a tab's part in that, pure, so that the handover can be tested without a browser.
 */
export type ElectionState =
  /** Asked for the lock; another tab (or none yet) holds the stream. */
  | { role: "candidate" }
  /** Holds the lock and the stream. */
  | { role: "holder" }
  | { role: "closed" };

export type ElectionEvent = { type: "granted" } | { type: "close" };

export type ElectionEffect =
  /** Open the hub here, resuming from this tab's copy, and tell every tab to say hello. */
  | { type: "hold" }
  /** Close this tab's hub, if any, and let the lock go to the next tab. */
  | { type: "release" };

export const INITIAL_ELECTION: ElectionState = { role: "candidate" };

export function electionStep(
  state: ElectionState,
  event: ElectionEvent,
): { state: ElectionState; effects: ElectionEffect[] } {
  if (state.role === "closed")
    return { state, effects: event.type === "granted" ? [{ type: "release" }] : [] };
  if (event.type === "close") return { state: { role: "closed" }, effects: [{ type: "release" }] };
  if (state.role === "holder") return { state, effects: [] };
  return { state: { role: "holder" }, effects: [{ type: "hold" }] };
}
