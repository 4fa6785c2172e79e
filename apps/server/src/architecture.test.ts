import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, posix } from "node:path";

/**
 * The layering that AGENTS.md writes down, checked on the sources of the repository.
 * Tests (`*.test.ts`) and test support (`testing/`, `test-support/`) are exempt: they may
 * reach across layers to set a scene.
 */

type Source = { path: string; text: string };
type Rule = {
  name: string;
  applies: (path: string) => boolean;
  check: (source: Source) => string[];
};

const COMMENTS_AND_STRINGS =
  /\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g;

/** The code with its comments removed and, unless `keepStrings`, its strings emptied. */
function codeOf(text: string, keepStrings = false): string {
  return text.replace(COMMENTS_AND_STRINGS, (token) => {
    if (token.startsWith("/")) return " ";
    return keepStrings ? token : `${token[0]}${token[0]}`;
  });
}

/** The script of a Svelte component, or the source itself. */
function scriptOf({ path, text }: Source): string {
  if (!path.endsWith(".svelte")) return text;
  return [...text.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join("\n");
}

const IMPORT =
  /(?:^|[^\w.$])(?:import|export)\s*(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s*)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;

/** Every module a source names, type-only imports included. */
export function importsOf(source: Source): string[] {
  const code = codeOf(scriptOf(source), true);
  return [...code.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? "");
}

const transpiler = new Bun.Transpiler({ loader: "ts" });

/** The modules a source needs at run time: type-only imports are left out. */
export function valueImportsOf(source: Source): string[] {
  return transpiler.scanImports(scriptOf(source)).map((found) => found.path);
}

const isTest = (path: string) => /\.test\.ts$|\/testing\/|\/test-support\//.test(path);
const server = (path: string) => path.startsWith("apps/server/src/") && !isTest(path);
const isPackage = (name: string) => (found: string) =>
  found === name || found.startsWith(`${name}/`);

/** Calls that reach outside the process; `timers.ts` takes time as a parameter instead. */
const IO_CALLS =
  /(?<![\w.$])(?:fetch\s*\(|new\s+(?:EventSource|WebSocket|XMLHttpRequest)\b|(?:Bun|process|Deno|localStorage|sessionStorage|indexedDB|navigator)\s*\.)/g;

/** Where a relative import lands, from the repository's root. */
const resolved = (from: string, found: string) =>
  found.startsWith(".") ? posix.join(posix.dirname(from), found) : found;

export const RULES: Rule[] = [
  {
    name: "SQL lives in data/ and db/",
    applies: (path) => server(path) && !/^apps\/server\/src\/(data|db)\//.test(path),
    check: (source) => [
      ...importsOf(source)
        .filter((found) =>
          ["drizzle-orm", "postgres", "@electric-sql/pglite"].some((name) =>
            isPackage(name)(found),
          ),
        )
        .map((found) => `imports ${found}`),
      ...(/\bsql\s*`/.test(codeOf(source.text)) ? ["writes a sql`` template"] : []),
    ],
  },
  {
    name: "services, sync/, access/, data/ and limits/ do not import Elysia",
    applies: (path) =>
      server(path) &&
      (/^apps\/server\/src\/(sync|access|data|limits)\//.test(path) ||
        path.endsWith("/service.ts")),
    check: (source) =>
      importsOf(source)
        .filter((found) => isPackage("elysia")(found) || found.startsWith("@elysiajs/"))
        .map((found) => `imports ${found}`),
  },
  {
    name: "packages/protocol imports nothing of ours and does no I/O",
    applies: (path) => path.startsWith("packages/protocol/src/") && !isTest(path),
    check: (source) => [
      ...importsOf(source)
        .filter((found) => !found.startsWith("./") && !found.startsWith("../"))
        .filter((found) => !isPackage("@sinclair/typebox")(found))
        .map((found) => `imports ${found}`),
      ...importsOf(source)
        .filter((found) => !resolved(source.path, found).startsWith("packages/protocol/"))
        .filter((found) => found.startsWith("."))
        .map((found) => `imports ${found}, outside the package`),
      ...[...new Set(codeOf(source.text).match(IO_CALLS))].map((call) => `calls ${call}`),
    ],
  },
  {
    name: "the web app imports the server only as a type",
    applies: (path) => path.startsWith("apps/web/src/"),
    check: (source) =>
      valueImportsOf(source)
        .filter(
          (found) =>
            isPackage("@rhizome/server")(found) ||
            resolved(source.path, found).startsWith("apps/server/"),
        )
        .map((found) => `imports ${found} at run time`),
  },
];

/** Every broken rule, as `path: rule: what`. */
export function violations(sources: Source[], rules: Rule[] = RULES): string[] {
  return sources.flatMap((source) =>
    rules
      .filter((rule) => rule.applies(source.path))
      .flatMap((rule) => rule.check(source).map((what) => `${source.path}: ${rule.name}: ${what}`)),
  );
}

describe("the checker", () => {
  // Planted violations: each rule must catch its own, or the scan below could pass by checking nothing.
  const planted: Source[] = [
    {
      path: "apps/server/src/features/health/index.ts",
      text: 'import { sql } from "drizzle-orm";',
    },
    { path: "apps/server/src/http/ping.ts", text: "const ok = await db.execute(sql`SELECT 1`);" },
    { path: "apps/server/src/features/spaces/service.ts", text: 'import { t } from "elysia";' },
    { path: "apps/server/src/sync/fanout.ts", text: 'import type { Context } from "elysia";' },
    { path: "apps/server/src/limits/rate.ts", text: 'import { cors } from "@elysiajs/cors";' },
    { path: "packages/protocol/src/a.ts", text: 'import type { App } from "@rhizome/server";' },
    { path: "packages/protocol/src/b.ts", text: 'import { readFileSync } from "node:fs";' },
    { path: "packages/protocol/src/c.ts", text: "export const load = () => fetch(url);" },
    { path: "packages/protocol/src/d.ts", text: 'import {\n  x,\n} from "../../client/src/x.ts";' },
    {
      path: "apps/web/src/lib/a.ts",
      text: 'import { App } from "@rhizome/server";\nexport type X = App;',
    },
    {
      path: "apps/web/src/lib/B.svelte",
      text: '<script lang="ts">\n  import { createApp } from "../../../server/src/app.ts";\n  createApp();\n</script>',
    },
  ];

  test("finds each planted violation", () => {
    expect(violations(planted).map((found) => found.split(":")[0])).toEqual(
      planted.map((source) => source.path),
    );
  });

  test("lets through what the rules allow", () => {
    const allowed: Source[] = [
      {
        path: "apps/server/src/data/spaces.ts",
        text: 'import { sql } from "drizzle-orm";\nsql`SELECT 1`;',
      },
      {
        path: "apps/server/src/features/spaces/index.ts",
        text: 'import { Elysia } from "elysia";',
      },
      { path: "apps/server/src/sync/fanout.test.ts", text: 'import { Elysia } from "elysia";' },
      {
        path: "apps/server/src/http/a.ts",
        text: '// sql`in a comment`\nconst s = "sql`in a string`";',
      },
      {
        path: "packages/protocol/src/a.ts",
        text: 'import { Type } from "@sinclair/typebox";\nimport { x } from "./x.ts";',
      },
      {
        path: "packages/protocol/src/b.ts",
        text: '// fetch() is the client\'s job\nconst text = "fetch";',
      },
      { path: "apps/web/src/lib/a.ts", text: 'import type { App } from "@rhizome/server";' },
      { path: "apps/web/src/lib/b.ts", text: 'import { type App } from "@rhizome/server";' },
    ];
    expect(violations(allowed)).toEqual([]);
  });
});

const ROOT = join(import.meta.dir, "../../..");

test("the repository keeps its layers", () => {
  const sources: Source[] = [];
  for (const dir of ["apps/server/src", "apps/web/src", "packages/protocol/src"]) {
    for (const file of new Bun.Glob("**/*.{ts,svelte}").scanSync({ cwd: join(ROOT, dir) })) {
      const path = `${dir}/${file}`;
      sources.push({ path, text: readFileSync(join(ROOT, path), "utf8") });
    }
  }
  // A glob that matched nothing would pass too.
  expect(sources.length).toBeGreaterThan(100);
  expect(violations(sources)).toEqual([]);
});
