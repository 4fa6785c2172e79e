import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  ERROR_CODES,
  HEADERS,
  SESSION_COOKIE,
  SSE_CACHE_CONTROL,
  SSE_CONTENT_TYPE,
  SYNC_EVENT_TYPE,
} from "./constants.ts";

/** Protocol names distinctive enough to find as string literals (headers in any case). */
const NAMES: [string, "i" | ""][] = [
  [SYNC_EVENT_TYPE, ""],
  [SESSION_COOKIE, ""],
  [HEADERS.lastEventId, "i"],
  [HEADERS.heartbeatMs, "i"],
  [SSE_CONTENT_TYPE, ""],
  [SSE_CACHE_CONTROL, ""],
  [ERROR_CODES.notFound, ""],
  [ERROR_CODES.tooLarge, ""],
  [ERROR_CODES.rateLimited, ""],
];

const ROOT = join(import.meta.dir, "../../..");
/** Production sources of every package; tests may spell the contract out on purpose. */
const SOURCES = ["apps", "packages"];
const SKIP =
  /(\.test\.ts$|\/testing\/|\/test-support\/|\/constants\.ts$|\/node_modules\/|\/\.svelte-kit\/|\/build\/)/;

test("protocol names appear as literals only in the constants module", () => {
  const glob = new Bun.Glob("*/src/**/*.{ts,svelte}");
  const offenders: string[] = [];
  for (const source of SOURCES) {
    for (const file of glob.scanSync({ cwd: join(ROOT, source) })) {
      const path = `${source}/${file}`;
      if (SKIP.test(`/${path}`)) continue;
      // Comments may name the protocol; code must use the constants.
      const text = readFileSync(join(ROOT, path), "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/(^|[^:])\/\/.*$/gm, "$1");
      for (const [name, flags] of NAMES) {
        const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        const literal = new RegExp(`["'\`]${escaped}["'\`]`, flags);
        if (literal.test(text)) offenders.push(`${path}: "${name}"`);
      }
    }
  }
  expect(offenders).toEqual([]);
});
