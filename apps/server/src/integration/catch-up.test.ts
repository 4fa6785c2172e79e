import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { isCursor, SYNC_EVENT_TYPE } from "@rhizome/protocol";
import type { RunningServer } from "../server.ts";
import { describeEachDriver } from "../testing/databases.ts";
import { RawStream } from "../testing/raw-stream.ts";
import { beingWithSpace, post, startTestServer } from "../testing/test-server.ts";

const PAGE = 50;
const LIMIT = 50;

describeEachDriver("catch-up and the first frame", (db) => {
  let server: RunningServer;
  let owner: Awaited<ReturnType<typeof beingWithSpace>>;
  const streams: RawStream[] = [];
  const open = async (query: Record<string, string>, headers?: Record<string, string>) => {
    const stream = await RawStream.open(server.url, owner.token, query, headers);
    streams.push(stream);
    return stream;
  };

  beforeAll(async () => {
    server = await startTestServer(db.database, {
      sync: { batchMs: 20, pageSize: PAGE, catchupLimit: LIMIT, heartbeatMs: 60_000 },
    });
  });
  beforeEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    owner = await beingWithSpace(server.url);
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await server.stop();
  });

  test("framing: headers, retry hint, id equals timestamp, one data line", async () => {
    const stream = await open({ spaceId: owner.space.id });
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get("content-type")).toStartWith("text/event-stream");
    expect(stream.response.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(stream.response.headers.get("x-accel-buffering")).toBe("no");
    const first = await stream.event(0);
    expect(stream.raw).toStartWith("retry: ");
    const message = stream.messages[0];
    expect(message?.event).toBe(SYNC_EVENT_TYPE);
    expect(message?.id).toBe(first.timestamp);
    expect(stream.raw.split("\n").filter((line) => line.startsWith("data:"))).toHaveLength(1);
  });

  test("no cursor: a reset with the latest page of live intentions, oldest first, and the head", async () => {
    const posted = [];
    for (let n = 0; n < PAGE + 5; n++) posted.push(await post(owner.api, owner.space.id, `m${n}`));
    const gone = posted.at(-1);
    await owner.api.api.intentions({ id: gone?.id as string }).delete();
    const stream = await open({ spaceId: owner.space.id });
    const reset = await stream.event(0);
    expect(reset.reset).toBe(true);
    expect(reset.since).toBeUndefined();
    expect(reset.created.map((i) => i.content)).toEqual(
      posted.slice(-PAGE - 1, -1).map((i) => i.content),
    );
    const { data } = await owner.api.api.spaces({ id: owner.space.id }).get();
    expect(reset.timestamp).toBe(data?.space.head as string);
  });

  test("a cursor with no change since: an empty delta, since == timestamp", async () => {
    const first = await (await open({ spaceId: owner.space.id })).event(0);
    const resumed = await (await open({ spaceId: owner.space.id, since: first.timestamp })).event(
      0,
    );
    expect(resumed).toEqual({
      type: SYNC_EVENT_TYPE,
      spaceId: owner.space.id,
      since: first.timestamp,
      created: [],
      updated: [],
      deleted: [],
      timestamp: first.timestamp,
    });
  });

  test("changes while away: edits in updated, deletes in deleted, created-then-deleted in neither", async () => {
    const kept = await post(owner.api, owner.space.id, "kept");
    const edited = await post(owner.api, owner.space.id, "before edit");
    const removed = await post(owner.api, owner.space.id, "to delete");
    const cursor = (await (await open({ spaceId: owner.space.id })).event(0)).timestamp;
    // Away: edit, delete, and a short-lived intention.
    await owner.api.api.intentions({ id: edited.id }).patch({ content: "after edit" });
    await owner.api.api.intentions({ id: removed.id }).delete();
    const ephemeral = await post(owner.api, owner.space.id, "here and gone");
    await owner.api.api.intentions({ id: ephemeral.id }).delete();
    const fresh = await post(owner.api, owner.space.id, "new while away");
    const delta = await (await open({ spaceId: owner.space.id, since: cursor })).event(0);
    expect(delta.reset).toBeUndefined();
    expect(delta.since).toBe(cursor);
    expect(delta.updated.map((i) => [i.id, i.content])).toEqual([[edited.id, "after edit"]]);
    expect(delta.deleted).toEqual([removed.id]);
    expect(delta.created.map((i) => i.id)).toEqual([fresh.id]);
    const everywhere = [...delta.created, ...delta.updated].map((i) => i.id).concat(delta.deleted);
    expect(everywhere).not.toContain(ephemeral.id);
    expect(everywhere).not.toContain(kept.id);
    const { data } = await owner.api.api.spaces({ id: owner.space.id }).get();
    expect(delta.timestamp).toBe(data?.space.head as string);
  });

  test("only a change created and deleted while away: an empty catch-up that reads past it", async () => {
    await post(owner.api, owner.space.id, "before");
    const cursor = (await (await open({ spaceId: owner.space.id })).event(0)).timestamp;
    const ephemeral = await post(owner.api, owner.space.id, "here and gone");
    await owner.api.api.intentions({ id: ephemeral.id }).delete();
    const delta = await (await open({ spaceId: owner.space.id, since: cursor })).event(0);
    expect(delta).toMatchObject({ since: cursor, created: [], updated: [], deleted: [] });
    expect(delta.timestamp > cursor).toBe(true);
    // Resumed from there, the reader is at the head: nothing to read again, no unknown deletion.
    const again = await (await open({ spaceId: owner.space.id, since: delta.timestamp })).event(0);
    expect(again).toMatchObject({
      since: delta.timestamp,
      timestamp: delta.timestamp,
      deleted: [],
    });
  });

  test(`the reset threshold: ${LIMIT} missed changes arrive as a delta, ${LIMIT + 1} as a reset`, async () => {
    const cursor = (await (await open({ spaceId: owner.space.id })).event(0)).timestamp;
    for (let n = 0; n < LIMIT; n++) await post(owner.api, owner.space.id, `missed ${n}`);
    const delta = await (await open({ spaceId: owner.space.id, since: cursor })).event(0);
    expect(delta.reset).toBeUndefined();
    expect(delta.created).toHaveLength(LIMIT);
    await post(owner.api, owner.space.id, `missed ${LIMIT}`);
    const reset = await (await open({ spaceId: owner.space.id, since: cursor })).event(0);
    expect(reset.reset).toBe(true);
    expect(reset.created).toHaveLength(PAGE);
    const contents = reset.created.map((i) => i.content);
    expect(contents.at(-1)).toBe(`missed ${LIMIT}`);
    expect(contents).toEqual(
      [...contents].sort((a, b) => Number(a.split(" ")[1]) - Number(b.split(" ")[1])),
    );
  });

  test("a cursor ahead of the head gets a reset", async () => {
    const reset = await (
      await open({ spaceId: owner.space.id, since: "2999-01-01T00:00:00.000000Z" })
    ).event(0);
    expect(reset.reset).toBe(true);
    expect(isCursor(reset.timestamp)).toBe(true);
  });

  test("Last-Event-ID resumes when since is absent, and wins over since when both are sent", async () => {
    const cursor = (await (await open({ spaceId: owner.space.id })).event(0)).timestamp;
    const created = await post(owner.api, owner.space.id, "after the cursor");
    const viaHeader = await (
      await open({ spaceId: owner.space.id }, { "Last-Event-ID": cursor })
    ).event(0);
    expect(viaHeader.since).toBe(cursor);
    expect(viaHeader.created.map((i) => i.id)).toEqual([created.id]);
    // A reconnecting EventSource sends the last frame's id, its URL still the `since` it was
    // opened with: the header is where it stands (docs/PROTOCOL.md §4).
    const both = await (
      await open({ spaceId: owner.space.id, since: cursor }, { "Last-Event-ID": created.updatedAt })
    ).event(0);
    expect(both.since).toBe(created.updatedAt);
    expect(both.created).toEqual([]);
    // An empty header is no header: since applies.
    const empty = await (
      await open({ spaceId: owner.space.id, since: cursor }, { "Last-Event-ID": "" })
    ).event(0);
    expect(empty.since).toBe(cursor);
  });

  test("malformed since, spaceId or Last-Event-ID: 400 JSON before any stream; unknown space 404", async () => {
    const statuses = [];
    for (const [query, headers] of [
      [{ spaceId: owner.space.id, since: "yesterday" }, {}],
      [{ spaceId: owner.space.id, since: "2025-07-28T10:30:16.123Z" }, {}],
      [{ spaceId: "not-a-uuid" }, {}],
      [{}, {}],
      [{ spaceId: owner.space.id }, { "Last-Event-ID": "garbage" }],
    ] as const) {
      const stream = await open(query as Record<string, string>, headers as Record<string, string>);
      statuses.push(stream.response.status);
      expect(stream.response.headers.get("content-type")).toContain("application/json");
      const body = (await stream.response.json()) as { error: { code: string } };
      expect(body.error.code).toBe("invalid");
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400]);
    const missing = await open({ spaceId: crypto.randomUUID() });
    expect(missing.response.status).toBe(404);
  });

  test("history pages: live intentions before `before`, oldest first, with hasMore", async () => {
    const posted = [];
    for (let n = 0; n < 7; n++) posted.push(await post(owner.api, owner.space.id, `h${n}`));
    await owner.api.api.intentions({ id: posted[2]?.id as string }).delete();
    const page = owner.api.api.spaces({ id: owner.space.id }).intentions;
    const latest = await page.get({ query: { limit: 3 } });
    expect(latest.data?.intentions.map((i) => i.content)).toEqual(["h4", "h5", "h6"]);
    expect(latest.data?.hasMore).toBe(true);
    const older = await page.get({ query: { before: posted[4]?.createdAt as string, limit: 3 } });
    expect(older.data?.intentions.map((i) => i.content)).toEqual(["h0", "h1", "h3"]);
    expect(older.data?.hasMore).toBe(false);
  });
});

