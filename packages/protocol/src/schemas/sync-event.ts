import { type Static, Type } from "@sinclair/typebox";
import { SYNC_EVENT_TYPE } from "../constants.ts";
import { CursorSchema, UuidSchema } from "./cursor.ts";
import { IntentionSchema } from "./intention.ts";

export const SyncEventSchema = Type.Object(
  {
    type: Type.Literal(SYNC_EVENT_TYPE),
    spaceId: UuidSchema,
    /** The cursor this delta applies on top of; absent on a reset. */
    since: Type.Optional(CursorSchema),
    created: Type.Array(IntentionSchema),
    updated: Type.Array(IntentionSchema),
    deleted: Type.Array(UuidSchema),
    /** The cursor after this event: resume with `?since=<timestamp>`. */
    timestamp: CursorSchema,
    reset: Type.Optional(Type.Literal(true)),
  },
  { additionalProperties: false },
);
export type SyncEvent = Static<typeof SyncEventSchema>;
