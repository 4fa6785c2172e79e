import { fetchMultiTransport, type MultiStreamTransport } from "@rhizome/client";
import { HubHost } from "./hub-host.ts";
import type { Locks } from "./links.ts";
import { indexedDbCopy, type LocalCopy } from "./local-copy.ts";
import type { ClientId, FromHub, ToHub } from "./messages.ts";

/** Every tab holds this lock for its life, so that the hub hears when a tab has gone. */
export const clientLockName = (clientId: ClientId) => `rhizome-client:${clientId}`;

export type Port = {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  start(): void;
};

export type WorkerHubOptions = {
  locks?: Locks | undefined;
  /** Tests: the stream and the local copy (the worker's are fetch and IndexedDB). */
  transport?: MultiStreamTransport;
  copy?: (beingId: string) => LocalCopy;
};

/**
 * The SharedWorker's side: one hub for every port (tab) of the being the worker is named
 * after, made on the first hello. A tab that goes without a bye is noticed through its lock.
 */
export class WorkerHub {
  readonly #ports = new Map<Port, ClientId | undefined>();
  #host: HubHost | undefined;
  readonly #locks: Locks | undefined;
  readonly #options: WorkerHubOptions;

  constructor(options: WorkerHubOptions = {}) {
    this.#options = options;
    this.#locks = options.locks;
  }

  connect(port: Port): void {
    this.#ports.set(port, undefined);
    port.addEventListener("message", (event) => this.#receive(port, event.data as ToHub));
    port.start();
  }

  #receive(port: Port, message: ToHub): void {
    if (message.type === "hello") {
      this.#host ??= new HubHost({
        config: message.config,
        transport: this.#options.transport ?? fetchMultiTransport(),
        copy: (this.#options.copy ?? indexedDbCopy)(message.config.beingId),
        send: (out) => this.#send(out),
      });
      if (this.#ports.get(port) !== message.from) this.#watch(port, message.from);
    }
    if (message.type === "bye") this.#ports.delete(port);
    this.#host?.receive(message);
  }

  /** Granted once the tab's own hold on its lock ends: the tab is gone. */
  #watch(port: Port, clientId: ClientId): void {
    this.#ports.set(port, clientId);
    void this.#locks
      ?.request(clientLockName(clientId), async () => {
        if (!this.#ports.has(port)) return;
        this.#ports.delete(port);
        this.#host?.receive({ type: "bye", from: clientId });
      })
      .catch(() => {});
  }

  #send(message: FromHub): void {
    for (const port of this.#ports.keys()) port.postMessage(message);
  }
}
