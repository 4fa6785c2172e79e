import { describe, expect, test } from "bun:test";
import { ManualClock } from "@rhizome/client/testing";
import fc from "fast-check";
import { ModelSource } from "../testing/model-source.ts";
import { AUTHOR, SPACE, TestClient } from "../testing/sync.ts";
import { SpaceChannel } from "./channel.ts";
import { SyncMetrics } from "./metrics.ts";

type Action =
  | { kind: "create" }
  | { kind: "edit"; pick: number }
  | { kind: "delete"; pick: number }
  | { kind: "join"; cursor: "none" | "head" | number }
  | { kind: "leave"; pick: number }
  | { kind: "tick"; ms: number }
  | { kind: "run" };

const actionArb: fc.Arbitrary<
  Action & { lost?: boolean; local?: boolean; returned?: boolean; early?: boolean }
> = fc.oneof(
  // One notification in four is lost, as while a LISTEN connection is down; a write made
  // through this process also reports its commit at once (`committed`), and may hand over
  // the change with its predecessor's head, which the channel may send without a read.
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("create" as const),
      lost: fc.nat(3).map((n) => n === 0),
      local: fc.boolean(),
      returned: fc.boolean(),
      early: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("edit" as const),
      pick: fc.nat(),
      lost: fc.nat(3).map((n) => n === 0),
      local: fc.boolean(),
      returned: fc.boolean(),
      early: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("delete" as const),
      pick: fc.nat(),
      lost: fc.nat(3).map((n) => n === 0),
      local: fc.boolean(),
      returned: fc.boolean(),
      early: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("join" as const),
      cursor: fc.oneof(fc.constant("none" as const), fc.constant("head" as const), fc.nat(80)),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("leave" as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("tick" as const),
      ms: fc.integer({ min: 1, max: 150 }),
    }),
  },
  { weight: 4, arbitrary: fc.constant({ kind: "run" as const }) },
);

const microtasks = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Lets every timer fire and every scheduled read run, until nothing is left to do. */
async function drain(scheduler: fc.Scheduler, clock: ManualClock) {
  for (let round = 0; round < 30; round++) {
    clock.advance(200);
    await microtasks();
    while (scheduler.count() > 0) {
      await scheduler.waitAll();
      await microtasks();
    }
  }
}

describe("SpaceChannel, model-based", () => {
  test("any interleaving of writes (some reported locally, some notifications lost), joins, leaves and reads keeps every chain and converges", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.tuple(actionArb, fc.nat(3)), { minLength: 10, maxLength: 80 }),
        fc.integer({ min: 1, max: 4 }),
        // 1: every window is the full 100 ms; 1,000: a window of a millisecond or two, so
        // that local changes often find it closed and are sent without a read.
        fc.constantFrom(1, 1000),
        async (scheduler, actions, maxBatch, batchAudience) => {
          const source = new ModelSource(SPACE, (read) =>
            scheduler.schedule(Promise.resolve()).then(read),
          );
          const clock = new ManualClock();
          const channel = new SpaceChannel(SPACE, {
            source,
            settings: {
              batchMs: 100,
              batchAudience,
              maxBatch,
              catchupLimit: 4,
              pageSize: 1000,
              heartbeatMs: 500,
              maxBufferBytes: 1 << 30,
            },
            metrics: new SyncMetrics(),
            timers: clock.timers,
          });
          const clients: TestClient[] = [];
          const stamps: string[] = [source.head];
          const ids = () => [...source.rows.keys()];
          for (const [action, settle] of actions) {
            if (action.kind === "create" || action.kind === "edit" || action.kind === "delete") {
              const id = ids()[("pick" in action ? action.pick : 0) % Math.max(ids().length, 1)];
              // A post through this process: its notification may arrive before its result.
              const ended = action.local && action.returned ? channel.writing() : undefined;
              const changed =
                action.kind === "create"
                  ? Boolean(source.create(AUTHOR, `c${source.clock}`))
                  : action.kind === "edit"
                    ? id !== undefined && source.edit(id, `e${source.clock}`)
                    : id !== undefined && source.remove(id);
              if (changed) {
                const previous = stamps.at(-1) as string;
                stamps.push(source.head);
                // A local post also hands over its change and its predecessor's head.
                const change = [...source.rows.values()].find((r) => r.updatedAt === source.head);
                if (!action.lost && action.early) channel.notify();
                if (action.local) {
                  channel.committed(action.returned && change ? { previous, change } : undefined);
                }
                ended?.();
                if (!action.lost && !action.early) channel.notify();
              }
              ended?.();
            } else if (action.kind === "join") {
              const cursor =
                action.cursor === "none"
                  ? undefined
                  : action.cursor === "head"
                    ? source.head
                    : stamps[action.cursor % stamps.length];
              const client = new TestClient(
                cursor,
                cursor ? (source.snapshots.get(cursor) ?? []) : [],
              );
              clients.push(client);
              channel.join(client.subscriber, cursor);
            } else if (action.kind === "leave") {
              const client = clients[action.pick % Math.max(clients.length, 1)];
              if (client) {
                client.subscriber.close("client-gone");
                channel.leave(client.subscriber);
              }
            } else if (action.kind === "tick") {
              clock.advance(action.ms);
            } else {
              if (scheduler.count() > 0) await scheduler.waitOne();
            }
            // Between actions, let some, none or all pending reads and callbacks run.
            if (settle === 1 && scheduler.count() > 0) await scheduler.waitOne();
            if (settle === 2) await scheduler.waitAll();
            if (settle > 0) await microtasks();
          }
          // The safety net: one more wake-up finds whatever lost notifications left behind.
          channel.notify();
          await drain(scheduler, clock);
          for (const client of clients) {
            const bad = client.outcomes.filter((o) => o.kind !== "applied" && o.kind !== "reset");
            expect(bad).toEqual([]);
            if (client.subscriber.closed) continue;
            expect(source.isCaughtUp(client.state)).toBe(true);
            expect(client.state.window).toEqual(source.live());
          }
          channel.dispose();
        },
      ),
      process.env.FC_SEED
        ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH, endOnFailure: true }
        : { numRuns: 150 },
    );
  });
});