describeEachDriver("the read-through cursor over HTTP (protocol 2)", (db) => {
  let server: RunningServer;

  beforeAll(async () => {
    // A long window: a change created and deleted within it is omitted from the live frame.
    server = await startTestServer(db.database, { sync: { batchMs: 1000, heartbeatMs: 60_000 } });
  });
  afterAll(() => server.stop());

  test("a live frame that omitted a created-then-deleted intention: the next resume never names it", async () => {
    const owner = await beingWithSpace(server.url);
    const live = await RawStream.open(server.url, owner.token, { spaceId: owner.space.id });
    await live.event(0);
    const kept = await post(owner.api, owner.space.id, "kept");
    // The leading edge is sent at once; waiting for it keeps "brief" out of it on a fast machine.
    await live.until((events) => events.length >= 2);
    const brief = await post(owner.api, owner.space.id, "brief");
    await owner.api.api.intentions({ id: brief.id }).delete();
    // At the window's end: one frame that read through both changes and carries neither.
    const frames = await live.until((events) => events.length >= 3);
    live.close();
    expect(frames[1]?.created.map((i) => i.id)).toEqual([kept.id]);
    expect(frames[2]).toMatchObject({ since: kept.updatedAt, created: [], deleted: [] });
    const cursor = frames[2]?.timestamp as string;
    expect(cursor > kept.updatedAt).toBe(true);
    const resume = await RawStream.open(server.url, owner.token, {
      spaceId: owner.space.id,
      since: cursor,
    });
    const first = await resume.event(0);
    resume.close();
    expect(first.deleted).toEqual([]);
    expect(first.since).toBe(first.timestamp);
  });
});
