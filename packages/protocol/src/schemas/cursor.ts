import { type Static, Type } from "@sinclair/typebox";
import { CURSOR_PATTERN } from "../cursor.ts";

export const CursorSchema = Type.String({
  pattern: CURSOR_PATTERN,
  description: "A space's commit clock: ISO-8601 UTC with six fractional digits (27 chars).",
  examples: ["2025-07-28T10:30:16.123456Z"],
});
export type CursorValue = Static<typeof CursorSchema>;

export const UuidSchema = Type.String({ format: "uuid" });
