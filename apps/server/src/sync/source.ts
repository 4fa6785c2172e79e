import type { ChangeRecord, Cursor, Intention } from "@rhizome/protocol";

/** What the sync engine reads from the database; the data layer implements it. */
export type ChangeSource = {
  /** Changes after `since` in commit order (at most `limit`) and the head, one snapshot. */
  changesSince(
    spaceId: string,
    since: Cursor,
    limit: number,
  ): Promise<{ head: Cursor; changes: ChangeRecord[] } | undefined>;
  /** The latest live intentions and the head of the same snapshot. */
  latestPage(
    spaceId: string,
    limit: number,
  ): Promise<{ head: Cursor; page: Intention[] } | undefined>;
  /** Heads of many spaces in one query. */
  heads(spaceIds: string[]): Promise<Map<string, Cursor>>;
};

/**
 * A change this process committed, with the head its write started from (read under the
 * space's lock): when the channel has read exactly that far, it sends the change unread.
 */
export type LocalChange = { previous: Cursor; change: ChangeRecord };

export type SyncSettings = {
  batchMs: number;
  /** Subscribers of a space on this instance at which its window is the full `batchMs`. */
  batchAudience: number;
  maxBatch: number;
  catchupLimit: number;
  pageSize: number;
  heartbeatMs: number;
  maxBufferBytes: number;
};

/** How a write tells the sync engine of this process (and its siblings) what it did. */
export type WriteHooks = {
  /** A post of the space starts; the returned function ends it, after `committed`. */
  writing(spaceId: string): () => void;
  /**
   * A change was stored, before its writer is answered: what must not wait for the answer
   * (the other processes' sends, siblings.ts). Always followed by `committed`.
   */
  stored(spaceId: string, local?: LocalChange): void;
  /**
   * A change committed here, before its notification arrives: with the change and its
   * predecessor's head where the write returned them (posts), so it may go out unread.
   * A post's comes after its writer's answer: a send to thousands takes tens of ms.
   */
  committed(spaceId: string, local?: LocalChange): void;
};
