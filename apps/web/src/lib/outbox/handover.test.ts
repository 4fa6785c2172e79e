import { describe, expect, test } from "bun:test";
import { AUTHOR, SPACE } from "@rhizome/protocol/testing";
import { ManualClock } from "../../../../../packages/client/src/testing/fake-transport.ts";
import { FakeLocks } from "../sync/hub/testing/fakes.ts";
import { FakeOutboxServer, MemoryStorage } from "../testing/outbox-fakes.ts";
import { Outbox } from "./outbox.svelte.ts";
import { adopt, createEntry } from "./outbox.ts";
import { localOutboxStore, outboxKey, type StorageChange, type StorageEvents } from "./storage.ts";

const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};

/** The `storage` event every other tab of the browser gets when one tab writes a key. */
class StorageBus {
  readonly #tabs = new Set<Set<(event: StorageChange) => void>>();

  /** A tab's view: writes through `storage` tell every other tab. */
  tab(storage: Storage): { storage: Storage; events: StorageEvents } {
    const listeners = new Set<(event: StorageChange) => void>();
    this.#tabs.add(listeners);
    // As browsers do: only a change is told, never a write of the same value or a no-op removal.
    const tell = (key: string, before: string | null) => {
      const newValue = storage.getItem(key);
      if (newValue === before) return;
      for (const tab of this.#tabs) {
        if (tab === listeners) continue;
        for (const listener of tab) listener({ key, newValue });
      }
    };
    const view: Storage = Object.assign(Object.create(storage), {
      getItem: (key: string) => storage.getItem(key),
      key: (index: number) => storage.key(index),
      setItem: (key: string, value: string) => {
        const before = storage.getItem(key);
        storage.setItem(key, value);
        tell(key, before);
      },
      removeItem: (key: string) => {
        const before = storage.getItem(key);
        storage.removeItem(key);
        tell(key, before);
      },
    });
    Object.defineProperty(view, "length", { get: () => storage.length });
    const events: StorageEvents = {
      addEventListener: (_type, listener) => listeners.add(listener),
      removeEventListener: (_type, listener) => listeners.delete(listener),
    };
    return { storage: view, events };
  }
}

/** One browser: shared storage and locks, tabs that open and close, one server. */
function browser() {
  const storage = new MemoryStorage();
  const locks = new FakeLocks();
  const bus = new StorageBus();
  const clock = new ManualClock();
  const server = new FakeOutboxServer();
  let next = 0;
  let tabs = 0;
  let online = false;
  const openTab = () => {
    const tabId = `tab-${++tabs}`;
    const view = bus.tab(storage);
    return new Outbox({
      send: server.send,
      store: localOutboxStore(AUTHOR, view.storage, { tabId, locks, events: view.events }),
      now: () => clock.now,
      random: () => 1,
      timers: clock.timers,
      online: () => online,
      newId: () => `30000000-0000-4000-8000-${String(++next).padStart(12, "0")}`,
    });
  };
  const goOnline = (outboxes: Outbox[]) => {
    online = true;
    for (const outbox of outboxes) outbox.retryNow();
  };
  return { storage, locks, server, clock, openTab, goOnline };
}

const contents = (outbox: Outbox) => outbox.display(SPACE, []).map((item) => item.content);

