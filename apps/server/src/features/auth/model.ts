import { BeingSchema, LIMITS } from "@rhizome/protocol";
import { t } from "elysia";
import { HANDLE_ANY_CASE, lowerCased } from "../shared/model.ts";

export const Handle = lowerCased(
  t.String({
    pattern: HANDLE_ANY_CASE,
    description: "3..32 of a-z, 0-9, _; capitals are taken as lower case (Alice_UX is alice_ux)",
  }),
);
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
  // Any text up to 64: a handle that cannot exist is a 401 like a wrong one, never a hint.
  handle: lowerCased(t.String({ maxLength: 64 })),
  password: t.String({ maxLength: LIMITS.passwordMax }),
});
export const SessionResponse = t.Object({ being: BeingSchema, token: t.String() });
