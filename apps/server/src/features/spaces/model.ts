import {
  BeingSchema,
  CursorSchema,
  IntentionSchema,
  LIMITS,
  SpaceSchema,
  VisibilitySchema,
} from "@rhizome/protocol";
import { t } from "elysia";
import { uuid } from "../shared/model.ts";

export const SpaceParams = t.Object({ id: uuid() });
export const MemberParams = t.Object({
  id: uuid(),
  beingId: uuid(),
});
export const CreateSpaceBody = t.Object({
  name: t.String({
    minLength: 1,
    maxLength: LIMITS.spaceNameMax,
    pattern: LIMITS.visibleTextPattern,
  }),
  visibility: t.Optional(VisibilitySchema),
});
export const AddMemberBody = t.Object({ beingId: uuid() });
export const SpaceResponse = t.Object({ space: SpaceSchema });
/**
 * A listed space, with the caller's role in it (null: a public space they have not joined);
 * a member's entry adds the read marker, the unread count (capped) and the latest intention.
 */
export const SpaceListItem = t.Composite([
  SpaceSchema,
  t.Object({
    role: t.Union([t.Literal("owner"), t.Literal("member"), t.Null()]),
    readAt: t.Optional(t.Union([CursorSchema, t.Null()])),
    unread: t.Optional(t.Integer({ minimum: 0, maximum: 100 })),
    lastIntention: t.Optional(t.Union([IntentionSchema, t.Null()])),
  }),
]);
export const ReadBody = t.Object({ cursor: CursorSchema });
export const SpacesResponse = t.Object({ spaces: t.Array(SpaceListItem) });
export const BeingsResponse = t.Object({ beings: t.Array(BeingSchema) });
export const MemberResponse = t.Object({
  spaceId: t.String(),
  beingId: t.String(),
  role: t.String(),
});
