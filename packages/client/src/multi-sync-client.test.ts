import { describe, expect, test } from "bun:test";
import { buildDelta, buildHeartbeat, buildReset } from "@rhizome/protocol";
import { change, intention, OTHER_SPACE, SPACE, stamp } from "@rhizome/protocol/testing";
import {
  type MultiChange,
  MultiSyncClient,
  type MultiSyncClientOptions,
} from "./multi-sync-client.ts";
import { FakeMultiTransport, ManualClock } from "./testing/fake-transport.ts";

const THIRD = "00000000-0000-4000-8000-000000000003";
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const at = (spaceId: string, n: number) => intention(n, { spaceId });
const edit = (spaceId: string, n: number) => change(n, { spaceId });

function setup(options: Partial<MultiSyncClientOptions> = {}) {
  const fake = new FakeMultiTransport();
  const clock = new ManualClock();
  const refetches: string[][] = [];
  let listed = [SPACE, OTHER_SPACE, THIRD];
  const client = new MultiSyncClient({
    spaces: [{ spaceId: SPACE, page: 1 }, { spaceId: OTHER_SPACE, page: 50 }, { spaceId: THIRD }],
    transport: fake.transport,
    refetchSpaces: async () => {
      refetches.push(listed);
      return listed;
    },
    now: () => clock.now,
    random: () => 0.5,
    timers: clock.timers,
    ...options,
  });
  const changes: MultiChange[] = [];
  client.subscribe((change) => changes.push(change));
  const list = (spaces: string[]) => {
    listed = spaces;
  };
  return { fake, clock, client, refetches, changes, list };
}

/** Opens the stream and gives each of the three spaces its first frame (a reset). */
async function live(context: ReturnType<typeof setup>) {
  context.client.start();
  await context.fake.opened(1);
  context.fake.latest.push(buildReset(SPACE, stamp(10), [at(SPACE, 10)]));
  context.fake.latest.push(buildReset(OTHER_SPACE, stamp(20), [at(OTHER_SPACE, 19)]));
  context.fake.latest.push(buildReset(THIRD, stamp(30), []));
  await settle();
}

