/// <reference lib="webworker" />
/**
 * Keeps the app shell (the SPA fallback page and the built assets) so that the app loads
 * without a network: a reload while offline still shows the space and its pending messages.
 * `/api` is never touched: data always comes live from the server (or fails as offline).
 */
import { version } from "$app/env";
import { assets, immutable } from "$app/manifest";

const sw = self as unknown as ServiceWorkerGlobalScope;
/**
 * `API_PREFIX` of @rhizome/protocol, spelled out: importing the package here would bundle
 * TypeBox into the worker for one string.
 */
const API = "/api/";
const CACHE = `rhizome-shell-${version}`;
/** The adapter's SPA fallback: the page every route of the app boots from. */
const SHELL = "/200.html";
const absolute = (path: string) => new URL(path, `${sw.location.origin}/`).pathname;
const IMMUTABLE = new Set(immutable.map((file) => absolute(file.path)));
const PRECACHE = [SHELL, ...IMMUTABLE, ...assets.map((file) => absolute(file.path))];

type RouterEvent = ExtendableEvent & {
  addRoutes?: (
    rules: { condition: { urlPattern: URLPatternInit }; source: "network" }[],
  ) => Promise<void>;
};

sw.addEventListener("install", (event) => {
  const routed = event as RouterEvent;
  event.waitUntil(
    (async () => {
      // Where supported, /api bypasses this worker entirely (Static Routing API).
      await routed
        .addRoutes?.([{ condition: { urlPattern: { pathname: `${API}*` } }, source: "network" }])
        .catch(() => {});
      const cache = await caches.open(CACHE);
      await cache.addAll(PRECACHE);
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin || url.pathname.startsWith(API)) return;
  if (request.mode === "navigate") {
    // Network first, so a new deploy shows at once; the cached shell when there is no network.
    event.respondWith(fetch(request).catch(() => fromCache(SHELL)));
    return;
  }
  if (IMMUTABLE.has(url.pathname)) {
    event.respondWith(fromCache(url.pathname).catch(() => fetch(request)));
    return;
  }
  event.respondWith(fetch(request).catch(() => fromCache(url.pathname)));
});

async function fromCache(path: string): Promise<Response> {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(path);
  if (!hit) throw new Error(`${path} is not cached`);
  return hit;
}
