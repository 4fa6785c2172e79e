import { QueryClient } from "@tanstack/svelte-query";
import { createContext } from "svelte";
import { type Api, api } from "./api/client.ts";
import { failureOf, request } from "./api/errors.ts";
import { LocalCache } from "./api/local-cache.ts";
import { keys, shouldRetry } from "./api/queries.ts";
import {
  browserFreshnessEnv,
  type ConnectionSource,
  refreshOnFocusAndInterval,
  refreshOnReconnect,
} from "./beings/freshness.ts";
import { Outbox } from "./outbox/outbox.svelte.ts";
import { classifySend, type SendResult } from "./outbox/outbox.ts";
import { localOutboxStore } from "./outbox/storage.ts";
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

/** What every screen shares: the API, the session, the beings cache and the outbox. */
export class AppState {
  readonly api: Api;
  readonly session: Session;
  readonly queryClient: QueryClient;
  #outbox = $state.raw<Outbox | null>(null);
  #cache = $state.raw<LocalCache | undefined>(undefined);
  #owner: string | null = null;

  constructor() {
    this.api = api();
    this.session = new Session(
      {
        me: async () => (await request(this.api.api.me.get())).being,
        signOut: async () => {
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

  /** Reads the beings again each time `stream` is live after a drop; returns the undo. */
  refreshBeingsOnReconnect(stream: ConnectionSource): () => void {
    return refreshOnReconnect(() => this.refreshBeings(), stream);
  }

  /** The signed-in being's outbox (null when signed out). */
  get outbox(): Outbox | null {
    return this.#outbox;
  }

  /** The signed-in being's device cache of spaces and members (for an offline start). */
  get cache(): LocalCache | undefined {
    return this.#cache;
  }

  /** Opens the outbox and the device cache of `beingId`, closing any other being's. */
  useBeing(beingId: string | null): void {
    if (beingId === this.#owner) return;
    this.#outbox?.dispose();
    this.#owner = beingId;
    const storage = globalThis.localStorage;
    this.#cache = beingId === null ? undefined : new LocalCache(beingId, storage);
    this.#outbox =
      beingId === null
        ? null
        : new Outbox({ send: sender(this.api), store: localOutboxStore(beingId, storage) });
  }

  /** Signed out or expired: forget what was cached for the previous being. */
  forgetUser(): void {
    this.useBeing(null);
    this.queryClient.clear();
    LocalCache.clear(globalThis.localStorage);
  }
}

export const [getApp, setApp] = createContext<AppState>();
