import { afterAll, describe, expect, test } from "bun:test";
import { API_PREFIX, BEARER_PREFIX, HEADERS, ROUTES, SSE_CONTENT_TYPE } from "@rhizome/protocol";
// A test may reach into the server by path (not a dependency of the examples themselves).
import { openDatabase } from "../apps/server/src/db/client.ts";
import { startServer } from "../apps/server/src/server.ts";
import { testConfig } from "../apps/server/src/testing/test-app.ts";
import { runPingBot } from "./ping-bot.ts";

type Intention = { id: string; authorId: string; content: string };

const database = await openDatabase({ databaseUrl: undefined, dataDir: "memory://" });
const server = await startServer(testConfig(), { database, hostname: "127.0.0.1" });
afterAll(async () => {
  await server.stop();
  await database.close();
});

async function call(path: string, token: string | undefined, body?: unknown, method = "POST") {
  const headers: Record<string, string> = { [HEADERS.contentType]: "application/json" };
  if (token) headers[HEADERS.authorization] = `${BEARER_PREFIX}${token}`;
  const init =
    body === undefined ? { method, headers } : { method, headers, body: JSON.stringify(body) };
  return fetch(`${server.url}${API_PREFIX}${path}`, init);
}
async function json<T>(path: string, token: string | undefined, body?: unknown, method = "POST") {
  const response = await call(path, token, body, method);
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}
let handles = 0;
const signUp = (name: string) =>
  json<{ being: { id: string }; token: string }>("/auth/signup", undefined, {
    handle: `${name}_${process.pid}_${handles++}`,
    password: "correct horse battery",
  });
const intentions = async (spaceId: string, token: string) =>
  (
    await json<{ intentions: Intention[] }>(
      `/spaces/${spaceId}/intentions?limit=100`,
      token,
      undefined,
      "GET",
    )
  ).intentions;
const say = (spaceId: string, token: string, content: string) =>
  json(`/spaces/${spaceId}/intentions`, token, { content });
async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await Bun.sleep(20);
}

const bot = await signUp("pingbot");
const alice = await signUp("alice");
const spaces: string[] = [];
for (const name of ["one", "two", "three"]) {
  const { space } = await json<{ space: { id: string } }>("/spaces", alice.token, { name });
  await json(`/spaces/${space.id}/join`, bot.token);
  spaces.push(space.id);
}

/** The multi-space stream (DESIGN §6.1) lands with the server's side of issue 12. */
async function multiStreamAvailable(): Promise<boolean> {
  const response = await fetch(`${server.url}${ROUTES.stream}`, {
    method: "POST",
    headers: {
      [HEADERS.authorization]: `${BEARER_PREFIX}${bot.token}`,
      [HEADERS.contentType]: "application/json",
      accept: SSE_CONTENT_TYPE,
    },
    body: JSON.stringify({ spaces: spaces.map((spaceId) => ({ spaceId, page: 1 })) }),
  });
  await response.body?.cancel();
  // Every space listed is readable, so a 404 can only mean the route is not there yet.
  return response.status !== 404;
}
const available = await multiStreamAvailable();
if (!available)
  console.warn("SKIP ping-bot test: this server answers 404 to POST /api/stream (not built yet)");

describe("ping-bot against a real server", () => {
  test.skipIf(!available)(
    "answers a new !ping from another being in each space, once; not history, not itself",
    async () => {
      const [one, two, three] = spaces as [string, string, string];
      await say(one, alice.token, "!ping"); // history: in the first frame, never answered
      const stop = new AbortController();
      let ready!: () => void;
      const isReady = new Promise<void>((resolve) => {
        ready = resolve;
      });
      const running = runPingBot({
        url: server.url,
        token: bot.token,
        signal: stop.signal,
        onReady: ready,
      });
      await isReady;
      await say(one, bot.token, "!ping"); // its own: never answered
      await say(two, alice.token, "hello");
      await say(two, alice.token, "!ping");
      await say(three, alice.token, "!ping");
      await say(one, alice.token, "!ping");
      const pongs = async (spaceId: string) =>
        (await intentions(spaceId, alice.token)).filter(
          (i) => i.content === "pong" && i.authorId === bot.being.id,
        ).length;
      await until(
        async () => (await pongs(one)) >= 1 && (await pongs(two)) >= 1 && (await pongs(three)) >= 1,
      );
      stop.abort();
      await running; // every answer in flight has landed
      expect([await pongs(one), await pongs(two), await pongs(three)]).toEqual([1, 1, 1]);
    },
    60_000,
  );
});
