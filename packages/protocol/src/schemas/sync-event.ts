import { type Static, Type } from "@sinclair/typebox";
import { SYNC_EVENT_TYPE } from "../constants.ts";
import { CursorSchema, UuidSchema } from "./cursor.ts";
import { IntentionSchema } from "./intention.ts";

const common = {
  type: Type.Literal(SYNC_EVENT_TYPE),
  spaceId: UuidSchema,
  created: Type.Array(IntentionSchema),
  updated: Type.Array(IntentionSchema),
  deleted: Type.Array(UuidSchema),
  /** The cursor after this event: resume with `?since=<timestamp>`. */
  timestamp: CursorSchema,
};

/** The changes after `since`; a heartbeat is a delta without changes. */
export const DeltaEventSchema = Type.Object(
  {
    ...common,
    /** The cursor this delta applies on top of. */
    since: CursorSchema,
    /** Never on a delta: typed so that `event.reset` reads on any event and narrows it. */
    reset: Type.Optional(Type.Never()),
  },
  { additionalProperties: false },
);
export type DeltaEvent = Static<typeof DeltaEventSchema>;

/** The latest page and the head, replacing whatever the client held; it applies on nothing. */
export const ResetEventSchema = Type.Object(
  {
    ...common,
    reset: Type.Literal(true),
    /** Never on a reset (see `reset` on a delta). */
    since: Type.Optional(Type.Never()),
  },
  { additionalProperties: false },
);
export type ResetEvent = Static<typeof ResetEventSchema>;

export const SyncEventSchema = Type.Union([DeltaEventSchema, ResetEventSchema]);
export type SyncEvent = Static<typeof SyncEventSchema>;
