import { CursorSchema } from "@rhizome/protocol";
import { t } from "elysia";

export const StreamQuery = t.Object({
  spaceId: t.String({ format: "uuid" }),
  since: t.Optional(CursorSchema),
});
