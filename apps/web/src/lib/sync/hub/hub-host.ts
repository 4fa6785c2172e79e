import {
  type FollowedSpace,
  type MultiStreamTransport,
  MultiSyncClient,
  type StoredWindow,
} from "@rhizome/client";
import { realTimers, type SyncState, type Timers } from "@rhizome/protocol";
import type { LocalCopy } from "./local-copy.ts";
import type { ClientId, FromHub, HubConfig, ToHub, Wish } from "./messages.ts";

export type HubHostOptions = {
  config: HubConfig;
  transport: MultiStreamTransport;
  copy: LocalCopy;
  /** To every client (a snapshot names the one it is for). */
  send: (message: FromHub) => void;
  /** Windows to resume from that are fresher than the copy (a handover: the new holder's). */
  seed?: ReadonlyMap<string, StoredWindow>;
  /** How long the hub waits for a client to answer `refetch`. */
  refetchTimeoutMs?: number;
  timers?: Timers;
  now?: () => number;
  random?: () => number;
};

type ClientWish = { spaces: Wish[]; started: boolean };

/**
 * The holder's side: one `MultiSyncClient` following the union of what every client wishes,
 * resumed from the local copy (or a handover's seed) so that a new holder catches up instead
 * of resetting, its every change relayed to the clients and kept in the local copy.
 */
export class HubHost {
  readonly #options: HubHostOptions;
  readonly #wishes = new Map<ClientId, ClientWish>();
  #client: MultiSyncClient | undefined;
  #stored = new Map<string, StoredWindow>();
  #online = true;
  /** Whether the client was started and not stopped since. */
  #running = false;
  #closed = false;
  #refetches = new Map<number, (spaceIds: string[] | null) => void>();
  #nextRefetch = 1;
  /** Resolved once the local copy is read and the stream may open. */
  readonly ready: Promise<void>;

  constructor(options: HubHostOptions) {
    this.#options = options;
    this.ready = this.#hydrate();
  }

  get client(): MultiSyncClient | undefined {
    return this.#client;
  }

  receive(message: ToHub): void {
    if (this.#closed) return;
    switch (message.type) {
      case "hello":
        this.#wishes.set(
          message.from,
          this.#wishes.get(message.from) ?? { spaces: [], started: false },
        );
        this.#snapshot(message.from);
        return;
      case "wish": {
        // A client that starts (again) restarts a stream stopped for good, as `start()` does.
        const restart = message.started && !this.#wishes.get(message.from)?.started;
        this.#wishes.set(message.from, { spaces: message.spaces, started: message.started });
        this.#apply(restart);
        this.#snapshot(message.from);
        return;
      }
      case "online":
        this.#online = message.online;
        this.#client?.setOnline(message.online);
        return;
      case "merge":
        this.#client?.mergeHistory(message.spaceId, message.page, message.epoch);
        return;
      case "refetched":
        this.#refetches.get(message.request)?.(message.spaceIds);
        return;
      case "bye":
        this.#wishes.delete(message.from);
        this.#apply();
        return;
    }
  }

  /** This hub is done (its tab is going, or another being signed in): stop the stream. */
  close(): void {
    this.#closed = true;
    this.#client?.stop();
    for (const answer of this.#refetches.values()) answer(null);
  }

  async #hydrate(): Promise<void> {
    const stored = await this.#options.copy.load();
    for (const [spaceId, window] of this.#options.seed ?? []) stored.set(spaceId, window);
    if (this.#closed) return;
    this.#stored = stored;
    this.#start();
  }

  #start(): void {
    const { config, transport, timers, now, random } = this.#options;
    const client = new MultiSyncClient({
      spaces: this.#union(),
      transport,
      refetchSpaces: () => this.#refetch(),
      ...(config.settings ? { settings: config.settings } : {}),
      ...(timers ? { timers } : {}),
      ...(now ? { now } : {}),
      ...(random ? { random } : {}),
    });
    this.#client = client;
    client.subscribe((change) => {
      if (change.kind === "connection")
        this.#send({ type: "connection", connection: client.connection });
      else if (change.kind === "space") this.#changed(change.spaceId);
      else {
        for (const wish of this.#wishes.values())
          wish.spaces = wish.spaces.filter((space) => !change.dropped.includes(space.spaceId));
        this.#send({ type: "spaces", spaceIds: client.spaceIds, dropped: [...change.dropped] });
      }
    });
    client.onFrame((record) => this.#send({ type: "frame", record }));
    if (!this.#online) client.setOnline(false);
    for (const clientId of this.#wishes.keys()) this.#snapshot(clientId);
    this.#apply();
  }

  #changed(spaceId: string): void {
    const state = this.#client?.space(spaceId);
    if (!state) return;
    this.#send({ type: "space", state });
    void this.#options.copy.save([state]);
  }

  /** Follows the union of the wishes (the largest page asked), open while anyone wants it. */
  #apply(restart = false): void {
    const client = this.#client;
    if (!client) return;
    client.setSpaces(this.#union());
    const wanted = [...this.#wishes.values()].some((wish) => wish.started);
    if (wanted && (!this.#running || restart)) client.start();
    else if (!wanted && this.#running) client.stop();
    this.#running = wanted;
  }

  #union(): FollowedSpace[] {
    const union = new Map<string, FollowedSpace>();
    for (const wish of this.#wishes.values()) {
      for (const { spaceId, page } of wish.spaces) {
        const known = union.get(spaceId);
        const largest = Math.max(known?.page ?? 0, page ?? 0);
        const stored = this.#stored.get(spaceId);
        union.set(spaceId, {
          spaceId,
          ...(largest > 0 ? { page: largest } : {}),
          ...(stored ? { stored } : {}),
        });
      }
    }
    return [...union.values()];
  }

  #snapshot(clientId: ClientId): void {
    const client = this.#client;
    if (!client) return;
    const wished = this.#wishes.get(clientId)?.spaces ?? [];
    const spaces = wished
      .map(({ spaceId }) => client.space(spaceId))
      .filter((state): state is SyncState => state !== undefined);
    this.#send({ type: "snapshot", to: clientId, connection: client.connection, spaces });
  }

  /** Asks the clients which spaces the being has now; the first answer wins. */
  #refetch(): Promise<readonly string[]> {
    const request = this.#nextRefetch++;
    const timers = this.#options.timers ?? realTimers;
    return new Promise((resolve, reject) => {
      const timeout = timers.setTimeout(
        () => answer(null),
        this.#options.refetchTimeoutMs ?? 10_000,
      );
      const answer = (spaceIds: string[] | null) => {
        this.#refetches.delete(request);
        timers.clearTimeout(timeout);
        if (spaceIds) resolve(spaceIds);
        else reject(new Error("no tab could list the spaces"));
      };
      this.#refetches.set(request, answer);
      this.#send({ type: "refetch", request });
    });
  }

  #send(message: FromHub): void {
    if (!this.#closed) this.#options.send(message);
  }
}
