import { FormatRegistry } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { LIMITS } from "./constants.ts";
import {
  DeltaEventSchema,
  ResetEventSchema,
  type SyncEvent,
  SyncEventSchema,
} from "./schemas/sync-event.ts";

/** Ids are UUIDs in their usual hex form (any version): the one rule servers and clients share. */
export const UUID_PATTERN =
  "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
const UUID_RE = new RegExp(UUID_PATTERN);

export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID_RE.test(value);
}

const VISIBLE_TEXT = new RegExp(LIMITS.visibleTextPattern);

/** Whether `text` shows anything at all: blank and invisible-only text is refused like empty. */
export function isVisibleText(text: string): boolean {
  return VISIBLE_TEXT.test(text);
}

/** The one spelling of an id: any letter case names the same space or being, lower case is canonical. */
export function canonicalId(id: string): string {
  return id.toLowerCase();
}

// Elysia registers the same format; whoever loads first wins, both accept the same strings.
if (!FormatRegistry.Has("uuid")) FormatRegistry.Set("uuid", (value) => UUID_RE.test(value));

// Interpreted, not TypeCompiler: compiling evaluates generated code, which the web app's CSP
// (no 'unsafe-eval') forbids; a frame is small, so the interpreter's cost is negligible.
export type ParseResult =
  | { ok: true; event: SyncEvent }
  | { ok: false; reason: "not-json" | "invalid-shape"; detail: string };

/** Validates one SSE `data:` payload. Never throws. */
export function parseSyncEvent(data: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (error) {
    return { ok: false, reason: "not-json", detail: String(error) };
  }
  return checkSyncEvent(value);
}

export function checkSyncEvent(value: unknown): ParseResult {
  if (Value.Check(SyncEventSchema, value)) return { ok: true, event: value };
  // The union's own error says only "expected union": report against the variant meant.
  const meant = isObject(value) && "reset" in value ? ResetEventSchema : DeltaEventSchema;
  const first = Value.Errors(meant, value).First();
  return {
    ok: false,
    reason: "invalid-shape",
    detail: first ? `${first.path || "/"}: ${first.message}` : "not a SyncEvent",
  };
}

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}
