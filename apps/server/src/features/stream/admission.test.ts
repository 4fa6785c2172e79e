import { afterAll, beforeAll, expect, test } from "bun:test";
import { ERROR_CODES, type Space } from "@rhizome/protocol";
import { type RunningServer, startServer } from "../../server.ts";
import { describeEachDriver } from "../../testing/databases.ts";
import { waitFor } from "../../testing/reader.ts";
import {
  asErrorBody,
  readUntil,
  TEST_PASSWORD,
  TestApp,
  testConfig,
} from "../../testing/test-app.ts";

const CAP = 3;

/** Admission (docs/PROTOCOL.md §4, "When the server ends a stream"): a full instance refuses streams at once and keeps answering the rest. */
describeEachDriver("stream admission", (handle) => {
  let server: RunningServer;
  let beings: { token: string; handle: string }[];
  let spaceId: string;

  const json = (token?: string) => ({
    "content-type": "application/json",
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  });
  const call = (method: string, path: string, token?: string, body?: unknown) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: json(token),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    server = await startServer(
      testConfig({ sync: { maxStreams: CAP, maxStreamsPerAddress: 1000 } }),
      { database: handle.database, hostname: "127.0.0.1" },
    );
    beings = [];
    for (const name of ["admit_a", "admit_b"]) {
      const answer = await call("POST", "/api/auth/signup", undefined, {
        handle: name,
        password: TEST_PASSWORD,
      });
      beings.push({ token: ((await answer.json()) as { token: string }).token, handle: name });
    }
    const created = await call("POST", "/api/spaces", beings[0]?.token, { name: "Admitted" });
    spaceId = ((await created.json()) as { space: Space }).space.id;
  });
  afterAll(() => server.stop());

  async function holdStream(token: string) {
    const response = await fetch(`${server.url}/api/stream?spaceId=${spaceId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const { reader } = await readUntil(response.body as ReadableStream<Uint8Array>, (read) =>
      read.includes("\n\n"),
    );
    return reader;
  }

  test("at capacity the next stream is a 503 with Retry-After, while the API keeps answering", async () => {
    const owner = beings[0] as { token: string };
    const other = beings[1] as { token: string; handle: string };
    // Streams of two beings: the cap is the instance's, not a being's.
    const held = [
      await holdStream(owner.token),
      await holdStream(other.token),
      await holdStream(owner.token),
    ];
    expect(server.fanout.metrics.openStreams).toBe(CAP);

    const refused = await fetch(`${server.url}/api/stream?spaceId=${spaceId}`, {
      headers: { authorization: `Bearer ${other.token}` },
    });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(asErrorBody(await refused.text()).error.code).toBe(ERROR_CODES.unavailable);

    const health = await call("GET", "/api/health");
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, ready: false });
    const signin = await call("POST", "/api/auth/signin", undefined, {
      handle: other.handle,
      password: TEST_PASSWORD,
    });
    expect(signin.status).toBe(200);
    const posted = await call("POST", `/api/spaces/${spaceId}/intentions`, owner.token, {
      content: "still writable at stream capacity",
    });
    expect(posted.status).toBe(201);

    // A slot freed is a slot taken again.
    await held[0]?.cancel();
    await waitFor(
      () => server.fanout.metrics.openStreams < CAP,
      () => "the cancelled stream to close",
    );
    expect((await call("GET", "/api/health").then((answer) => answer.json())).ready).toBe(true);
    held.push(await holdStream(other.token));
    for (const reader of held.slice(1)) await reader.cancel();
  });
});

describeEachDriver("stream admission per client address", (handle) => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer(testConfig({ sync: { maxStreamsPerAddress: 2 } }), {
      database: handle.database,
      hostname: "127.0.0.1",
    });
  });
  afterAll(() => server.stop());

  test("one address over its cap is a 429, whichever beings it signs up", async () => {
    const tokens: string[] = [];
    let spaceId = "";
    for (const name of ["addr_a", "addr_b", "addr_c"]) {
      const signup = await fetch(`${server.url}/api/auth/signup`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ handle: name, password: TEST_PASSWORD }),
      });
      tokens.push(((await signup.json()) as { token: string }).token);
    }
    const created = await fetch(`${server.url}/api/spaces`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${tokens[0]}` },
      body: JSON.stringify({ name: "Crowded" }),
    });
    spaceId = ((await created.json()) as { space: Space }).space.id;
    const open = (token: string) =>
      fetch(`${server.url}/api/stream?spaceId=${spaceId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
    const first = await open(tokens[0] as string);
    const second = await open(tokens[1] as string);
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await open(tokens[2] as string);
    expect(third.status).toBe(429);
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(asErrorBody(await third.text()).error.code).toBe(ERROR_CODES.rateLimited);
    await first.body?.cancel();
    await second.body?.cancel();
  });
});

describeEachDriver("stream admission while shutting down", (handle) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await TestApp.create(handle.database);
  });
  afterAll(() => app.close());

  test("an instance that is shutting down refuses new streams with 503 and says it is not ready", async () => {
    const being = await app.signup("admit_late");
    const { space } = await app.expect<{ space: Space }>(201, "POST", "/api/spaces", {
      token: being.token,
      body: { name: "Closing" },
    });
    await app.fanout.shutdown();
    const refused = await app.request("GET", `/api/stream?spaceId=${space.id}`, {
      token: being.token,
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(asErrorBody(await refused.text()).error.code).toBe(ERROR_CODES.unavailable);
    expect(await app.expect(200, "GET", "/api/health")).toMatchObject({ ok: true, ready: false });
  });
});
