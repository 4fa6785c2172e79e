import type { FollowedSpace, MultiFrameRecord } from "@rhizome/client";
import type { ConnectionSettings, ConnectionState, Intention, SyncState } from "@rhizome/protocol";

/**
 * The holder/follower protocol: what a tab's mirror says to the hub that holds the browser's
 * one stream (in a SharedWorker or an elected tab), and what the hub says back. Every message
 * is structured-cloneable (a SyncState's Set and Map included), for MessagePort and
 * BroadcastChannel alike.
 */
export type ClientId = string;

/** What the first client tells a hub that has nothing yet (a worker is made without options). */
export type HubConfig = { beingId: string; settings?: ConnectionSettings };

/** A space as a client wants it followed: no stored window (the hub reads its own copy). */
export type Wish = { spaceId: string; page?: number };

export type ToHub =
  /** A client arrived, or a new holder asked everyone to say who they are. */
  | { type: "hello"; from: ClientId; config: HubConfig }
  /** The client's whole wish: the spaces it follows and whether it wants the stream open. */
  | { type: "wish"; from: ClientId; spaces: Wish[]; started: boolean }
  | { type: "online"; from: ClientId; online: boolean }
  /** A history page the client loaded, for every tab's copy. */
  | { type: "merge"; from: ClientId; spaceId: string; page: Intention[]; epoch: number }
  /** The answer to `refetch`; `spaceIds` is null when the client could not ask. */
  | { type: "refetched"; from: ClientId; request: number; spaceIds: string[] | null }
  | { type: "bye"; from: ClientId };

export type FromHub =
  /** The states of the spaces the client `to` wishes, and the connection, after hello or wish. */
  | { type: "snapshot"; to: ClientId; connection: ConnectionState; spaces: SyncState[] }
  | { type: "connection"; connection: ConnectionState }
  | { type: "space"; state: SyncState }
  /** The hub's followed set changed; `dropped` were refused by the server (404). */
  | { type: "spaces"; spaceIds: string[]; dropped: string[] }
  | { type: "frame"; record: MultiFrameRecord }
  /** The stream answered 404: which spaces is the being a member of now? */
  | { type: "refetch"; request: number }
  /** A new holder took over: every client says hello and its wish again. */
  | { type: "holder"; holder: ClientId };

export function wishOf(entry: FollowedSpace): Wish {
  return entry.page === undefined
    ? { spaceId: entry.spaceId.toLowerCase() }
    : { spaceId: entry.spaceId.toLowerCase(), page: entry.page };
}
