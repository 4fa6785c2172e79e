import { CursorSchema, IntentionSchema, LIMITS, QUERY_PARAMS } from "@rhizome/protocol";
import { t } from "elysia";
import { uuid } from "../shared/model.ts";

export const Content = t.String({
  minLength: 1,
  maxLength: LIMITS.contentMax,
  pattern: LIMITS.visibleTextPattern,
  description: "1..4000 characters, not only whitespace or invisible characters",
});
export const PostBody = t.Object({
  id: t.Optional(uuid("A client-made id: posting it again is idempotent")),
  content: Content,
});
export const EditBody = t.Object({ content: Content });
export const IntentionParams = t.Object({ id: uuid() });
export const HistoryQuery = t.Object({
  before: t.Optional(CursorSchema),
  // The title names the field in validation messages (see http/validation-message.ts).
  limit: t.Optional(
    t.Integer({ minimum: 1, maximum: LIMITS.historyLimitMax, title: QUERY_PARAMS.limit }),
  ),
});
export const IntentionResponse = t.Object({ intention: IntentionSchema });
export const HistoryResponse = t.Object({
  intentions: t.Array(IntentionSchema),
  hasMore: t.Boolean(),
});
