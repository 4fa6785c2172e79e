import { UUID_PATTERN } from "@rhizome/protocol";
import { type Static, Type } from "@sinclair/typebox";

/** Postgres notification channels (docs/PROTOCOL.md §4). A notification is a wake-up, never the data. */

/** Every mutation of a space notifies this with the space id as payload. */
export const SPACE_CHANGES_CHANNEL = "space_changes";

/** Revocations that must end open streams on every instance; payload: an AccessChange as JSON,
 * sent by the triggers of migration 0002 on every session or private membership deleted. */
export const ACCESS_CHANGES_CHANNEL = "access_changes";

const Id = Type.String({ pattern: UUID_PATTERN });

/** The `access_changes` payload; listeners check it (access/changes.ts) before trusting it. */
export const AccessChangeSchema = Type.Union([
  Type.Object({ kind: Type.Literal("session-revoked"), sessionKey: Type.String({ minLength: 1 }) }),
  Type.Object({ kind: Type.Literal("member-removed"), spaceId: Id, beingId: Id }),
]);
export type AccessChange = Static<typeof AccessChangeSchema>;
