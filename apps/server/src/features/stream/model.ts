import { CursorSchema } from "@rhizome/protocol";
import { t } from "elysia";
import { uuid } from "../shared/model.ts";

export const StreamQuery = t.Object({
  spaceId: uuid(),
  since: t.Optional(CursorSchema),
});
