/**
 * Totals every runner: JUnit reports (bun test, Playwright) count their test cases; a step
 * without a report (lint, typecheck, chaos) counts as one. A test step that failed without
 * any failing case in its reports (a crash) counts as one failure. Prints `N passed, N failed`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2] ?? "test-results";
const lines = (file: string) =>
  existsSync(join(dir, file))
    ? readFileSync(join(dir, file), "utf8").split("\n").filter(Boolean)
    : [];

let passed = 0;
let failed = 0;
for (const file of readdirSync(dir).filter((name) => name.endsWith(".xml"))) {
  const xml = readFileSync(join(dir, file), "utf8");
  const root = xml.match(/<testsuites\b[^>]*>/)?.[0] ?? "";
  const attr = (name: string) => Number(root.match(new RegExp(`\\b${name}="(\\d+)"`))?.[1] ?? 0);
  const tests = attr("tests");
  const bad = attr("failures") + attr("errors");
  const skipped = attr("skipped");
  passed += tests - bad - skipped;
  failed += bad;
  console.log(`${file}: ${tests - bad - skipped} passed, ${bad} failed, ${skipped} skipped`);
}
const stepsPassed = lines("steps.passed");
const stepsFailed = lines("steps.failed");
for (const step of ["lint", "typecheck", "chaos"]) {
  if (stepsPassed.includes(step)) passed++;
  if (stepsFailed.includes(step)) failed++;
}
// A test step that failed with no failing case in its reports crashed: one failure.
for (const step of ["test", "messenger-repeat"])
  if (stepsFailed.includes(step) && failed === 0) failed++;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
