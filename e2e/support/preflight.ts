/**
 * Runs before `playwright test` (the package's `test` script) and as Playwright's
 * globalSetup: without a Chromium the suite stops here, before any server starts, with one
 * line saying what to do, and fails.
 */
import { findChromium } from "./chromium.ts";

export default function preflight(): void {
  const chromium = findChromium();
  if (!chromium.ok) throw new Error(chromium.message);
}

if (import.meta.main) {
  const chromium = findChromium();
  if (!chromium.ok) {
    console.error(chromium.message);
    process.exit(1);
  }
}
