import { BeingSchema, LIMITS } from "@rhizome/protocol";
import { t } from "elysia";

export const Handle = t.String({
  pattern: LIMITS.handlePattern,
  description: "3..32 of a-z, 0-9, _",
});
export const Password = t.String({ minLength: LIMITS.passwordMin, maxLength: LIMITS.passwordMax });
export const DisplayName = t.String({
  minLength: 1,
  maxLength: LIMITS.nameMax,
  pattern: LIMITS.visibleTextPattern,
});

export const SignupBody = t.Object({
  handle: Handle,
  password: Password,
  name: t.Optional(DisplayName),
});
export const SigninBody = t.Object({
  handle: t.String({ maxLength: 64 }),
  password: t.String({ maxLength: LIMITS.passwordMax }),
});
export const SessionResponse = t.Object({ being: BeingSchema, token: t.String() });
