/** Postgres notification channels (DESIGN §6). A notification is a wake-up, never the data. */

/** Every mutation of a space notifies this with the space id as payload. */
export const SPACE_CHANGES_CHANNEL = "space_changes";

/** Revocations that must end open streams on every instance; payload: an AccessChange as JSON. */
export const ACCESS_CHANGES_CHANNEL = "access_changes";

export type AccessChange =
  | { kind: "session-revoked"; sessionKey: string }
  | { kind: "member-removed"; spaceId: string; beingId: string };
