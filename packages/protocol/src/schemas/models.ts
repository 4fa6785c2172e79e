import { type Static, Type } from "@sinclair/typebox";
import { ERROR_CODES, type ErrorCode, INTERNAL_ERROR_CODE, LIMITS } from "../constants.ts";
import { CursorSchema, UuidSchema } from "./cursor.ts";

export const BeingSchema = Type.Object({
  id: UuidSchema,
  handle: Type.String(),
  name: Type.String(),
  color: Type.String({ pattern: LIMITS.colorPattern }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Being = Static<typeof BeingSchema>;

export const VisibilitySchema = Type.Union([Type.Literal("public"), Type.Literal("private")]);
export type Visibility = Static<typeof VisibilitySchema>;

export const SpaceSchema = Type.Object({
  id: UuidSchema,
  name: Type.String(),
  visibility: VisibilitySchema,
  ownerId: UuidSchema,
  createdAt: Type.String(),
  head: CursorSchema,
});
export type Space = Static<typeof SpaceSchema>;

/** The contract's codes, and `internal` for a 500. */
const BODY_CODES: (ErrorCode | typeof INTERNAL_ERROR_CODE)[] = [
  ...Object.values(ERROR_CODES),
  INTERNAL_ERROR_CODE,
];

export const ErrorBodySchema = Type.Object({
  error: Type.Object({
    code: Type.Union(BODY_CODES.map((code) => Type.Literal(code))),
    message: Type.String(),
  }),
});
export type ErrorBody = Static<typeof ErrorBodySchema>;
