import type { QueryClient } from "@tanstack/svelte-query";
import type { Api } from "./client.ts";
import { request } from "./errors.ts";
import { keys } from "./queries.ts";

/** POST /api/spaces/:id/join; the space list (roles) and the members are read again. */
export async function joinSpace(api: Api, client: QueryClient, spaceId: string): Promise<void> {
  await request(api.api.spaces({ id: spaceId }).join.post());
  await Promise.all([
    client.invalidateQueries({ queryKey: keys.spaces }),
    client.invalidateQueries({ queryKey: keys.members(spaceId) }),
  ]);
}
