import { BeingSchema, LIMITS, SpaceSchema, VisibilitySchema } from "@rhizome/protocol";
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
/** A listed space, with the caller's role in it (null: a public space they have not joined). */
export const SpaceListItem = t.Composite([
  SpaceSchema,
  t.Object({ role: t.Union([t.Literal("owner"), t.Literal("member"), t.Null()]) }),
]);
export const SpacesResponse = t.Object({ spaces: t.Array(SpaceListItem) });
export const BeingsResponse = t.Object({ beings: t.Array(BeingSchema) });
export const MemberResponse = t.Object({
  spaceId: t.String(),
  beingId: t.String(),
  role: t.String(),
});
