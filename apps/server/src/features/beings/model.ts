import { BeingSchema, LIMITS } from "@rhizome/protocol";
import { t } from "elysia";
import { DisplayName } from "../auth/model.ts";
import { uuid } from "../shared/model.ts";

export const BeingResponse = t.Object({ being: BeingSchema });
export const ProfileBody = t.Object(
  { name: t.Optional(DisplayName), color: t.Optional(t.String({ pattern: LIMITS.colorPattern })) },
  { minProperties: 1 },
);
export const BeingParams = t.Object({ id: uuid() });
export const HandleQuery = t.Object({
  handle: t.String({ minLength: 1, maxLength: 64, description: "The being's handle" }),
});
