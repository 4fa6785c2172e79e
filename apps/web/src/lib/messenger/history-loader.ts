import type { BrowserSync } from "../sync/browser-sync.ts";
import type { HistoryLoader, HistoryPage, HistoryStatus, LoadOlderOutcome } from "./history.ts";

export type LoadOlderInput = {
  spaceId: string;
  sync: Pick<BrowserSync, "space" | "mergeHistory">;
  status: () => HistoryStatus;
  setStatus: (status: HistoryStatus) => void;
  load: HistoryLoader;
  pageSize: number;
};

/**
 * Loads the page before the oldest intention in a space's window and merges it. A page
 * requested in an older epoch (a reset came meanwhile) is dropped by the reducer, and
 * deletions or edits seen meanwhile win over it.
 */
export async function loadOlderPage(input: LoadOlderInput): Promise<LoadOlderOutcome> {
  const { spaceId, sync } = input;
  const status = input.status();
  if (status.loading) return "busy";
  if (status.hasMore === false) return "exhausted";
  const state = sync.space(spaceId);
  if (!state || state.cursor === null) return "not-ready";
  const { epoch } = state;
  const before = state.window[0]?.createdAt;
  input.setStatus({ ...status, loading: true, error: null });
  const current = () => sync.space(spaceId)?.epoch === epoch;
  let page: HistoryPage;
  try {
    page = await input.load(spaceId, before, input.pageSize);
  } catch (error) {
    if (current()) input.setStatus({ ...input.status(), loading: false, error: messageOf(error) });
    return "failed";
  }
  const outcome = sync.mergeHistory(spaceId, page.intentions, epoch);
  if (outcome.kind === "stale") {
    input.setStatus({ ...input.status(), loading: false });
    return "stale";
  }
  input.setStatus({ loading: false, hasMore: page.hasMore, error: null });
  return "loaded";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
