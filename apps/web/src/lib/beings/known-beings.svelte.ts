import type { Being } from "@rhizome/protocol";
import {
  type CreateQueryResult,
  createQueries,
  createQuery,
  type QueryClient,
} from "@tanstack/svelte-query";
import type { Api } from "../api/client.ts";
import type { LocalCache } from "../api/local-cache.ts";
import { beingQuery, keys, membersQuery } from "../api/queries.ts";

export type KnownBeingsOptions = {
  api: Api;
  queryClient: QueryClient;
  spaceId: string;
  /** The signed-in being, as they are now (a profile change shows at once). */
  me: () => Being;
  /** The authors of what the view shows. */
  authorIds: () => readonly string[];
  cache?: () => LocalCache | undefined;
};

/**
 * The beings a space's view names: its members (one request, which also fills the per-being
 * cache) and every other author it shows, fetched once by id through the TanStack Query
 * cache (`keys.being`). Made while a component (or an effect root) is set up.
 */
export class KnownBeings {
  readonly members: CreateQueryResult<Being[], Error>;
  readonly #authors: readonly { data?: Being | undefined }[];
  readonly #options: KnownBeingsOptions;
  /** Authors for whom the member list was read again (once each). */
  readonly #rechecked = new Set<string>();

  /** Every known being by id: members, other authors, and oneself as of now. */
  byId = $derived.by(() => {
    const byId = new Map<string, Being>();
    for (const being of this.members.data ?? []) byId.set(being.id, being);
    for (const result of this.#authors) if (result.data) byId.set(result.data.id, result.data);
    const me = this.#options.me();
    byId.set(me.id, me);
    return byId;
  });

  /** The members, each as the cache knows them now. */
  list = $derived.by(() =>
    (this.members.data ?? []).map((being) => this.byId.get(being.id) ?? being),
  );

  /** Undefined until the member list is known. */
  isMember = $derived.by(() =>
    this.members.data?.some((being) => being.id === this.#options.me().id),
  );

  constructor(options: KnownBeingsOptions) {
    this.#options = options;
    const { api, queryClient, spaceId } = options;
    this.members = createQuery(
      () => membersQuery(api, queryClient, spaceId, options.cache?.()),
      () => queryClient,
    );
    // An author the cache does not know (not a member any more, or joined since) is fetched;
    // members are not, once their list has filled the cache.
    this.#authors = createQueries(
      () => ({
        queries: options
          .authorIds()
          .map((id) => ({ ...beingQuery(api, id), enabled: !this.members.isPending })),
      }),
      () => queryClient,
    );
    // There is no presence traffic: an author missing from the member list has probably just
    // joined, so the list is fetched again (once per such author, in case they left instead).
    $effect(() => {
      if (!this.members.isSuccess || this.members.isFetching) return;
      const known = new Set(this.members.data.map((being) => being.id));
      const missing = options
        .authorIds()
        .filter((id) => !known.has(id) && !this.#rechecked.has(id));
      if (missing.length === 0) return;
      for (const id of missing) this.#rechecked.add(id);
      void queryClient.invalidateQueries({ queryKey: keys.members(spaceId) });
    });
  }
}
