import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  BEARER_PREFIX,
  ERROR_CODES,
  HEADERS,
  INTERNAL_ERROR_CODE,
  QUERY_PARAMS,
  ROUTES,
  SESSION_COOKIE,
  SSE_CACHE_CONTROL,
  SSE_CONTENT_TYPE,
  SYNC_EVENT_TYPE,
} from "./constants.ts";

type Name = { value: string; caseInsensitive: boolean };

/** Every protocol name, built from the constants so that a new one is checked too. */
const NAMES: Name[] = [
  ...Object.values(HEADERS).map((value) => ({ value, caseInsensitive: true })),
  ...[
    ...Object.values(ROUTES),
    ...Object.values(QUERY_PARAMS),
    ...Object.values(ERROR_CODES),
    INTERNAL_ERROR_CODE,
    BEARER_PREFIX,
    SYNC_EVENT_TYPE,
    SESSION_COOKIE,
    SSE_CONTENT_TYPE,
    SSE_CACHE_CONTROL,
  ].map((value) => ({ value, caseInsensitive: false })),
];

/**
 * Comments, quoted strings and template strings, in source order, so that a quote inside a
 * comment or a `//` inside a string does not confuse the next match.
 */
const TOKENS =
  /\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g;

/** The literal texts of a source: each quoted string, and each text part of a template. */
export function literals(source: string): string[] {
  const found: string[] = [];
  for (const [token] of source.matchAll(TOKENS)) {
    if (token.startsWith("/")) continue;
    const body = token.slice(1, -1);
    if (token.startsWith("`")) found.push(...body.split(/\$\{[^}]*\}/));
    else found.push(body);
  }
  return found;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * A plain word (`since`, `invalid`) offends only as a whole literal, since it is also
 * ordinary English; a name with punctuation (`/api/stream`, `Bearer `, `Retry-After`)
 * offends anywhere inside a literal, as in `` `Bearer ${token}` ``.
 */
function matcher({ value, caseInsensitive }: Name): RegExp {
  const flags = caseInsensitive ? "i" : "";
  if (/^\w+$/.test(value)) return new RegExp(`^${escapeRegExp(value)}$`, flags);
  return new RegExp(`(^|[^\\w-])${escapeRegExp(value)}($|[^\\w-])`, flags);
}

/** The protocol names a source spells as literals. */
export function offences(source: string, names: Name[] = NAMES): string[] {
  const matchers = names.map((name) => [name.value, matcher(name)] as const);
  const found = new Set<string>();
  for (const literal of literals(source)) {
    for (const [value, pattern] of matchers) if (pattern.test(literal)) found.add(value);
  }
  return [...found];
}

/**
 * The one way to spell a protocol word on purpose: a file, the word, and why it is not the
 * protocol's. Each is a different concept that happens to share an English word.
 */
const ALLOWED: Record<string, string[]> = {
  // `StopReason`: the connection machine's own name for a stop on 401.
  "packages/protocol/src/connection.ts": ["unauthorized"],
  "apps/web/src/lib/messenger/messenger.svelte.ts": ["unauthorized"],
  // The reducer's rejection reason, and the `Change` variant of a frame that failed its check.
  "packages/protocol/src/reducer.ts": ["invalid"],
  "apps/server/src/access/changes.ts": ["invalid"],
  // SQL: a row's column aliases and a prepared statement's parameter names, not wire fields.
  "apps/server/src/data/post-intention.ts": ["spaceId"],
  "apps/server/src/data/change-intention.ts": ["spaceId"],
  "apps/server/src/data/write-sql.ts": ["limit"],
  "apps/server/src/data/changes.ts": ["spaceId", "since", "limit"],
  "apps/server/src/data/read-marker.ts": ["spaceId"],
  "apps/server/src/data/intentions.ts": ["spaceId", "before", "limit"],
};

const ROOT = join(import.meta.dir, "../../..");
const SOURCES = ["apps", "packages"];
/**
 * Production sources only. Tests (`*.test.ts`) and test support (`testing/`, `test-support/`,
 * the HTTP fuzzer's `fuzz/`) spell the contract out on purpose, as does the constants module.
 */
const SKIP =
  /(\.test\.ts$|\/testing\/|\/test-support\/|\/http\/fuzz\/|\/protocol\/src\/constants\.ts$|\/node_modules\/|\/\.svelte-kit\/|\/build\/)/;

describe("the checker", () => {
  // Planted violations: each must be found, or the scan below could pass by checking nothing.
  test("finds a quoted header in any case, and a name inside a template", () => {
    const source = [
      `headers.get("authorization");`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template
      "const auth = `Bearer ${token}`;",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template
      "fetch(`/api/stream?${params}`);",
      `const body = { code: 'internal' };`,
    ].join("\n");
    expect(offences(source).sort()).toEqual(
      [HEADERS.authorization, BEARER_PREFIX, ROUTES.stream, INTERNAL_ERROR_CODE].sort(),
    );
  });

  test("ignores comments and words inside sentences", () => {
    const source = [
      `// send "Authorization" and "Retry-After"`,
      `/* "Bearer " */`,
      `const message = "the since parameter is invalid";`,
      `const url = "https://example.com"; // a "since" in a comment`,
    ].join("\n");
    expect(offences(source)).toEqual([]);
  });
});

test("protocol names appear as literals only in the constants module", () => {
  const glob = new Bun.Glob("*/src/**/*.{ts,svelte}");
  const offenders: string[] = [];
  let scanned = 0;
  // The examples are what other client authors copy: they spell the protocol our way too.
  const examples = [...new Bun.Glob("examples/*.ts").scanSync({ cwd: ROOT })];
  expect(examples.length).toBeGreaterThan(0);
  const files = SOURCES.flatMap((source) =>
    [...glob.scanSync({ cwd: join(ROOT, source) })].map((file) => `${source}/${file}`),
  );
  for (const path of [...files, ...examples]) {
    if (SKIP.test(`/${path}`)) continue;
    scanned++;
    for (const name of offences(readFileSync(join(ROOT, path), "utf8"))) {
      if (!ALLOWED[path]?.includes(name)) offenders.push(`${path}: "${name}"`);
    }
  }
  expect(offenders).toEqual([]);
  // A glob that matched nothing would pass too.
  expect(scanned).toBeGreaterThan(100);
});