describe("outbox hand-over between tabs", () => {
  test("two tabs offline keep their own entries, and each shows the other's as pending too", async () => {
    const { storage, openTab, clock } = browser();
    const a = openTab();
    const b = openTab();
    await settle();
    a.post(SPACE, AUTHOR, "from a");
    clock.advance(1);
    b.post(SPACE, AUTHOR, "from b");
    const a1 = storage.getItem(outboxKey(AUTHOR, "tab-1")) ?? "";
    const b1 = storage.getItem(outboxKey(AUTHOR, "tab-2")) ?? "";
    expect([a1.includes("from a"), a1.includes("from b")]).toEqual([true, false]);
    expect([b1.includes("from b"), b1.includes("from a")]).toEqual([true, false]);
    for (const tab of [a, b]) {
      expect(tab.display(SPACE, []).map((item) => [item.content, item.status])).toEqual([
        ["from a", "pending"],
        ["from b", "pending"],
      ]);
    }
    // Each sends only its own.
    expect(a.entries.map((entry) => entry.content)).toEqual(["from a"]);
    expect(b.entries.map((entry) => entry.content)).toEqual(["from b"]);
  });

  test("two tabs written to offline, both closed: the next page has every entry of both", async () => {
    const { openTab, goOnline, server } = browser();
    const a = openTab();
    const b = openTab();
    await settle();
    a.post(SPACE, AUTHOR, "from a");
    b.post(SPACE, AUTHOR, "from b");
    a.dispose();
    b.dispose();
    await settle();
    const next = openTab();
    await settle();
    expect(contents(next).sort()).toEqual(["from a", "from b"]);
    goOnline([next]);
    await settle();
    expect(server.stored.size).toBe(2);
  });

  test("a tab that closes with unsent entries hands them to a tab still open, which sends each once", async () => {
    const { storage, server, openTab, goOnline, clock } = browser();
    const a = openTab();
    const b = openTab();
    await settle();
    clock.advance(1);
    a.post(SPACE, AUTHOR, "a1");
    clock.advance(1);
    b.post(SPACE, AUTHOR, "b1");
    clock.advance(1);
    a.post(SPACE, AUTHOR, "a2");
    a.dispose();
    await settle();
    // Merged by when they were written: the space still receives them in order.
    expect(contents(b)).toEqual(["a1", "b1", "a2"]);
    expect(storage.getItem(outboxKey(AUTHOR, "tab-1"))).toBeNull();
    goOnline([b]);
    await settle();
    expect([...server.stored.values()].map((item) => item.content)).toEqual(["a1", "b1", "a2"]);
    expect(server.calls.length).toBe(3);
  });

  test("a tab opened after another one still adopts it when it goes", async () => {
    const { server, openTab, goOnline } = browser();
    const b = openTab();
    await settle();
    const a = openTab();
    await settle();
    a.post(SPACE, AUTHOR, "late tab's entry");
    await settle();
    a.dispose();
    await settle();
    expect(contents(b)).toEqual(["late tab's entry"]);
    goOnline([b]);
    await settle();
    expect([...server.stored.values()].map((item) => item.content)).toEqual(["late tab's entry"]);
  });

  test("a reload: the new page adopts what the old one left, and the old key is gone", async () => {
    const { storage, openTab, goOnline, server } = browser();
    const before = openTab();
    await settle();
    before.post(SPACE, AUTHOR, "written before the reload");
    before.dispose();
    const after = openTab();
    await settle();
    expect(contents(after)).toEqual(["written before the reload"]);
    expect(storage.getItem(outboxKey(AUTHOR, "tab-1"))).toBeNull();
    expect(storage.getItem(outboxKey(AUTHOR, "tab-2"))).toContain("written before the reload");
    goOnline([after]);
    await settle();
    expect(server.stored.size).toBe(1);
  });

  test("entries under the older shared key are adopted by the first tab", async () => {
    const { storage, openTab } = browser();
    const old = createEntry({
      id: "30000000-0000-4000-8000-00000000aaaa",
      spaceId: SPACE,
      authorId: AUTHOR,
      content: "kept from before",
      now: 5,
    });
    storage.setItem(outboxKey(AUTHOR), JSON.stringify([old]));
    const first = openTab();
    const second = openTab();
    await settle();
    expect(first.entries.map((entry) => entry.content)).toEqual(["kept from before"]);
    expect(second.entries).toEqual([]);
    // The second shows it as pending, from the first tab's key.
    expect(contents(second)).toEqual(["kept from before"]);
    expect(storage.getItem(outboxKey(AUTHOR))).toBeNull();
  });

  test("another being's outbox is left alone", async () => {
    const { storage, openTab } = browser();
    const other = outboxKey("20000000-0000-4000-8000-000000000009", "tab-x");
    storage.setItem(other, "[]");
    openTab();
    await settle();
    expect(storage.getItem(other)).toBe("[]");
  });
});

describe("adopt", () => {
  const entry = (id: number, queuedAt: number) =>
    createEntry({
      id: `30000000-0000-4000-8000-${String(id).padStart(12, "0")}`,
      spaceId: SPACE,
      authorId: AUTHOR,
      content: `c${id}`,
      now: queuedAt,
    });

  test("merges by when entries were written and keeps this tab's copy of a shared id", () => {
    const mine = [entry(1, 10), { ...entry(3, 30), attempts: 2 }];
    const merged = adopt(mine, [entry(2, 20), entry(3, 30)]);
    expect(merged.map((item) => [item.content, item.attempts])).toEqual([
      ["c1", 0],
      ["c2", 0],
      ["c3", 2],
    ]);
  });
});
