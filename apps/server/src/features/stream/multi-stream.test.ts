import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  applyEvent,
  type Intention,
  initialState,
  type Space,
  SSE_CACHE_CONTROL,
  SSE_CONTENT_TYPE,
  type SyncEvent,
  type SyncState,
} from "@rhizome/protocol";
import { type RunningServer, startServer } from "../../server.ts";
import { describeEachDriver } from "../../testing/databases.ts";
import { RawStream } from "../../testing/raw-stream.ts";
import { asErrorBody, TEST_PASSWORD, testConfig } from "../../testing/test-app.ts";

type Being = { token: string; being: { id: string } };

/** POST /api/stream over HTTP (DESIGN §6.1): one connection, many spaces, each chained. */
describeEachDriver("POST /api/stream: many spaces over one connection", (handle) => {
  let server: RunningServer;
  let alice: Being;
  let bob: Being;

  const call = async <T>(method: string, path: string, token: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const signup = async (name: string): Promise<Being> =>
    (
      await fetch(`${server.url}/api/auth/signup`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ handle: name, password: TEST_PASSWORD }),
      })
    ).json() as Promise<Being>;
  const space = async (visibility: Space["visibility"] = "public") => {
    const { body } = await call<{ space: Space }>("POST", "/api/spaces", alice.token, {
      name: "Many",
      visibility,
    });
    await call("POST", `/api/spaces/${body.space.id}/members`, alice.token, {
      beingId: bob.being.id,
    });
    return body.space.id;
  };
  const post = async (spaceId: string, content: string) =>
    (
      await call<{ intention: Intention }>("POST", `/api/spaces/${spaceId}/intentions`, bob.token, {
        content,
      })
    ).body.intention;

  beforeAll(async () => {
    server = await startServer(testConfig({ sync: { maxSpacesPerStream: 5, heartbeatMs: 400 } }), {
      database: handle.database,
      hostname: "127.0.0.1",
    });
    alice = await signup("many_alice");
    bob = await signup("many_bob");
  });
  afterAll(() => server.stop());

  /** Applies a stream's frames per space with the reducer, as a client would. */
  function replay(events: SyncEvent[], states: Map<string, SyncState>) {
    const outcomes: string[] = [];
    for (const event of events) {
      const state = states.get(event.spaceId) ?? initialState(event.spaceId);
      const next = applyEvent(state, event);
      outcomes.push(next.outcome.kind);
      states.set(event.spaceId, next.state);
    }
    return outcomes;
  }

  test("first frames in request order, by each entry's cursor and page; then live frames chained per space", async () => {
    const [a, b, c] = [await space(), await space(), await space("private")];
    const old = await post(a, "a: before the cursor");
    for (let n = 0; n < 3; n++) await post(b, `b: page ${n}`);
    await post(c, "c: hidden from outsiders");
    const stream = await RawStream.openMany(server.url, alice.token, [
      { spaceId: c },
      { spaceId: a, since: old.updatedAt },
      { spaceId: b, page: 1 },
    ]);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get("content-type")).toStartWith(SSE_CONTENT_TYPE);
    expect(stream.response.headers.get("cache-control")).toBe(SSE_CACHE_CONTROL);
    expect(stream.response.headers.get("x-accel-buffering")).toBe("no");
    const first = await stream.until((events) => events.length >= 3);
    expect(first.slice(0, 3).map((event) => event.spaceId)).toEqual([c, a, b]);
    expect(first[0]).toMatchObject({ reset: true });
    expect(first[0]?.created.map((i) => i.content)).toEqual(["c: hidden from outsiders"]);
    expect(first[1]).toMatchObject({ since: old.updatedAt, created: [] });
    expect(first[2]?.created.map((i) => i.content)).toEqual(["b: page 2"]);
    expect(stream.raw).not.toMatch(/^id:/m);

    // Posts, edits and deletes in all three, interleaved.
    const inA = await post(a, "a: live");
    const inB = await post(b, "b: live");
    const inC = await post(c, "c: live");
    await call("PATCH", `/api/intentions/${inA.id}`, bob.token, { content: "a: edited" });
    await call("DELETE", `/api/intentions/${inB.id}`, bob.token);
    await call("PATCH", `/api/intentions/${inC.id}`, bob.token, { content: "c: edited" });
    // The client resuming space a holds its cursor; the others start empty.
    const start = () => new Map([[a, initialState(a, old.updatedAt)]]);
    const states = start();
    const done = (events: SyncEvent[]) => {
      const view = start();
      replay(events, view);
      const content = (spaceId: string) => view.get(spaceId)?.window.map((i) => i.content) ?? [];
      return (
        content(a).includes("a: edited") &&
        content(c).includes("c: edited") &&
        !content(b).includes("b: live") &&
        events.some((event) => event.deleted.includes(inB.id))
      );
    };
    const events = await stream.until(done);
    const outcomes = replay(events, states);
    expect(outcomes.filter((kind) => kind === "gap" || kind === "rejected")).toEqual([]);
    expect(states.get(a)?.window.map((i) => i.content)).toEqual(["a: edited"]);
    expect(states.get(b)?.window.map((i) => i.content)).toEqual(["b: page 2"]);
    expect(states.get(c)?.window.map((i) => i.content)).toEqual([
      "c: hidden from outsiders",
      "c: edited",
    ]);

    // Resume with the cursors: exactly what was missed, per space.
    stream.close();
    const missed = await post(a, "a: while away");
    const cursors = [a, b, c].map((spaceId) => ({
      spaceId,
      since: states.get(spaceId)?.cursor as string,
    }));
    const resumed = await RawStream.openMany(server.url, alice.token, cursors);
    const again = await resumed.until((got) => got.length >= 3);
    expect(again.slice(0, 3).map((event) => event.spaceId)).toEqual([a, b, c]);
    expect(again[0]?.created.map((i) => i.id)).toEqual([missed.id]);
    expect(again[1]).toMatchObject({ created: [], updated: [], deleted: [] });
    expect(again[2]).toMatchObject({ created: [], updated: [], deleted: [] });
    expect(replay(again, states)).toEqual(["applied", "applied", "applied"]);
    resumed.close();
  });

  test("a rotating heartbeat: one empty delta, for the space gone longest without a frame", async () => {
    const [a, b] = [await space(), await space()];
    const stream = await RawStream.openMany(server.url, alice.token, [
      { spaceId: a },
      { spaceId: b },
    ]);
    const events = await stream.until((got) => got.length >= 4);
    const beats = events.slice(2, 4);
    for (const beat of beats) {
      expect(beat).toMatchObject({ created: [], updated: [], deleted: [] });
      expect(beat.since).toBe(beat.timestamp);
    }
    // One space per beat, taking turns.
    expect(new Set(beats.map((beat) => beat.spaceId))).toEqual(new Set([a, b]));
    stream.close();
  });

  test("an unreadable space anywhere in the list is a 404 for the whole request, nothing streamed", async () => {
    const outsider = await signup(`many_outsider_${Date.now().toString(36)}`);
    const open = await space();
    const hidden = await space("private");
    for (const missing of [hidden, crypto.randomUUID()]) {
      const stream = await RawStream.openMany(server.url, outsider.token, [
        { spaceId: open },
        { spaceId: missing },
      ]);
      expect(stream.response.status).toBe(404);
      const { error } = asErrorBody(await stream.response.text());
      expect(error.code).toBe("not_found");
    }
  });

  test("removal from any of the spaces ends the stream", async () => {
    const open = await space();
    const hidden = await space("private");
    const stream = await RawStream.openMany(server.url, bob.token, [
      { spaceId: open },
      { spaceId: hidden.toUpperCase() },
    ]);
    await stream.until((got) => got.length >= 2);
    await call("DELETE", `/api/spaces/${hidden}/members/${bob.being.id}`, alice.token);
    await stream.untilEnded();
    const again = await RawStream.openMany(server.url, bob.token, [
      { spaceId: open },
      { spaceId: hidden },
    ]);
    expect(again.response.status).toBe(404);
  });

  test("400 for duplicates (in any letter case), none, too many, a bad page, a bad cursor", async () => {
    const a = await space();
    const ids = await Promise.all(Array.from({ length: 6 }, () => space()));
    const bodies: unknown[] = [
      { spaces: [{ spaceId: a }, { spaceId: a.toUpperCase() }] },
      { spaces: [] },
      {},
      { spaces: ids.map((spaceId) => ({ spaceId })) },
      { spaces: [{ spaceId: a, page: 0 }] },
      { spaces: [{ spaceId: a, page: 101 }] },
      { spaces: [{ spaceId: a, page: 1.5 }] },
      { spaces: [{ spaceId: a, since: "yesterday" }] },
      { spaces: [{ spaceId: a, since: "2025-02-30T00:00:00.000000Z" }] },
      { spaces: [{ spaceId: "not-a-uuid" }] },
      { spaces: "all of them" },
    ];
    for (const body of bodies) {
      const answer = await call<{ error: { code: string } }>(
        "POST",
        "/api/stream",
        alice.token,
        body,
      );
      expect(`${answer.status} ${JSON.stringify(body)}`).toStartWith("400");
      expect(answer.body.error.code).toBe("invalid");
    }
    const anonymous = await fetch(`${server.url}/api/stream`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ spaces: "wrong too" }),
    });
    expect(anonymous.status).toBe(401);
  });

  test("a multi-space stream counts as one stream for the caps", async () => {
    const ids = [await space(), await space(), await space()];
    const before = server.fanout.metrics.openStreams;
    const stream = await RawStream.openMany(
      server.url,
      alice.token,
      ids.map((spaceId) => ({ spaceId })),
    );
    await stream.until((got) => got.length >= 3);
    expect(server.fanout.metrics.openStreams).toBe(before + 1);
    stream.close();
  });
});
