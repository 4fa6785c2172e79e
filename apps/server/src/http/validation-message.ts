import { CURSOR_PATTERN, LIMITS } from "@rhizome/protocol";
import type { ValidationError } from "elysia";

type Schema = {
  type?: string;
  title?: string;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minProperties?: number;
  const?: unknown;
  anyOf?: Schema[];
};

type Issue = { path: string; value: unknown; message: string; schema: Schema };

const UUID_FORMAT = "uuid";
/** Patterns whose meaning reads better in words than as a regular expression. */
const PATTERN_WORDS: Record<string, string> = {
  [LIMITS.visibleTextPattern]: "must not be blank or only invisible characters",
  [CURSOR_PATTERN]: "must be a cursor (UTC, six fractional digits: 2025-07-28T10:30:16.123456Z)",
};

function range(min: number | undefined, max: number | undefined, unit: string): string {
  if (min !== undefined && max !== undefined) return `${min}..${max}${unit}`;
  if (min !== undefined) return `at least ${min}${unit}`;
  return `at most ${max}${unit}`;
}

function explainString(schema: Schema, value: unknown): string {
  if (typeof value !== "string") return "must be a string";
  if (schema.format === UUID_FORMAT) return "must be a uuid";
  const { minLength, maxLength, pattern } = schema;
  const length = value.length;
  if (
    (minLength !== undefined && length < minLength) ||
    (maxLength !== undefined && length > maxLength)
  ) {
    return `must be ${range(minLength, maxLength, " characters")}`;
  }
  if (pattern !== undefined) return PATTERN_WORDS[pattern] ?? `must match ${pattern}`;
  return "is not valid";
}

function explainNumber(schema: Schema): string {
  const kind = schema.type === "integer" ? "a whole number" : "a number";
  if (schema.minimum === undefined && schema.maximum === undefined) return `must be ${kind}`;
  return `must be ${kind} ${range(schema.minimum, schema.maximum, "")}`;
}

/** What is wrong with a value, from its schema: never the rejected value itself. */
function explain(schema: Schema, value: unknown, fallback: string): string {
  if (value === undefined) return "is required";
  if (schema.anyOf) {
    const literals = schema.anyOf.filter((member) => member.const !== undefined);
    if (literals.length === schema.anyOf.length) {
      return `must be one of ${literals.map((member) => String(member.const)).join(", ")}`;
    }
    // Elysia widens query numbers into `integer | numeric string`: describe the number.
    const numeric = schema.anyOf.find(
      (member) => member.type === "integer" || member.type === "number",
    );
    if (numeric) return explainNumber(numeric);
  }
  switch (schema.type) {
    case "string":
      return explainString(schema, value);
    case "integer":
    case "number":
      return explainNumber(schema);
    case "boolean":
      return "must be true or false";
    case "array":
      return "must be an array";
    case "object":
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return "must be a JSON object";
      }
      if (schema.minProperties !== undefined) return "must name at least one field";
      return "is not valid";
  }
  return fallback;
}

/** One line naming where and which field failed, e.g. `body name: must be 1..80 characters`. */
export function describeValidation(error: ValidationError): string {
  // Elysia's coercing types (query numbers, here) fail as a bare "property", without a path:
  // such schemas carry their field's name as `title`.
  const where = error.type === "params" ? "path" : error.type === "property" ? "query" : error.type;
  const root = (error as unknown as { value?: unknown }).value;
  // Elysia reports a non-object body as its first missing field: name the real problem.
  if (where === "body" && (typeof root !== "object" || root === null || Array.isArray(root))) {
    return "body: must be a JSON object";
  }
  const issue = (error as unknown as { valueError?: Issue }).valueError;
  if (!issue) return `${where}: is not valid`;
  const field = issue.path.replace(/^\//, "").replaceAll("/", ".") || (issue.schema?.title ?? "");
  const subject = field === "" ? where : `${where} ${field}`;
  return `${subject}: ${explain(issue.schema ?? {}, issue.value, issue.message)}`.slice(0, 300);
}
