import { defineConfig, devices } from "@playwright/test";
import { DEFAULT_CHROMIUM, findChromium } from "./support/chromium.ts";

const resultsDir = process.env.TEST_RESULTS_DIR ?? "../test-results";
// Without one, globalSetup (support/preflight.ts) stops the run before any server starts.
const chromium = findChromium();

export default defineConfig({
  testDir: "./tests",
  // Browser tests are `*.e2e.ts`, so that `bun test` never picks them up.
  testMatch: "**/*.e2e.ts",
  outputDir: `${resultsDir}/e2e-artifacts`,
  globalSetup: "./support/preflight.ts",
  forbidOnly: !!process.env.CI,
  // Two cores shared with other work: one browser at a time keeps timings honest.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  // A second run in one CI (the messenger scenarios repeated) names its own report.
  reporter: [
    ["list"],
    ["junit", { outputFile: `${resultsDir}/${process.env.E2E_REPORT ?? "e2e.xml"}` }],
  ],
  use: {
    ...devices["Desktop Chrome"],
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: chromium.ok ? chromium.path : DEFAULT_CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium" }],
});
