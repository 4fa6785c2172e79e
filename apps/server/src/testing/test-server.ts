import { signupBeing } from "@rhizome/testkit";
import { loadConfig } from "../config.ts";
import type { Database } from "../db/client.ts";
import { type RunningServer, startServer } from "../server.ts";
import { type ConfigOverrides, testConfig } from "./test-app.ts";

/** Over HTTP, sync tests see the production batch window unless they set their own. */
const PRODUCTION_BATCH_MS = loadConfig({}).sync.batchMs;

/** A real HTTP server on a free port over an open test database, abuse limits lifted. */
export function startTestServer(
  database: Database,
  overrides: ConfigOverrides = {},
  options: { idleTimeoutSeconds?: number } = {},
): Promise<RunningServer> {
  const config = testConfig({
    ...overrides,
    sync: { batchMs: PRODUCTION_BATCH_MS, ...overrides.sync },
  });
  return startServer(config, { database, hostname: "127.0.0.1", ...options });
}

/** A being with a space of its own: the usual start of a sync test. */
export async function beingWithSpace(baseUrl: string, visibility: "public" | "private" = "public") {
  const owner = await signupBeing(baseUrl);
  const { data, error } = await owner.api.api.spaces.post({ name: "test space", visibility });
  if (error) throw new Error(`create space failed: ${JSON.stringify(error.value)}`);
  return { ...owner, space: data.space };
}

/** Posts and fails loudly: test writes must land. */
export async function post(
  api: Awaited<ReturnType<typeof signupBeing>>["api"],
  spaceId: string,
  content: string,
  id?: string,
) {
  const { data, error } = await api.api
    .spaces({ id: spaceId })
    .intentions.post({ content, ...(id ? { id } : {}) });
  if (error) throw new Error(`post failed: ${error.status} ${JSON.stringify(error.value)}`);
  return data.intention;
}
