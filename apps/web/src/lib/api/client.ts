import { treaty } from "@elysiajs/eden";
import type { App } from "@rhizome/server";

/**
 * The typed API client (Eden treaty) for the same-origin `/api`. `parseDate: false`, because
 * Eden would otherwise turn every cursor into a `Date` and drop its microseconds.
 */
export function createApi(origin: string, fetcher?: typeof fetch) {
  return treaty<App>(origin, {
    parseDate: false,
    fetch: { credentials: "same-origin" },
    ...(fetcher ? { fetcher } : {}),
  });
}
export type Api = ReturnType<typeof createApi>;

let shared: Api | undefined;

/** The browser's client, made on first use (modules load before `location` exists in tests). */
export function api(): Api {
  shared ??= createApi(location.origin);
  return shared;
}
