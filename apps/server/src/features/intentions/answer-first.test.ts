import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Space } from "@rhizome/protocol";
import type { WriteHooks } from "../../sync/source.ts";
import { describeEachDriver } from "../../testing/databases.ts";
import { TestApp } from "../../testing/test-app.ts";
import { hashToken } from "../auth/tokens.ts";
import { IntentionsService } from "./service.ts";

/**
 * A post answers its sender before its change is handed to this instance's subscribers: a
 * send to thousands takes tens of milliseconds, which the sender's "Sending…" must not wait
 * out. The post ends (its held notification goes on) only after the hand-over.
 */
describeEachDriver("a post answers before it fans out", (handle) => {
  let app: TestApp;
  let spaceId: string;
  let token: string;

  beforeAll(async () => {
    app = await TestApp.create(handle.database);
    const maker = await app.signup("answer_first_maker");
    token = maker.token;
    const { space } = await app.expect<{ space: Space }>(201, "POST", "/api/spaces", {
      token,
      body: { name: "Answer first", visibility: "public" },
    });
    spaceId = space.id;
  });
  afterAll(() => app.close());

  /** A service whose hooks and deferred steps are recorded, to be run by the test. */
  function rig() {
    const events: string[] = [];
    const deferred: (() => void)[] = [];
    const hooks: WriteHooks = {
      writing: () => () => events.push("ended"),
      stored: (_, local) => events.push(local ? `stored ${local.change.content}` : "stored"),
      committed: (_, local) => events.push(local ? `committed ${local.change.content}` : "bare"),
    };
    const service = new IntentionsService(app.ctx.db, app.ctx.limits.writes, hooks, (step) =>
      deferred.push(step),
    );
    return { events, deferred, service };
  }

  test("the answer comes first, then the change is handed over, then the post ends", async () => {
    const { events, deferred, service } = rig();
    const result = await service.post(spaceId, hashToken(token), { content: "first out" });
    expect(result).toMatchObject({ created: true, intention: { content: "first out" } });
    // Only what must not wait for the answer (the other processes' word) happened yet.
    expect(events).toEqual(["stored first out"]);
    expect(deferred).toHaveLength(1);
    deferred[0]?.();
    expect(events).toEqual(["stored first out", "committed first out", "ended"]);
  });

  test("an edit and a delete are stored and handed over at once, read back on notification", async () => {
    const { events, deferred, service } = rig();
    const posted = await service.post(spaceId, hashToken(token), { content: "to change" });
    for (const step of deferred.splice(0)) step();
    const id = (posted as { intention: { id: string } }).intention.id;
    events.length = 0;
    await service.edit(id, hashToken(token), "changed");
    expect(events).toEqual(["stored", "bare"]);
    await service.delete(id, hashToken(token));
    expect(events).toEqual(["stored", "bare", "stored", "bare"]);
    expect(deferred).toEqual([]);
  });

  test("a refused post hands nothing over and still ends", async () => {
    const { events, deferred, service } = rig();
    const result = await service.post(spaceId, hashToken("no such session"), { content: "x" });
    expect(result).toMatchObject({ failure: "unauthorized" });
    for (const step of deferred) step();
    expect(events).toEqual(["ended"]);
  });

  test("a replay of a stored post hands nothing over", async () => {
    const { events, deferred, service } = rig();
    const id = crypto.randomUUID();
    await service.post(spaceId, hashToken(token), { id, content: "once" });
    for (const step of deferred.splice(0)) step();
    events.length = 0;
    const replay = await service.post(spaceId, hashToken(token), { id, content: "once" });
    expect(replay).toMatchObject({ created: false, intention: { id } });
    for (const step of deferred) step();
    expect(events).toEqual(["ended"]);
  });
});
