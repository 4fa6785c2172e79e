import { BeingSchema, LIMITS } from "@rhizome/protocol";
import { t } from "elysia";
import { DisplayName } from "../auth/model.ts";
import { lowerCased, uuid } from "../shared/model.ts";

export const BeingResponse = t.Object({ being: BeingSchema });
/** Both fields optional: `{}` changes nothing and answers the being as it is. */
export const ProfileBody = t.Object({
  name: t.Optional(DisplayName),
  color: t.Optional(t.String({ pattern: LIMITS.colorPattern })),
});
export const BeingParams = t.Object({ id: uuid() });
/** Any case (handles are stored lower-case); other characters could never match one. */
export const HandleQuery = t.Object({
  handle: lowerCased(
    t.String({
      minLength: 1,
      maxLength: 64,
      pattern: "^[A-Za-z0-9_]+$",
      description: "The being's handle, in any letter case",
    }),
  ),
});
