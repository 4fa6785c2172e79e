import { signupBeing } from "@rhizome/testkit";
import { type Config, loadConfig } from "../config.ts";
import type { Database } from "../db/client.ts";
import { type RunningServer, startServer } from "../server.ts";

export type ConfigOverrides = { sync?: Partial<Config["sync"]>; rate?: Partial<Config["rate"]> };

/** Generous limits: sync tests must never trip the abuse limits by accident. */
export function testConfig(overrides: ConfigOverrides = {}): Config {
  const base = loadConfig({ PORT: "0" });
  return {
    ...base,
    sync: { ...base.sync, ...overrides.sync },
    rate: {
      signupPerMinute: 1_000_000,
      signinPerMinute: 1_000_000,
      writesPerMinute: 1_000_000,
      ...overrides.rate,
    },
  };
}

/** A real HTTP server on a free port over an open test database. */
export function startTestServer(
  database: Database,
  overrides: ConfigOverrides = {},
  options: { idleTimeoutSeconds?: number } = {},
): Promise<RunningServer> {
  return startServer(testConfig(overrides), { database, hostname: "127.0.0.1", ...options });
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
