import { QueryClient } from "@tanstack/svelte-query";
import { createContext } from "svelte";
import { type Api, api } from "./api/client.ts";
import { failureOf, request } from "./api/errors.ts";
import { LocalCache } from "./api/local-cache.ts";
import { keys, type ListedSpace, shouldRetry } from "./api/queries.ts";
import { browserFreshnessEnv, refreshOnFocusAndInterval } from "./beings/freshness.ts";
import { Messenger } from "./messenger/messenger.svelte.ts";
import { browserReadPort } from "./messenger/read-markers.ts";
import { browserNetwork, browserPage } from "./messenger/signals.ts";
import { Outbox } from "./outbox/outbox.svelte.ts";
import { classifySend, type SendResult } from "./outbox/outbox.ts";
import { localOutboxStore, type TabOwnership } from "./outbox/storage.ts";
import { Session } from "./session/session.svelte.ts";

/** Sends one outbox entry with its client-made id: POST /api/spaces/:id/intentions. */
function sender(client: Api) {
  return async (entry: { id: string; spaceId: string; content: string }): Promise<SendResult> => {
    const result = await client.api
      .spaces({ id: entry.spaceId })
      .intentions.post({ id: entry.id, content: entry.content });
    const failure = failureOf(result);
    if (!failure && result.data) return { kind: "stored", intention: result.data.intention };
    const error = failure ?? { status: 0, message: "no answer", retryAfterMs: undefined };
    return classifySend(error.status, error.message, error.retryAfterMs);
  };
}

/** The messenger of `beingId`: its spaces over the browser's one connection. */
function messenger(app: AppState, beingId: string): Messenger {
  const client = app.api;
  return new Messenger({
    beingId,
    queryClient: app.queryClient,
    listSpaces: async () => {
      const { spaces } = await request(client.api.spaces.get());
      app.cache?.set(keys.spaces, spaces);
      return spaces;
    },
    putRead: async (spaceId, cursor) => {
      // keepalive: a marker flushed as the page goes away still arrives.
      await request(
        client.api.spaces({ id: spaceId }).read.put({ cursor }, { fetch: { keepalive: true } }),
      );
    },
    loadHistory: (spaceId, before, limit) =>
      request(
        client.api.spaces({ id: spaceId }).intentions.get({
          query: before === undefined ? { limit } : { before, limit },
        }),
      ),
    onWindow: (spaceId, window, cursor) => app.outbox?.reconcile(spaceId, window, cursor),
    ownWrites: () => app.outbox?.lastWritten() ?? new Map(),
    onUnauthorized: () => app.session.expired(),
    onReconnect: () => app.refreshBeings(),
    network: browserNetwork(),
    page: browserPage(),
    readPort: browserReadPort(beingId),
  });
}

/** Each page load's outbox under a key of its own, where the browser has Web Locks. */
function browserOwnership(): TabOwnership | undefined {
  const locks = globalThis.navigator?.locks;
  if (!locks || typeof window === "undefined") return undefined;
  return {
    tabId: crypto.randomUUID(),
    locks: { request: (name, callback) => locks.request(name, callback) },
    events: window,
  };
}

/** What every screen shares: the API, the session, the beings cache, the outbox, the messenger. */
export class AppState {
  readonly api: Api;
  readonly session: Session;
  readonly queryClient: QueryClient;
  #outbox = $state.raw<Outbox | null>(null);
  #cache = $state.raw<LocalCache | undefined>(undefined);
  #messenger = $state.raw<Messenger | null>(null);
  #owner: string | null = null;

  constructor() {
    this.api = api();
    this.session = new Session(
      {
        me: async () => (await request(this.api.api.me.get())).being,
        signOut: async () => {
          // Markers still waiting are sent while the session can still move them.
          this.#messenger?.flushReads();
          await request(this.api.api.auth.signout.post());
        },
      },
      globalThis.localStorage,
      (state) => {
        if (state.status === "signed-in") {
          this.useBeing(state.being.id);
          this.#outbox?.resume();
        } else if (state.status === "signed-out") this.forgetUser();
      },
    );
    this.queryClient = new QueryClient({
      defaultOptions: { queries: { retry: shouldRetry, refetchOnWindowFocus: false } },
    });
    // Others' profile changes have no live feed: read them again on focus and every minute.
    const env = browserFreshnessEnv();
    if (env) refreshOnFocusAndInterval(() => this.refreshBeings(), env);
  }

  /** Every cached being is read again (the ones on screen at once). */
  refreshBeings(): void {
    void this.queryClient.invalidateQueries({ queryKey: keys.beings });
  }

  /** The signed-in being's outbox (null when signed out). */
  get outbox(): Outbox | null {
    return this.#outbox;
  }

  /** The signed-in being's spaces, unread counts and synced windows (null when signed out). */
  get messenger(): Messenger | null {
    return this.#messenger;
  }

  /** The signed-in being's device cache of spaces and members (for an offline start). */
  get cache(): LocalCache | undefined {
    return this.#cache;
  }

  /** Opens the outbox and the device cache of `beingId`, closing any other being's. */
  useBeing(beingId: string | null): void {
    if (beingId === this.#owner) return;
    this.#outbox?.dispose();
    this.#messenger?.dispose();
    this.#owner = beingId;
    const storage = globalThis.localStorage;
    this.#cache = beingId === null ? undefined : new LocalCache(beingId, storage);
    this.#outbox =
      beingId === null
        ? null
        : new Outbox({
            send: sender(this.api),
            store: localOutboxStore(beingId, storage, browserOwnership()),
          });
    if (beingId !== null) {
      // This device's last list paints the sidebar at once (offline too); it is read again.
      const known = this.#cache?.get<ListedSpace[]>(keys.spaces);
      if (known) this.queryClient.setQueryData(keys.spaces, known, { updatedAt: 0 });
    }
    this.#messenger = beingId === null ? null : messenger(this, beingId);
    this.#messenger?.start();
  }

  /** Signed out or expired: forget what was cached for the previous being. */
  forgetUser(): void {
    this.useBeing(null);
    this.queryClient.clear();
    LocalCache.clear(globalThis.localStorage);
  }
}

export const [getApp, setApp] = createContext<AppState>();
