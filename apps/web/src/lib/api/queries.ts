import { type Being, type Cursor, type Intention, retryable, type Space } from "@rhizome/protocol";
import { type QueryClient, queryOptions } from "@tanstack/svelte-query";
import type { Api } from "./client.ts";
import { ApiRequestError, request } from "./errors.ts";
import type { LocalCache } from "./local-cache.ts";

/** Query keys: every being lives under `beings`, so a profile change invalidates them at once. */
export const keys = {
  beings: ["beings"] as const,
  being: (id: string) => ["beings", "one", id] as const,
  members: (spaceId: string) => ["beings", "members", spaceId] as const,
  spaces: ["spaces"] as const,
  space: (id: string) => ["spaces", "one", id] as const,
};

/** Profiles change rarely and there is no presence traffic: reuse them for a while. */
const BEING_STALE_MS = 5 * 60_000;

/**
 * Reads through the device cache: its answer is the (stale) initial data, every answer of
 * the server replaces it, and a 404 removes it.
 */
async function remembered<T>(
  cache: LocalCache | undefined,
  key: readonly unknown[],
  load: () => Promise<T>,
): Promise<T> {
  try {
    const value = await load();
    cache?.set(key, value);
    return value;
  } catch (error) {
    if (error instanceof ApiRequestError && error.isNotFound) cache?.delete(key);
    throw error;
  }
}

/** The members of a space; each one also seeds the per-being cache the messages read. */
export function membersQuery(api: Api, client: QueryClient, spaceId: string, cache?: LocalCache) {
  const queryKey = keys.members(spaceId);
  return queryOptions({
    queryKey,
    queryFn: (): Promise<Being[]> =>
      remembered(cache, queryKey, async () => {
        const { beings } = await request(api.api.spaces({ id: spaceId }).beings.get());
        for (const being of beings) client.setQueryData(keys.being(being.id), being);
        return beings;
      }),
    initialData: () => cache?.get<Being[]>(queryKey),
    initialDataUpdatedAt: 0,
    staleTime: 60_000,
  });
}

/**
 * One being by id: what a delta naming an unknown author triggers. With the device cache, the
 * name shows offline too (the sidebar's previews).
 */
export function beingQuery(api: Api, id: string, cache?: LocalCache) {
  const queryKey = keys.being(id);
  return queryOptions({
    queryKey,
    queryFn: (): Promise<Being> =>
      remembered(cache, queryKey, async () => (await request(api.api.beings({ id }).get())).being),
    initialData: () => cache?.get<Being>(queryKey),
    initialDataUpdatedAt: 0,
    staleTime: BEING_STALE_MS,
  });
}

/**
 * A listed space with the caller's role in it (null: public, not joined); a member's entry
 * adds the read marker, the unread count (100: 100 or more) and the latest intention.
 */
export type ListedSpace = Space & {
  role: "owner" | "member" | null;
  readAt?: Cursor | null;
  unread?: number;
  lastIntention?: Intention | null;
};

export function spacesQuery(api: Api) {
  return queryOptions({
    queryKey: keys.spaces,
    queryFn: async (): Promise<ListedSpace[]> => (await request(api.api.spaces.get())).spaces,
  });
}

export function spaceQuery(api: Api, id: string, cache?: LocalCache) {
  const queryKey = keys.space(id);
  return queryOptions({
    queryKey,
    queryFn: (): Promise<Space> =>
      remembered(cache, queryKey, async () => (await request(api.api.spaces({ id }).get())).space),
    initialData: () => cache?.get<Space>(queryKey),
    initialDataUpdatedAt: 0,
  });
}

/** Retries, three times at most, what may pass next time (`retryable`), never a definite answer. */
export function shouldRetry(failures: number, error: unknown): boolean {
  if (error instanceof ApiRequestError && !retryable(error.status, "query")) return false;
  return failures < 3;
}
