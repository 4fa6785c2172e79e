import { LIMITS } from "@rhizome/protocol";

/** The handle rule in words, said wherever a handle is typed. */
export const HANDLE_RULE =
  "3 to 32 characters: letters, digits and _. Capitals become lower case (Alice_UX is alice_ux).";

const HANDLE = new RegExp(LIMITS.handlePattern);

/** What the server does to a handle: lower case (and the form drops an `@` and spaces around it). */
export function normaliseHandle(typed: string): string {
  return typed.trim().replace(/^@/, "").toLowerCase();
}

/** Why a handle would be refused, in a sentence; null when it is fine. */
export function handleProblem(typed: string): string | null {
  const handle = normaliseHandle(typed);
  if (HANDLE.test(handle)) return null;
  if (handle.length < 3) return "A handle needs at least 3 characters.";
  if (handle.length > 32) return "A handle has at most 32 characters.";
  return "A handle may only use letters, digits and _ (no spaces, dashes or accents).";
}

/** Why a new password would be a poor one, in a sentence; null when it passes the checks. */
export function passwordProblem(password: string, handle = ""): string | null {
  if (password.length < LIMITS.passwordMin)
    return `A password needs at least ${LIMITS.passwordMin} characters.`;
  if (password.length > LIMITS.passwordMax)
    return `A password has at most ${LIMITS.passwordMax} characters.`;
  if (password.trim() === "") return "A password cannot be only spaces.";
  if (new Set(password).size === 1) return "A password cannot be one character repeated.";
  const name = normaliseHandle(handle);
  if (name !== "" && password.trim().toLowerCase() === name)
    return "A password cannot be your handle.";
  return null;
}
