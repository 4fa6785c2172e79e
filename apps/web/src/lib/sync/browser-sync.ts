import {
  type FollowedSpace,
  fetchMultiTransport,
  type MultiStreamTransport,
  MultiSyncClient,
} from "@rhizome/client";
import type { ConnectionSettings } from "@rhizome/protocol";
import { type HubKind, openMirror } from "./hub/connect.ts";

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
> & {
  /** Resolved once the local copy has painted (a reload shows it at once, online or not). */
  readonly ready?: Promise<void>;
  /** Where the stream lives for this tab. */
  readonly hub?: HubKind;
  /** This tab is done with it (sign-out, being switch): the hub forgets this tab's wish. */
  close?(): void;
};

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
  /** Tests and diagnostics: where the hub lives (default: SharedWorker, else Web Locks, else here). */
  hub?: HubKind;
};

/**
 * The browser's one stream, shared by every tab of the being: held by a SharedWorker where
 * there is one, else by the tab elected with Web Locks, relayed to this tab's mirror. With a
 * test transport, a plain client in this tab.
 */
export function openBrowserSync(options: BrowserSyncOptions): BrowserSync {
  if (options.transport || typeof window === "undefined") {
    const client = new MultiSyncClient({
      spaces: options.spaces,
      refetchSpaces: options.refetchSpaces,
      transport: options.transport ?? fetchMultiTransport(),
      ...(options.settings ? { settings: options.settings } : {}),
    });
    return Object.assign(client, { ready: Promise.resolve(), hub: "this-tab" as const });
  }
  const mirror = openMirror({
    config: {
      beingId: options.beingId,
      ...(options.settings ? { settings: options.settings } : {}),
    },
    spaces: options.spaces,
    refetchSpaces: options.refetchSpaces,
    ...(options.hub ? { kind: options.hub } : {}),
  });
  // Going away hands the stream over at once instead of when the browser notices.
  window.addEventListener("pagehide", () => mirror.close(), { once: true });
  return Object.assign(mirror, { hub: mirror.kind });
}
