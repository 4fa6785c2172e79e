import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  HEADERS,
  SESSION_COOKIE,
  type Space,
  SSE_CACHE_CONTROL,
  SSE_CONTENT_TYPE,
  SYNC_EVENT_TYPE,
  type SyncEvent,
} from "@rhizome/protocol";
import { type RunningServer, startServer } from "../../server.ts";
import { describeEachDriver } from "../../testing/databases.ts";
import { asErrorBody, readUntil, TEST_PASSWORD, testConfig } from "../../testing/test-app.ts";

/** The stream's HTTP surface on a real server (docs/PROTOCOL.md §4): errors before the stream, then SSE. */
describeEachDriver("GET /api/stream over HTTP", (handle) => {
  let server: RunningServer;
  let token: string;
  let spaceId: string;

  beforeAll(async () => {
    server = await startServer(testConfig({ sync: { maxStreamsPerBeing: 2 } }), {
      database: handle.database,
      hostname: "127.0.0.1",
    });
    const signup = await fetch(`${server.url}/api/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ handle: "stream_watcher", password: TEST_PASSWORD }),
    });
    ({ token } = (await signup.json()) as { token: string });
    const created = await fetch(`${server.url}/api/spaces`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: "Watched" }),
    });
    spaceId = ((await created.json()) as { space: Space }).space.id;
  });
  afterAll(() => server.stop());

  const stream = (query: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/api/stream?${query}`, { headers });

  test("answers SSE with its headers and, at once, a reset frame", async () => {
    const response = await stream(`spaceId=${spaceId}`, { authorization: `Bearer ${token}` });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith(SSE_CONTENT_TYPE);
    expect(response.headers.get("cache-control")).toBe(SSE_CACHE_CONTROL);
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    const { text, reader } = await readUntil(response.body as ReadableStream<Uint8Array>, (read) =>
      read.includes("\n\n"),
    );
    await reader.cancel();
    expect(text).toMatch(/^retry: \d+\n/);
    expect(text).toContain(`event: ${SYNC_EVENT_TYPE}\n`);
    const data = /^data: (.*)$/m.exec(text)?.[1] as string;
    const event = JSON.parse(data) as SyncEvent;
    expect(event).toMatchObject({ type: SYNC_EVENT_TYPE, spaceId, reset: true, created: [] });
    expect(text).toContain(`id: ${event.timestamp}\n`);
  });

  test("the session cookie opens it too, as a native EventSource would", async () => {
    const response = await stream(`spaceId=${spaceId}`, {
      cookie: `${SESSION_COOKIE}=${token}`,
      accept: SSE_CONTENT_TYPE,
    });
    expect(response.status).toBe(200);
    await response.body?.cancel();
  });

  test("refusals are JSON errors, before any stream", async () => {
    const cases: [string, Record<string, string>, number][] = [
      [`spaceId=${spaceId}`, {}, 401],
      ["spaceId=nope", { authorization: `Bearer ${token}` }, 400],
      [`spaceId=${spaceId}&since=soon`, { authorization: `Bearer ${token}` }, 400],
      [`spaceId=${crypto.randomUUID()}`, { authorization: `Bearer ${token}` }, 404],
    ];
    for (const [query, headers, status] of cases) {
      const response = await stream(query, headers);
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toStartWith("application/json");
      expect(asErrorBody(await response.text()).error.code).toBeString();
    }
  });

  test("a being's streams are capped: one too many is a 429 with Retry-After", async () => {
    const auth = { authorization: `Bearer ${token}` };
    const held = [
      await stream(`spaceId=${spaceId}`, auth),
      await stream(`spaceId=${spaceId}`, auth),
    ];
    expect(held.map((response) => response.status)).toEqual([200, 200]);
    const refused = await stream(`spaceId=${spaceId}`, auth);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get(HEADERS.retryAfter))).toBeGreaterThan(0);
    expect(asErrorBody(await refused.text()).error.code).toBe("rate_limited");
    await Promise.all(held.map((response) => response.body?.cancel()));
  });
});
