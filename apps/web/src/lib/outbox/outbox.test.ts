import { describe, expect, test } from "bun:test";
import type { Intention } from "@rhizome/protocol";
import { AUTHOR, OTHER_SPACE, SPACE, stamp } from "@rhizome/protocol/testing";
import {
  applyResult,
  classifySend,
  clientCursor,
  createEntry,
  enqueue,
  lastWrittenBySpace,
  nextToSend,
  nextWakeAt,
  type OutboxEntry,
  parseEntries,
  reconcile,
  retryNow,
  withPending,
} from "./outbox.ts";

const id = (n: number) => `20000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

const entry = (n: number, now = 1000, spaceId = SPACE): OutboxEntry =>
  createEntry({ id: id(n), spaceId, authorId: AUTHOR, content: `pending ${n}`, now: now + n });
const stored = (item: OutboxEntry, at: number): Intention => ({
  id: item.id,
  spaceId: item.spaceId,
  authorId: item.authorId,
  content: item.content,
  createdAt: stamp(at),
  updatedAt: stamp(at),
});
const synced = (n: number): Intention => ({
  id: id(n),
  spaceId: SPACE,
  authorId: AUTHOR,
  content: `pending ${n}`,
  createdAt: stamp(n),
  updatedAt: stamp(n),
});

describe("classifySend", () => {
  test("network errors, 5xx, 429 and 408 are retried; Retry-After is kept", () => {
    expect(classifySend(0, "offline")).toEqual({ kind: "retry", reason: "offline" });
    expect(classifySend(503, "down")).toEqual({ kind: "retry", reason: "down" });
    expect(classifySend(429, "slow down", 7000)).toEqual({
      kind: "retry",
      reason: "slow down",
      retryAfterMs: 7000,
    });
    expect(classifySend(408, "timeout").kind).toBe("retry");
  });

  // It was retried like a 5xx, hammering the server with a session that cannot come back.
  test("401 holds the entry, unchanged, until a sign-in", () => {
    expect(classifySend(401, "signed out")).toEqual({ kind: "held", reason: "signed out" });
    const entries = [entry(1)];
    const held = applyResult(
      entries,
      id(1),
      { kind: "held", reason: "signed out" },
      {
        now: 5000,
        random: 0,
      },
    );
    expect(held).toEqual({ entries });
  });

  test("other 4xx are final", () => {
    for (const status of [400, 403, 404, 409, 413]) {
      expect(classifySend(status, "no")).toEqual({ kind: "rejected", status, message: "no" });
    }
  });
});

describe("sending order", () => {
  test("one entry at a time, oldest first, never overtaking a waiting one", () => {
    let entries = enqueue(enqueue([], entry(1)), entry(2));
    expect(nextToSend(entries, 2000)?.id).toBe(id(1));
    entries = applyResult(
      entries,
      id(1),
      { kind: "retry", reason: "offline" },
      {
        now: 2000,
        random: 1,
      },
    ).entries;
    // The head waits out its backoff and the second one waits behind it.
    expect(nextToSend(entries, 2000)).toBeUndefined();
    expect(nextWakeAt(entries)).toBe(3000);
    expect(nextToSend(entries, 2999)).toBeUndefined();
    expect(nextToSend(entries, 3000)?.id).toBe(id(1));
    entries = applyResult(
      entries,
      id(1),
      { kind: "stored", intention: stored(entry(1), 5) },
      {
        now: 3000,
        random: 0,
      },
    ).entries;
    expect(nextToSend(entries, 3000)?.id).toBe(id(2));
  });

  test("enqueueing an id twice keeps one entry", () => {
    const entries = enqueue(enqueue([], entry(1)), entry(1));
    expect(entries.length).toBe(1);
  });
});

describe("backoff", () => {
  test("grows with full jitter up to 20 s and honours Retry-After as a floor", () => {
    let entries: OutboxEntry[] = [entry(1)];
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 8; attempt++) {
      entries = applyResult(
        entries,
        id(1),
        { kind: "retry", reason: "503" },
        {
          now: 0,
          random: 1,
        },
      ).entries;
      delays.push(entries[0]?.nextAttemptAt ?? -1);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 20000, 20000, 20000]);
    const limited = applyResult(
      [entry(1)],
      id(1),
      {
        kind: "retry",
        reason: "429",
        retryAfterMs: 30_000,
      },
      { now: 0, random: 0 },
    ).entries;
    expect(limited[0]?.nextAttemptAt).toBe(30_000);
    expect(limited[0]?.attempts).toBe(1);
  });

  test("coming back online makes everything due at once", () => {
    const waiting = applyResult(
      [entry(1)],
      id(1),
      { kind: "retry", reason: "x" },
      {
        now: 0,
        random: 1,
      },
    ).entries;
    expect(nextToSend(waiting, 10)).toBeUndefined();
    expect(nextToSend(retryNow(waiting, 10), 10)?.id).toBe(id(1));
  });
});

describe("rejection", () => {
  test("a refused entry is dropped and reported, so the next one can go", () => {
    const entries = [entry(1), entry(2)];
    const { entries: next, dropped } = applyResult(
      entries,
      id(1),
      {
        kind: "rejected",
        status: 403,
        message: "join the space before posting",
      },
      { now: 0, random: 0 },
    );
    expect(next.map((item) => item.id)).toEqual([id(2)]);
    expect(dropped?.entry.id).toBe(id(1));
    expect(dropped?.message).toBe("join the space before posting");
  });
});

describe("reconcile", () => {
  test("an entry leaves the outbox when its id reaches the synced window", () => {
    const first = entry(1);
    const entries = applyResult(
      [first, entry(2)],
      id(1),
      {
        kind: "stored",
        intention: stored(first, 5),
      },
      { now: 0, random: 0 },
    ).entries;
    const next = reconcile(entries, SPACE, new Set([id(1)]), stamp(5));
    expect(next.map((item) => item.id)).toEqual([id(2)]);
  });

  test("a stored entry the stream moved past without it (deleted meanwhile) leaves too", () => {
    const first = entry(1);
    const entries = applyResult(
      [first],
      id(1),
      { kind: "stored", intention: stored(first, 5) },
      {
        now: 0,
        random: 0,
      },
    ).entries;
    expect(reconcile(entries, SPACE, new Set(), stamp(4)).length).toBe(1);
    expect(reconcile(entries, SPACE, new Set(), stamp(6)).length).toBe(0);
  });

  test("unsent entries and other spaces' entries stay", () => {
    const entries = [entry(1), entry(2, 1000, OTHER_SPACE)];
    expect(reconcile(entries, SPACE, new Set([id(2)]), stamp(99)).length).toBe(2);
  });
});

describe("withPending", () => {
  test("pending entries follow the window, marked pending; a synced id shows once, as sent", () => {
    const entries = [entry(1), entry(2), entry(3, 1000, OTHER_SPACE)];
    const shown = withPending([synced(1)], entries, SPACE);
    expect(shown.map((item) => [item.id, item.status])).toEqual([
      [id(1), "sent"],
      [id(2), "pending"],
    ]);
    expect(new Set(shown.map((item) => item.id)).size).toBe(shown.length);
  });

  test("an acknowledged entry shows as sent at the server's stamps before its delta arrives", () => {
    // Stored before the synced #8 arrived: it shows in its place, before #8.
    const acknowledged = { ...entry(2), storedAt: stamp(7), storedCreatedAt: stamp(6) };
    const shown = withPending([synced(1), synced(8)], [acknowledged, entry(3)], SPACE);
    expect(shown.map((item) => [item.id, item.status, item.createdAt, item.updatedAt])).toEqual([
      [id(1), "sent", synced(1).createdAt, synced(1).updatedAt],
      [id(2), "sent", stamp(6), stamp(7)],
      [id(8), "sent", synced(8).createdAt, synced(8).updatedAt],
      [id(3), "pending", clientCursor(entry(3).queuedAt), clientCursor(entry(3).queuedAt)],
    ]);
  });

  test("a pending entry carries a cursor-shaped stamp from the client clock", () => {
    expect(clientCursor(Date.UTC(2025, 0, 2, 3, 4, 5, 678))).toBe("2025-01-02T03:04:05.678000Z");
  });
});

describe("parseEntries", () => {
  test("reads what was saved and ignores anything malformed", () => {
    const good = entry(1);
    const raw = JSON.stringify([
      good,
      { id: "nope" },
      42,
      { ...entry(2), storedAt: "yesterday" },
      { ...entry(3), storedCreatedAt: 5 },
    ]);
    expect(parseEntries(raw)).toEqual([good]);
    expect(parseEntries("{not json")).toEqual([]);
    expect(parseEntries(null)).toEqual([]);
    expect(parseEntries('{"a":1}')).toEqual([]);
  });
});

describe("lastWrittenBySpace", () => {
  test("each space's newest entry: the server's stamp once stored, else the client clock's", () => {
    const acknowledged = { ...entry(2), storedAt: stamp(7), storedCreatedAt: stamp(6) };
    const dayLater = entry(1, Date.UTC(2025, 0, 2)); // queued after the stored one's stamp
    const elsewhereOld = entry(3, 1000, OTHER_SPACE); // queued in 1970
    const elsewhereStored = { ...entry(4, 1000, OTHER_SPACE), storedCreatedAt: stamp(9) };
    const written = lastWrittenBySpace([acknowledged, dayLater, elsewhereOld, elsewhereStored]);
    expect(written.get(SPACE)).toBe(clientCursor(dayLater.queuedAt));
    expect(written.get(OTHER_SPACE)).toBe(stamp(9));
    expect(lastWrittenBySpace([]).size).toBe(0);
  });
});
