import { afterEach, describe, expect, test } from "bun:test";
import { type Being, buildDelta, buildReset } from "@rhizome/protocol";
import { change, intention, SPACE, stamp } from "@rhizome/protocol/testing";
import { QueryClient } from "@tanstack/svelte-query";
import { flushSync } from "svelte";
import { FakeMultiTransport } from "../../../../../packages/client/src/testing/fake-transport.ts";
import { createApi } from "../api/client.ts";
import { keys } from "../api/queries.ts";
import { Messenger } from "../messenger/messenger.svelte.ts";
import { inEffectRoot } from "../testing/effect-root.svelte.ts";
import { KnownBeings } from "./known-beings.svelte.ts";

const being = (n: number, name: string): Being => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  handle: name.toLowerCase(),
  name,
  color: "#3b5bdb",
  createdAt: stamp(0),
  updatedAt: stamp(0),
});
const ME = being(1, "Ada");
const STRANGER = being(2, "Grace");

/** The API as far as beings go: GETs recorded, answered from what the test set up. */
class FakeApi {
  readonly calls: string[] = [];
  members: Being[] = [ME];
  readonly beings = new Map([ME, STRANGER].map((one) => [one.id, one]));

  readonly fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    this.calls.push(`${request.method} ${path}`);
    if (path === `/api/spaces/${SPACE}/beings`) return json(200, { beings: this.members });
    const one = this.beings.get(path.replace("/api/beings/", ""));
    if (path.startsWith("/api/beings/") && one) return json(200, { being: one });
    return json(404, { error: { code: "not_found", message: "not found" } });
  }) as typeof fetch;

  count(path: string): number {
    return this.calls.filter((call) => call === `GET ${path}`).length;
  }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/** Runs effects and TanStack's batched notifications until `done` holds. */
async function until(done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 200; turn++) {
    flushSync();
    if (done()) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  throw new Error("the condition never held");
}

/** A few turns for whatever a change would set off (a fetch) to have started. */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 5; turn++) {
    flushSync();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

let dispose = () => {};
afterEach(() => dispose());

function setup() {
  const fake = new FakeMultiTransport();
  const server = new FakeApi();
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const messenger = new Messenger({
    beingId: ME.id,
    queryClient,
    listSpaces: async () => [],
    putRead: async () => {},
    loadHistory: () => new Promise(() => {}),
    transport: fake.transport,
  });
  const sync = {
    get intentions() {
      return messenger.intentions(SPACE);
    },
  };
  const root = inEffectRoot(
    () =>
      new KnownBeings({
        api: createApi("http://app.test", server.fetcher),
        queryClient,
        spaceId: SPACE,
        me: () => ME,
        // What the chat view passes: the authors of the synced window.
        authorIds: () => [...new Set(sync.intentions.map((item) => item.authorId))],
      }),
  );
  // The view keeps the space followed by showing it; here the test holds it.
  messenger.start();
  const release = messenger.open(SPACE);
  dispose = () => {
    release();
    messenger.dispose();
    root.dispose();
  };
  return { fake, server, queryClient, sync, beings: root.value };
}

describe("KnownBeings", () => {
  test("a delta from an unknown author fetches that being once; the cache answers after", async () => {
    const { fake, server, queryClient, sync, beings } = setup();
    flushSync();
    await fake.opened(1);
    fake.latest.push(buildReset(SPACE, stamp(1), [intention(1, { authorId: ME.id })]));
    await until(() => beings.members.isSuccess && beings.isMember === true);
    expect(server.count(`/api/beings/${ME.id}`)).toBe(0);

    // Grace is not a member and not cached: her first message asks for her, by id.
    fake.latest.push(buildDelta(SPACE, stamp(1), [change(2, { authorId: STRANGER.id })]));
    await until(() => beings.byId.get(STRANGER.id)?.name === "Grace");
    expect(server.count(`/api/beings/${STRANGER.id}`)).toBe(1);
    expect(queryClient.getQueryData(keys.being(STRANGER.id))).toEqual(STRANGER);
    // Nor a member: the list is read again once, in case she has just joined.
    await until(() => !beings.members.isFetching);
    expect(server.count(`/api/spaces/${SPACE}/beings`)).toBe(2);

    // Her second message is named from the cache: nothing more is fetched.
    fake.latest.push(buildDelta(SPACE, stamp(2), [change(3, { authorId: STRANGER.id })]));
    await until(() => sync.intentions.length === 3);
    await settle();
    expect(server.count(`/api/beings/${STRANGER.id}`)).toBe(1);
    expect(server.count(`/api/spaces/${SPACE}/beings`)).toBe(2);
    expect(server.calls.every((call) => call.startsWith("GET "))).toBe(true);
  });
});
