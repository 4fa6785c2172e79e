import { CursorSchema, LIMITS } from "@rhizome/protocol";
import { t } from "elysia";
import { uuid } from "../shared/model.ts";

export const StreamQuery = t.Object({
  spaceId: uuid(),
  since: t.Optional(CursorSchema),
});

/** Hard bound of the schema; the configured SYNC_MAX_SPACES_PER_STREAM is checked after. */
const SPACES_SCHEMA_MAX = 10_000;

/** POST /api/stream: the spaces to follow, each with its own cursor and reset page. */
export const MultiStreamBody = t.Object({
  spaces: t.Array(
    t.Object({
      spaceId: uuid(),
      since: t.Optional(CursorSchema),
      page: t.Optional(t.Integer({ minimum: 1, maximum: LIMITS.historyLimitMax, title: "page" })),
    }),
    { minItems: 1, maxItems: SPACES_SCHEMA_MAX, title: "spaces" },
  ),
});
