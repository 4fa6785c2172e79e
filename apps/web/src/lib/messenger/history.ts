import type { Cursor, Intention } from "@rhizome/protocol";

export type HistoryPage = { intentions: Intention[]; hasMore: boolean };
/** Fetches live intentions created before `before` (the latest when absent), oldest first. */
export type HistoryLoader = (
  spaceId: string,
  before: Cursor | undefined,
  limit: number,
) => Promise<HistoryPage>;

/** Older history of one space: `hasMore` is null until a page has told us. */
export type HistoryStatus = {
  loading: boolean;
  hasMore: boolean | null;
  error: string | null;
};

export type LoadOlderOutcome = "loaded" | "stale" | "busy" | "exhausted" | "not-ready" | "failed";

export const IDLE_HISTORY: HistoryStatus = { loading: false, hasMore: null, error: null };
