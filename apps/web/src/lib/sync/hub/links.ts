import type { StoredWindow } from "@rhizome/client";
import { type ElectionState, electionStep, INITIAL_ELECTION } from "./election.ts";
import type { HubHost } from "./hub-host.ts";
import type { HubLink } from "./hub-mirror.ts";
import type { ClientId, FromHub, ToHub } from "./messages.ts";

/** The parts of the Web Locks API the election uses (`navigator.locks`, or a fake). */
export type Locks = {
  request(name: string, callback: () => Promise<void>): Promise<unknown>;
};

/** The parts of a BroadcastChannel (or a MessagePort) the links use. */
export type Channel = {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  close(): void;
};

type Handlers = Set<(message: FromHub) => void>;

function deliver(handlers: Handlers, message: FromHub): void {
  for (const handler of handlers) handler(message);
}

/** A hub in this tab, for browsers with neither SharedWorker nor Web Locks (and tests). */
export function localLink(makeHost: (send: (message: FromHub) => void) => HubHost): HubLink {
  const handlers: Handlers = new Set();
  // Delivered a microtask later, as a port would: no re-entry while a caller is mid-change.
  const host = makeHost((message) => queueMicrotask(() => deliver(handlers, message)));
  return {
    post: (message) => queueMicrotask(() => host.receive(message)),
    listen: (handler) => {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    close: () => host.close(),
  };
}

export type TabLinkOptions = {
  /** The lock's and the channels' name: one per being. */
  name: string;
  clientId: ClientId;
  locks: Locks;
  openChannel: (name: string) => Channel;
  /** Opens the hub in this tab once it is elected; `seed` is this tab's copy of every space. */
  makeHost: (send: (message: FromHub) => void, seed: ReadonlyMap<string, StoredWindow>) => HubHost;
  /** What this tab's mirror holds now, to resume from when it takes over. */
  seed: () => ReadonlyMap<string, StoredWindow>;
  /** Told of every election change (tests, diagnostics). */
  onElection?: (state: ElectionState) => void;
};

/**
 * The Web Locks fallback: tabs talk over two BroadcastChannels (to the hub, from the hub);
 * the tab holding the lock runs the hub. When it goes, the browser grants the lock to the
 * next tab, which opens the hub from its own copy and asks every tab to say hello again.
 */
export function tabLink(options: TabLinkOptions): HubLink & { readonly election: ElectionState } {
  const handlers: Handlers = new Set();
  const toHub = options.openChannel(`${options.name}:hub`);
  const fromHub = options.openChannel(`${options.name}:tabs`);
  let election: ElectionState = INITIAL_ELECTION;
  let host: HubHost | undefined;
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });

  const broadcast = (message: FromHub) => {
    fromHub.postMessage(message);
    queueMicrotask(() => deliver(handlers, message));
  };
  const step = (event: { type: "granted" } | { type: "close" }) => {
    const next = electionStep(election, event);
    election = next.state;
    for (const effect of next.effects) {
      if (effect.type === "hold") {
        host = options.makeHost(broadcast, options.seed());
        broadcast({ type: "holder", holder: options.clientId });
      } else {
        host?.close();
        host = undefined;
        release();
      }
    }
    options.onElection?.(election);
  };

  fromHub.addEventListener("message", (event) => deliver(handlers, event.data as FromHub));
  toHub.addEventListener("message", (event) => host?.receive(event.data as ToHub));
  void options.locks
    .request(options.name, () => {
      step({ type: "granted" });
      return released;
    })
    .catch(() => {});

  return {
    get election() {
      return election;
    },
    post: (message) => {
      toHub.postMessage(message);
      if (host) {
        const local = host;
        queueMicrotask(() => local.receive(message));
      }
    },
    listen: (handler) => {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    close: () => {
      step({ type: "close" });
      toHub.close();
      fromHub.close();
    },
  };
}

/**
 * The SharedWorker's port: the hub lives in the worker, every tab of the being talks to it.
 * Nothing is posted before `after` (the tab holds its liveness lock), in order.
 */
export function portLink(port: MessagePort, after: Promise<void> = Promise.resolve()): HubLink {
  const handlers: Handlers = new Set();
  port.addEventListener("message", (event) => deliver(handlers, event.data as FromHub));
  port.start();
  let queue = after;
  return {
    post: (message) => {
      queue = queue.then(() => port.postMessage(message));
    },
    listen: (handler) => {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    close: () => {
      queue = queue.then(() => port.close());
    },
  };
}
