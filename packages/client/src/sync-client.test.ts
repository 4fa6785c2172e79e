import { describe, expect, test } from "bun:test";
import { buildDelta, buildReset } from "@rhizome/protocol";
import { change, intention, SPACE, stamp } from "@rhizome/protocol/testing";
import { SyncClient } from "./sync-client.ts";
import { FakeTransport, ManualClock } from "./testing/fake-transport.ts";

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup() {
  const fake = new FakeTransport();
  const clock = new ManualClock();
  const client = new SyncClient({
    spaceId: SPACE,
    transport: fake.transport,
    now: () => clock.now,
    random: () => 0.5,
    timers: clock.timers,
  });
  return { fake, clock, client };
}

describe("SyncClient", () => {
  test("starts with a reset, applies live deltas, and goes live", async () => {
    const { fake, client } = setup();
    client.start();
    await fake.opened(1);
    expect(fake.latest.request.since).toBeUndefined();
    fake.latest.push(buildReset(SPACE, stamp(1), [intention(1)]));
    fake.latest.push(buildDelta(SPACE, stamp(1), [change(2)]));
    await settle();
    expect(client.connection.status).toBe("live");
    expect(client.intentions.map((i) => i.content)).toEqual(["#1", "#2"]);
    expect(client.sync.cursor).toBe(stamp(2));
  });

  test("after a drop it backs off, then resumes from its own cursor", async () => {
    const { fake, clock, client } = setup();
    client.start();
    await fake.opened(1);
    fake.latest.push(buildReset(SPACE, stamp(5), [intention(5)]));
    await settle();
    fake.latest.fail();
    await settle();
    expect(client.connection.status).toBe("reconnecting");
    expect(fake.streams.length).toBe(1);
    clock.advance(20_000);
    await fake.opened(2);
    expect(fake.latest.request.since).toBe(stamp(5));
  });

  test("a gap reopens the stream at once from the client's cursor", async () => {
    const { fake, client } = setup();
    client.start();
    await fake.opened(1);
    fake.latest.push(buildReset(SPACE, stamp(3), []));
    fake.latest.push(buildDelta(SPACE, stamp(4), [change(5)]));
    await fake.opened(2);
    expect(fake.streams[0]?.signal.aborted).toBe(true);
    expect(fake.latest.request.since).toBe(stamp(3));
    expect(client.intentions).toEqual([]);
  });

  test("the watchdog reconnects a stream silent for 2.5 heartbeats", async () => {
    const { fake, clock, client } = setup();
    client.start();
    await fake.opened(1);
    fake.latest.push(buildReset(SPACE, stamp(1), []));
    await settle();
    clock.advance(15_000 * 2.5);
    expect(client.connection.status).toBe("reconnecting");
    clock.advance(20_000);
    await fake.opened(2);
  });

  test("coming back online retries immediately; 401 stops for good", async () => {
    const { fake, client } = setup();
    client.start();
    await fake.opened(1);
    client.setOnline(false);
    expect(client.connection.status).toBe("offline");
    client.setOnline(true);
    await fake.opened(2);
    fake.respond = () => ({ status: 401 });
    fake.latest.fail();
    await settle();
    expect(client.connection.status).toBe("reconnecting");
    client.setOnline(true);
    await settle();
    expect(client.connection).toEqual({ status: "stopped", reason: "unauthorized" });
  });

  test("frames of a closed stream are ignored", async () => {
    const { fake, clock, client } = setup();
    client.start();
    await fake.opened(1);
    const old = fake.latest;
    fake.latest.push(buildReset(SPACE, stamp(1), []));
    await settle();
    client.dropConnection();
    old.push(buildDelta(SPACE, stamp(1), [change(2)]));
    await settle();
    expect(client.intentions).toEqual([]);
    clock.advance(20_000);
    await fake.opened(2);
  });
});

test("the watchdog follows the heartbeat the server announces", async () => {
  const fake = new FakeTransport();
  const clock = new ManualClock();
  const client = new SyncClient({
    spaceId: SPACE,
    transport: async (request, signal) => {
      const opened = await fake.transport(request, signal);
      return opened.ok ? { ...opened, heartbeatMs: 1000 } : opened;
    },
    now: () => clock.now,
    random: () => 0.5,
    timers: clock.timers,
  });
  client.start();
  await fake.opened(1);
  fake.latest.push(buildReset(SPACE, stamp(1), []));
  await settle();
  clock.advance(2499);
  expect(client.connection.status).toBe("live");
  clock.advance(1);
  expect(client.connection.status).toBe("reconnecting");
});

test("an option given as undefined takes its default (it used to make start() throw)", async () => {
  const fake = new FakeTransport();
  const client = new SyncClient({
    spaceId: SPACE,
    transport: fake.transport,
    now: undefined,
    random: undefined,
    timers: undefined,
    settings: undefined,
  });
  client.start();
  await fake.opened(1);
  expect(client.connection.status).toBe("connecting");
  client.stop();
});
