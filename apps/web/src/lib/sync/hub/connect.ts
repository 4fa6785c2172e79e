import { type FollowedSpace, fetchMultiTransport, type StoredWindow } from "@rhizome/client";
import { HubHost } from "./hub-host.ts";
import { type HubLink, HubMirror } from "./hub-mirror.ts";
import { type Channel, type Locks, localLink, portLink, tabLink } from "./links.ts";
import { indexedDbCopy } from "./local-copy.ts";
import type { FromHub, HubConfig } from "./messages.ts";
import { clientLockName } from "./worker-hub.ts";

export type HubKind = "shared-worker" | "elected-tab" | "this-tab";

export type MirrorInput = {
  config: HubConfig;
  spaces: readonly FollowedSpace[];
  refetchSpaces: () => Promise<readonly string[]>;
  /** Tests and diagnostics: force where the hub lives (else the best the browser has). */
  kind?: HubKind;
};

type BrowserApis = {
  SharedWorker?: typeof SharedWorker;
  BroadcastChannel?: typeof BroadcastChannel;
  locks?: Locks;
};

function browserApis(): BrowserApis {
  const nav = typeof navigator === "undefined" ? undefined : navigator;
  return {
    ...(typeof SharedWorker === "undefined" ? {} : { SharedWorker }),
    ...(typeof BroadcastChannel === "undefined" ? {} : { BroadcastChannel }),
    ...(nav?.locks ? { locks: nav.locks as unknown as Locks } : {}),
  };
}

/** Where the hub lives in this browser: a SharedWorker, else an elected tab, else this tab. */
export function hubKind(apis: BrowserApis = browserApis()): HubKind {
  if (apis.SharedWorker) return "shared-worker";
  if (apis.BroadcastChannel && apis.locks) return "elected-tab";
  return "this-tab";
}

/** A tab's mirror of the browser's one stream, wherever its hub lives. */
export function openMirror(input: MirrorInput): HubMirror & { readonly kind: HubKind } {
  const apis = browserApis();
  const kind = input.kind ?? hubKind(apis);
  const clientId = crypto.randomUUID();
  const name = `rhizome-hub:${input.config.beingId}`;
  const copy = indexedDbCopy(input.config.beingId);
  const makeHost = (send: (message: FromHub) => void, seed?: ReadonlyMap<string, StoredWindow>) =>
    new HubHost({
      config: input.config,
      transport: fetchMultiTransport(),
      copy,
      send,
      ...(seed ? { seed } : {}),
    });
  let mirror: HubMirror | undefined;
  let link: HubLink;
  if (kind === "shared-worker" && apis.SharedWorker) {
    // Held for this tab's life, before the first hello: the worker is granted it only once
    // the tab has gone (asked first, the worker would take it for a tab long gone).
    const locks = apis.locks;
    const held = locks
      ? new Promise<void>((resolve) => {
          void locks.request(clientLockName(clientId), () => {
            resolve();
            return new Promise<void>(() => {});
          });
        })
      : Promise.resolve();
    // Spelled out as `new SharedWorker(new URL(...))`: the form Vite bundles as a worker.
    const worker = new SharedWorker(new URL("./shared-worker.ts", import.meta.url), {
      type: "module",
      name,
    });
    link = portLink(worker.port, held);
  } else if (kind === "elected-tab" && apis.BroadcastChannel && apis.locks) {
    const Broadcast = apis.BroadcastChannel;
    link = tabLink({
      name,
      clientId,
      locks: apis.locks,
      openChannel: (channel) => new Broadcast(channel) as Channel,
      makeHost,
      seed: () => seedOf(mirror),
    });
  } else {
    link = localLink((send) => makeHost(send));
  }
  mirror = new HubMirror({
    clientId,
    config: input.config,
    link,
    spaces: input.spaces,
    refetchSpaces: input.refetchSpaces,
    localCopy: copy.load(),
  });
  return Object.assign(mirror, { kind });
}

/** A mirror's windows, for a tab that takes the stream over to resume from. */
export function seedOf(mirror: HubMirror | undefined): Map<string, StoredWindow> {
  const seed = new Map<string, StoredWindow>();
  for (const spaceId of mirror?.spaceIds ?? []) {
    const state = mirror?.space(spaceId);
    if (state?.cursor)
      seed.set(spaceId, { cursor: state.cursor, window: state.window, epoch: state.epoch });
  }
  return seed;
}
