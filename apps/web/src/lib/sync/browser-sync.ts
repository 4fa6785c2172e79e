import { MultiSyncClient, type MultiSyncClientOptions } from "@rhizome/client";

/**
 * What the web store needs of the browser's one multi-space connection (DESIGN §8). The store
 * builds it only through `openBrowserSync`, so where the connection lives (this tab, a
 * SharedWorker, or an elected tab relaying over a BroadcastChannel) stays behind this seam.
 */
export type BrowserSync = Pick<
  MultiSyncClient,
  | "connection"
  | "spaceIds"
  | "space"
  | "intentions"
  | "subscribe"
  | "onFrame"
  | "start"
  | "stop"
  | "setOnline"
  | "follow"
  | "unfollow"
  | "setSpaces"
  | "mergeHistory"
>;

export type BrowserSyncOptions = MultiSyncClientOptions;

/** For now the connection lives in this tab. */
export function openBrowserSync(options: BrowserSyncOptions): BrowserSync {
  return new MultiSyncClient(options);
}
