import { describe, expect, test } from "bun:test";
import type { Intention } from "@rhizome/protocol";
import { AUTHOR, SPACE } from "@rhizome/protocol/testing";
import { ManualClock } from "../../../../../packages/client/src/testing/fake-transport.ts";
import { FakeOutboxServer, MemoryStorage } from "../testing/outbox-fakes.ts";
import { Outbox, type OutboxStore } from "./outbox.svelte.ts";
import { localOutboxStore } from "./storage.ts";

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};

function setup(store: OutboxStore = localOutboxStore(AUTHOR, new MemoryStorage())) {
  const clock = new ManualClock();
  const server = new FakeOutboxServer();
  let next = 0;
  const make = () =>
    new Outbox({
      send: server.send,
      store,
      now: () => clock.now,
      random: () => 1,
      timers: clock.timers,
      newId: () => `30000000-0000-4000-8000-${String(++next).padStart(12, "0")}`,
    });
  return { clock, server, store, make };
}

describe("Outbox", () => {
  test("a written intention is pending at once, sent as soon as the server acknowledges it, and leaves when its delta arrives", async () => {
    const { server, make } = setup();
    const outbox = make();
    const entry = outbox.post(SPACE, AUTHOR, "hello");
    expect(outbox.display(SPACE, []).map((item) => [item.content, item.status])).toEqual([
      ["hello", "pending"],
    ]);
    await settle();
    expect(server.calls).toEqual([entry.id]);
    // Acknowledged (201) before its delta came back: sent already, at the server's stamp.
    const delta = server.stored.get(entry.id) as Intention;
    expect(outbox.display(SPACE, [])).toEqual([{ ...delta, status: "sent" }]);
    outbox.reconcile(SPACE, [delta], delta.updatedAt);
    expect(outbox.entries.length).toBe(0);
    expect(outbox.display(SPACE, [delta]).map((item) => item.status)).toEqual(["sent"]);
  });

  test("a 401 holds the entry pending, sends nothing more, and a sign-in resumes", async () => {
    const { clock, server, make } = setup();
    let signedIn = false;
    server.answer = () => (signedIn ? "store" : { kind: "held", reason: "signed out" });
    const outbox = make();
    const entry = outbox.post(SPACE, AUTHOR, "kept");
    await settle();
    expect(server.calls.length).toBe(1);
    expect(outbox.held).toBe(true);
    clock.advance(60_000);
    await settle();
    expect(server.calls.length).toBe(1);
    expect(outbox.display(SPACE, []).map((item) => [item.id, item.status])).toEqual([
      [entry.id, "pending"],
    ]);
    signedIn = true;
    outbox.resume();
    await settle();
    expect(server.calls.length).toBe(2);
    expect(server.stored.has(entry.id)).toBe(true);
    expect(outbox.held).toBe(false);
  });

  test("while offline it retries with backoff, and sends at once when back online", async () => {
    const { clock, server, make } = setup();
    let online = false;
    server.answer = () => (online ? "store" : { kind: "retry", reason: "offline" });
    const outbox = make();
    outbox.post(SPACE, AUTHOR, "one");
    await settle();
    expect(server.calls.length).toBe(1);
    clock.advance(999);
    await settle();
    expect(server.calls.length).toBe(1);
    clock.advance(1);
    await settle();
    expect(server.calls.length).toBe(2);
    online = true;
    outbox.retryNow();
    await settle();
    expect(server.calls.length).toBe(3);
    expect(server.stored.size).toBe(1);
  });

  test("survives a reload: a new outbox on the same storage sends each entry exactly once", async () => {
    const storage = new MemoryStorage();
    const { server, make } = setup(localOutboxStore(AUTHOR, storage));
    server.answer = () => ({ kind: "retry", reason: "offline" });
    const before = make();
    before.post(SPACE, AUTHOR, "a");
    before.post(SPACE, AUTHOR, "b");
    before.post(SPACE, AUTHOR, "c");
    await settle();
    before.dispose();

    server.answer = () => "store";
    const after = make();
    expect(after.display(SPACE, []).map((item) => [item.content, item.status])).toEqual([
      ["a", "pending"],
      ["b", "pending"],
      ["c", "pending"],
    ]);
    after.retryNow();
    await settle();
    expect([...server.stored.values()].map((item) => item.content)).toEqual(["a", "b", "c"]);
    const window = [...server.stored.values()];
    after.reconcile(SPACE, window, window.at(-1)?.updatedAt ?? null);
    expect(after.entries.length).toBe(0);
    expect(storage.length).toBe(0);
  });

  test("a send the server refuses is dropped and reported; the next one still goes", async () => {
    const { server, make } = setup();
    server.answer = (entry) =>
      entry.content === "bad"
        ? { kind: "rejected", status: 403, message: "join the space before posting" }
        : "store";
    const outbox = make();
    outbox.post(SPACE, AUTHOR, "bad");
    outbox.post(SPACE, AUTHOR, "good");
    await settle();
    expect(outbox.dropped.map((item) => item.message)).toEqual(["join the space before posting"]);
    expect([...server.stored.values()].map((item) => item.content)).toEqual(["good"]);
    outbox.dismiss(outbox.dropped[0] as (typeof outbox.dropped)[number]);
    expect(outbox.dropped.length).toBe(0);
  });

  test("a sender that throws counts as a network failure", async () => {
    const { clock, server } = setup();
    let fail = true;
    const outbox = new Outbox({
      send: async (entry) => {
        if (fail) throw new TypeError("Failed to fetch");
        return server.send(entry);
      },
      store: localOutboxStore(AUTHOR, new MemoryStorage()),
      now: () => clock.now,
      random: () => 1,
      timers: clock.timers,
    });
    outbox.post(SPACE, AUTHOR, "x");
    await settle();
    expect(outbox.entries[0]?.attempts).toBe(1);
    fail = false;
    clock.advance(1000);
    await settle();
    expect(server.stored.size).toBe(1);
  });

  test("nothing is sent while the browser says it is offline; `online` sends at once", async () => {
    const { clock, server } = setup();
    let online = false;
    const outbox = new Outbox({
      send: server.send,
      store: localOutboxStore(AUTHOR, new MemoryStorage()),
      now: () => clock.now,
      random: () => 1,
      timers: clock.timers,
      online: () => online,
    });
    outbox.post(SPACE, AUTHOR, "later");
    clock.advance(60_000);
    await settle();
    expect(server.calls.length).toBe(0);
    expect(outbox.display(SPACE, [])[0]?.status).toBe("pending");
    online = true;
    outbox.retryNow();
    await settle();
    expect(server.calls.length).toBe(1);
  });
});
