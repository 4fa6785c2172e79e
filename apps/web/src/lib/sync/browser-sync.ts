import {
  type FollowedSpace,
  fetchMultiTransport,
  type MultiStreamTransport,
  MultiSyncClient,
} from "@rhizome/client";
import type { ConnectionSettings } from "@rhizome/protocol";

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

/** Plain data, so that the connection can be opened in another context (a worker, a tab). */
export type BrowserSyncOptions = {
  /** Whose spaces: the local copy is kept per being. */
  beingId: string;
  spaces: readonly FollowedSpace[];
  /** The being's space ids now (`GET /api/spaces`), asked when the stream answers 404. */
  refetchSpaces: () => Promise<readonly string[]>;
  settings?: ConnectionSettings;
  /** Tests only: the stream; browsers use `POST /api/stream` with the session cookie. */
  transport?: MultiStreamTransport;
};

/** For now the connection lives in this tab. */
export function openBrowserSync(options: BrowserSyncOptions): BrowserSync {
  return new MultiSyncClient({
    spaces: options.spaces,
    refetchSpaces: options.refetchSpaces,
    transport: options.transport ?? fetchMultiTransport(),
    ...(options.settings ? { settings: options.settings } : {}),
  });
}