describe("MultiSyncClient", () => {
  test("subscribes to every space with its page, and applies their first frames", async () => {
    const context = setup();
    await live(context);
    const { fake, client } = context;
    expect(fake.latest.request).toEqual({
      spaces: [{ spaceId: SPACE, page: 1 }, { spaceId: OTHER_SPACE, page: 50 }, { spaceId: THIRD }],
    });
    expect(client.connection.status).toBe("live");
    expect(client.space(SPACE)?.cursor).toBe(stamp(10));
    expect(client.intentions(OTHER_SPACE).map((i) => i.content)).toEqual(["#19"]);
    expect(client.space(THIRD)).toMatchObject({ cursor: stamp(30), window: [] });
    expect(context.changes).toContainEqual({ kind: "space", spaceId: THIRD });
  });

  test("interleaved live frames chain per space; a heartbeat moves nothing", async () => {
    const context = setup();
    await live(context);
    const { fake, client } = context;
    fake.latest.push(buildDelta(OTHER_SPACE, stamp(20), [edit(OTHER_SPACE, 21)]));
    fake.latest.push(buildDelta(SPACE, stamp(10), [edit(SPACE, 11)]));
    fake.latest.push(buildHeartbeat(THIRD, stamp(30)));
    fake.latest.push(buildDelta(OTHER_SPACE, stamp(21), [edit(OTHER_SPACE, 22)]));
    await settle();
    expect(client.intentions(SPACE).map((i) => i.content)).toEqual(["#10", "#11"]);
    expect(client.intentions(OTHER_SPACE).map((i) => i.content)).toEqual(["#19", "#21", "#22"]);
    expect(client.space(OTHER_SPACE)?.cursor).toBe(stamp(22));
    expect(client.space(THIRD)?.cursor).toBe(stamp(30));
    expect(fake.streams.length).toBe(1);
  });

  test("a frame of a space not followed is reported and ignored", async () => {
    const context = setup();
    await live(context);
    const { fake, client } = context;
    const outcomes: string[] = [];
    client.onFrame((record) => outcomes.push(record.outcome.kind));
    const stranger = "00000000-0000-4000-8000-0000000000ff";
    fake.latest.push(buildReset(stranger, stamp(5), [at(stranger, 5)]));
    await settle();
    expect(outcomes).toEqual(["unfollowed"]);
    expect(client.space(stranger)).toBeUndefined();
    expect(client.connection.status).toBe("live");
  });

  test("a frame that is not JSON, or names no space, is rejected and the stream reopened", async () => {
    const context = setup();
    await live(context);
    const { fake, client } = context;
    const outcomes: string[] = [];
    client.onFrame((record) => outcomes.push(record.outcome.kind));
    fake.latest.push("{not json");
    await settle();
    expect(outcomes).toEqual(["rejected"]);
    expect(client.connection.status).toBe("reconnecting");
  });

  test("a gap in one space reopens the stream at once with every cursor", async () => {
    const context = setup();
    await live(context);
    const { fake, client } = context;
    fake.latest.push(buildDelta(SPACE, stamp(10), [edit(SPACE, 11)]));
    fake.latest.push(buildDelta(THIRD, stamp(35), [edit(THIRD, 36)]));
    await fake.opened(2);
    expect(fake.streams[0]?.signal.aborted).toBe(true);
    expect(fake.latest.request).toEqual({
      spaces: [
        { spaceId: SPACE, since: stamp(11), page: 1 },
        { spaceId: OTHER_SPACE, since: stamp(20), page: 50 },
        { spaceId: THIRD, since: stamp(30) },
      ],
    });
    expect(client.intentions(THIRD)).toEqual([]);
  });

  test("a gap again on the fresh stream backs off instead of looping", async () => {
    const context = setup();
    await live(context);
    const { fake, client } = context;
    fake.latest.push(buildDelta(THIRD, stamp(35), [edit(THIRD, 36)]));
    await fake.opened(2);
    fake.latest.push(buildDelta(THIRD, stamp(35), [edit(THIRD, 36)]));
    await settle();
    expect(client.connection.status).toBe("reconnecting");
    expect(fake.streams.length).toBe(2);
  });

  test("follow and unfollow resubscribe with the kept cursors", async () => {
    const context = setup();
    await live(context);
    const { fake, client } = context;
    const fourth = "00000000-0000-4000-8000-000000000004";
    client.follow(fourth.toUpperCase(), { page: 1 });
    await fake.opened(2);
    expect(fake.streams[0]?.signal.aborted).toBe(true);
    expect(fake.latest.request.spaces).toEqual([
      { spaceId: SPACE, since: stamp(10), page: 1 },
      { spaceId: OTHER_SPACE, since: stamp(20), page: 50 },
      { spaceId: THIRD, since: stamp(30) },
      { spaceId: fourth, page: 1 },
    ]);
    client.unfollow(OTHER_SPACE);
    await fake.opened(3);
    expect(fake.latest.request.spaces.map((entry) => entry.spaceId)).toEqual([
      SPACE,
      THIRD,
      fourth,
    ]);
    expect(client.space(OTHER_SPACE)).toBeUndefined();
    expect(client.intentions(SPACE).map((i) => i.content)).toEqual(["#10"]);
    // Following a space already followed, even with another page, keeps the stream.
    client.follow(SPACE, { page: 50 });
    await settle();
    expect(fake.streams.length).toBe(3);
  });

  test("a 404 refetches the spaces, drops the gone one and subscribes again", async () => {
    const context = setup();
    await live(context);
    const { fake, client, refetches, changes, list } = context;
    // Removal from OTHER_SPACE ends the whole stream; the next subscription gets the 404.
    list([SPACE, THIRD]);
    fake.respond = (request) =>
      request.spaces.some((entry) => entry.spaceId === OTHER_SPACE) ? { status: 404 } : "accept";
    fake.latest.end();
    await settle();
    expect(client.connection.status).toBe("reconnecting");
    context.clock.advance(20_000);
    await fake.opened(2);
    expect(refetches.length).toBe(1);
    expect(fake.requests.length).toBe(3);
    expect(fake.latest.request.spaces).toEqual([
      { spaceId: SPACE, since: stamp(10), page: 1 },
      { spaceId: THIRD, since: stamp(30) },
    ]);
    expect(client.spaceIds).toEqual([SPACE, THIRD]);
    expect(changes).toContainEqual({ kind: "spaces", dropped: [OTHER_SPACE] });
    fake.latest.push(buildHeartbeat(SPACE, stamp(10)));
    await settle();
    expect(client.connection.status).toBe("live");
  });

  test("a 404 while every space is still listed backs off and asks again", async () => {
    const context = setup();
    const { fake, client, refetches } = context;
    fake.respond = () => ({ status: 404 });
    client.start();
    await fake.requested(1);
    await settle();
    expect(refetches.length).toBe(1);
    expect(client.connection.status).toBe("reconnecting");
    expect(client.spaceIds.length).toBe(3);
  });

  test("when every space is gone the stream stops; following one starts it again", async () => {
    const context = setup();
    const { fake, client, list } = context;
    list([]);
    fake.respond = () => ({ status: 404 });
    client.start();
    await fake.requested(1);
    await settle();
    expect(client.connection).toEqual({ status: "stopped", reason: "closed" });
    fake.respond = () => "accept";
    client.follow(SPACE);
    await fake.opened(1);
    expect(fake.latest.request).toEqual({ spaces: [{ spaceId: SPACE }] });
  });

  test("401 stops for good", async () => {
    const { fake, client } = setup();
    fake.respond = () => ({ status: 401 });
    client.start();
    await fake.requested(1);
    await settle();
    expect(client.connection).toEqual({ status: "stopped", reason: "unauthorized" });
  });

  test("503 waits at least Retry-After before the next attempt", async () => {
    const { fake, clock, client } = setup();
    fake.respond = () => ({ status: 503, retryAfterMs: 60_000 });
    client.start();
    await fake.requested(1);
    await settle();
    expect(client.connection).toMatchObject({ status: "reconnecting", attempt: 1 });
    fake.respond = () => "accept";
    clock.advance(59_999);
    await settle();
    expect(fake.requests.length).toBe(1);
    clock.advance(1);
    await fake.opened(1);
    expect(fake.requests.length).toBe(2);
  });

  test("429 also retries after Retry-After; the stream resumes from the cursors", async () => {
    const context = setup();
    await live(context);
    const { fake, clock, client } = context;
    fake.respond = () => ({ status: 429, retryAfterMs: 30_000 });
    fake.latest.fail();
    await settle();
    clock.advance(20_000);
    await fake.requested(2);
    await settle();
    expect(client.connection.status).toBe("reconnecting");
    fake.respond = () => "accept";
    clock.advance(30_000);
    await fake.opened(2);
    expect(fake.latest.request.spaces[0]).toEqual({ spaceId: SPACE, since: stamp(10), page: 1 });
  });
});
