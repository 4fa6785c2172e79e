import type { Cursor } from "@rhizome/protocol";
import type { Frame } from "./sse.ts";

export type SendResult = "sent" | "overflow" | "closed";
export type CloseReason = "client-gone" | "slow-consumer" | "revoked" | "shutdown" | "error";

/**
 * One stream's position in one space: what a space's channel holds for each follower. A
 * single-space stream is its own seat; a multi-space stream has one per followed space, so
 * a followed space costs only this.
 */
export interface Seat {
  readonly spaceId: string;
  /** The timestamp of the last frame this seat was sent: where its chain stands. */
  readonly cursor: Cursor | undefined;
  readonly closed: boolean;
  /** The size of this seat's reset page; undefined: the server's page size. */
  readonly page: number | undefined;
  /** Whether the channel sends this seat its heartbeats (a multi-space stream beats alone). */
  readonly channelHeartbeats: boolean;
  /** Where this seat sits in its audience's list (SeatList): the list's to set. */
  slot: number | undefined;
  deliver(frame: Frame): SendResult;
  close(reason: CloseReason): void;
}
