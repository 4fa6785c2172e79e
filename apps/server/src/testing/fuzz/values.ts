import { LIMITS } from "@rhizome/protocol";
import fc from "fast-check";
import { HANDLE_ANY_CASE } from "../../features/shared/model.ts";

/** Test-only: hostile values for the API fuzz suite. Each `bad*` value fails its field's rules. */

export const INJECTION = [
  "' OR 1=1 --",
  "'; DROP TABLE beings; --",
  '" OR ""="',
  "1; SELECT pg_sleep(5)",
  "' UNION SELECT token_hash FROM sessions --",
  "$1",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, on purpose
  "${7*7}",
  "{{7*7}}",
  "__proto__",
  "constructor",
  "%27%20OR%201%3D1",
  "../../../../etc/passwd",
  "\\x00",
  "%00",
  "null",
  "undefined",
  "NaN",
  "-1",
  "1e309",
];

export const MARKUP = [
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  '"><svg/onload=alert(1)>',
  "javascript:alert(1)",
  "&lt;b&gt;&amp;",
  "<!--",
  "]]>",
  "\u202egnp.exe",
];

/** Anything hostile or odd, as text. */
export const junk: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...INJECTION, ...MARKUP, "", " ", "\u0000", "😀", "\ud800"),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.constant("a".repeat(5000)),
);

/** JSON values of the wrong type for a string field. */
export const notAString: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
);

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const matches = (pattern: string) => (value: string) => new RegExp(pattern).test(value);

/** Text that no bounded, not-blank text field accepts. */
export function badText(max: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    notAString,
    fc.constantFrom(
      "",
      " ",
      "\t\n",
      "\u00a0\u2003",
      "\u200b",
      "\u2800",
      "\u115f\u3164",
      "\ufeff \u200d",
    ),
    fc.string({ minLength: max + 1, maxLength: max + 40 }),
    fc.string({ maxLength: 10 }).map((text) => `${text}\u0000${text}`),
    fc.string({ maxLength: 10 }).map((text) => `x${text}\udc00`),
  );
}

/** Letter cases to spell a valid id in: any spelling is the same id (DESIGN §6). */
export const idCase: fc.Arbitrary<boolean[]> = fc.oneof(
  fc.constant<boolean[]>([]),
  fc.constant(Array.from({ length: 36 }, () => true)),
  fc.array(fc.boolean(), { minLength: 36, maxLength: 36 }),
);

/** `value` with its letters upper-cased where `mask` says, if it is a uuid; else as it is. */
export function respell(value: unknown, mask: boolean[]): unknown {
  if (typeof value !== "string" || !UUID_RE.test(value)) return value;
  return [...value].map((char, index) => (mask[index] ? char.toUpperCase() : char)).join("");
}

export const badUuid: fc.Arbitrary<unknown> = fc.oneof(
  notAString,
  junk.filter((value) => !UUID_RE.test(value)),
  fc.uuid().map((id) => `urn:uuid:${id}`),
  fc.uuid().map((id) => `{${id}}`),
  fc.uuid().map((id) => id.replaceAll("-", "")),
);

export const badHandle: fc.Arbitrary<unknown> = fc.oneof(
  notAString,
  // Capitals are lower-cased on input (Alice_UX is alice_ux): only the any-case pattern refuses.
  junk.filter((value) => !matches(HANDLE_ANY_CASE)(value)),
  fc.constantFrom("ab", "UPPER-case", "a".repeat(33), "with space", "dash-ed"),
);

export const badPassword: fc.Arbitrary<unknown> = fc.oneof(
  notAString,
  fc.string({ maxLength: LIMITS.passwordMin - 1 }),
  fc.string({ minLength: LIMITS.passwordMax + 1, maxLength: LIMITS.passwordMax + 50 }),
);

export const badColor: fc.Arbitrary<unknown> = fc.oneof(
  notAString,
  junk.filter((value) => !matches(LIMITS.colorPattern)(value)),
  fc.constantFrom("red", "#fff", "#12345", "#1234567", "#gggggg", "rgb(0,0,0)"),
);

export const badVisibility: fc.Arbitrary<unknown> = fc.oneof(
  notAString,
  junk.filter((value) => value !== "public" && value !== "private"),
  fc.constantFrom("PUBLIC", "Private", " public"),
);

/** Bodies that are not JSON at all (or not text): every route must refuse them with a 400. */
export const notJson: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.constantFrom(
    "{",
    '{"name":',
    "[1,2",
    "{'name':'x'}",
    "name=x&visibility=public",
    "--boundary\r\nContent-Disposition: form-data\r\n\r\nx",
    '{"a":1}}',
    "\u0000",
    "NaN",
    "undefined",
  ),
  fc.string({ minLength: 1, maxLength: 40 }).filter((text) => !parsesAsJson(text)),
  fc.constant(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])),
  // Valid JSON holding text Postgres cannot store.
  fc.constantFrom('"\\u0000"', '{"x":"\\ud800"}'),
);

/** Blank counts as JSON: an empty body reads as null. */
function parsesAsJson(text: string): boolean {
  if (text.trim() === "") return true;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A body over the 64 KiB limit, sent with or without a Content-Length. */
export const oversized = fc
  .record({ chunked: fc.boolean(), size: fc.integer({ min: 65 * 1024, max: 300 * 1024 }) })
  .map(({ chunked, size }) => ({
    chunked,
    bytes: new TextEncoder().encode(JSON.stringify({ content: "x".repeat(size) })),
  }));

/** Deeply nested JSON: must be refused, not crash the parser or the validator. */
export const deeplyNested = fc
  .integer({ min: 1000, max: 20_000 })
  .map((depth) => `${"[".repeat(depth)}${"]".repeat(depth)}`);

/** Header values are bytes: keep printable Latin-1 so that the header itself can be sent. */
export const headerSafe = (value: string) => value.replace(/[^\x20-\x7e\xa0-\xff]/g, "?");

/** Percent-encodes even broken Unicode (encodeURIComponent throws on a lone surrogate). */
export const encodePathSegment = (value: string) => encodeURIComponent(value.toWellFormed());

export const contentTypes = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=boundary",
  "application/octet-stream",
  "application/xml",
  "",
);
