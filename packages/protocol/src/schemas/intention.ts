import { type Static, Type } from "@sinclair/typebox";
import { CursorSchema, UuidSchema } from "./cursor.ts";

export const IntentionSchema = Type.Object(
  {
    id: UuidSchema,
    spaceId: UuidSchema,
    authorId: UuidSchema,
    content: Type.String(),
    createdAt: CursorSchema,
    updatedAt: CursorSchema,
  },
  { additionalProperties: false },
);
export type Intention = Static<typeof IntentionSchema>;
