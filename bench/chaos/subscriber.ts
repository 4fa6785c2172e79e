import { fetchTransport, type StreamTransport, SyncClient } from "@rhizome/client";
import type { ConnectionSettings, Cursor } from "@rhizome/protocol";
import type { Row } from "./audit.ts";
import { ChainAudit } from "./chain-audit.ts";
import { type Api, persist } from "./http.ts";

export type SubscriberOptions = {
  index: number;
  spaceId: string;
  /** Authenticated as this subscriber's being, through the proxy. */
  api: Api;
  settings: ConnectionSettings;
};

const HISTORY_PAGE = 100;

/**
 * A headless client of the space: the same `SyncClient` (reducer, connection machine, resume
 * from its cursor) as the web store, over `fetchTransport`, with every frame audited. After
 * each reset it loads older pages like a user scrolling up, so that its window ends up
 * holding the whole space and can be compared with the database.
 */
export class AuditedSubscriber {
  readonly client: SyncClient;
  readonly audit: ChainAudit;
  /** The epoch whose history is fully loaded; -1 before the first reset. */
  #backfilled = -1;
  #backfilling = false;
  #stopped = false;
  historyPages = 0;
  /** Set when history could not be loaded for a reason other than the network: a finding. */
  failure: string | undefined;

  constructor(private readonly options: SubscriberOptions) {
    this.audit = new ChainAudit(`subscriber ${options.index}`);
    const inner = fetchTransport({ baseUrl: options.api.baseUrl, token: options.api.token });
    const transport: StreamTransport = (request, signal) => {
      this.audit.opened(request.since);
      return inner(request, signal);
    };
    this.client = new SyncClient({
      spaceId: options.spaceId,
      transport,
      settings: options.settings,
    });
    this.client.onFrame((record) => {
      this.audit.frame(record);
      if (record.outcome.kind === "reset") void this.#backfill();
    });
  }

  get index(): number {
    return this.options.index;
  }

  start(): void {
    this.client.start();
  }

  stop(): void {
    this.#stopped = true;
    this.client.stop();
  }

  /**
   * Live, history loaded, and at the head: a reader holding everything sits at the head
   * (protocol 2: a delta's cursor reads through omitted changes too).
   */
  caughtUp(space: { head: Cursor; rows: readonly Row[] }): boolean {
    const { client } = this;
    const cursor = client.sync.cursor;
    if (client.connection.status !== "live" || cursor === null) return false;
    if (this.#backfilling || this.#backfilled !== client.sync.epoch) return false;
    return cursor === space.head;
  }

  describe(): string {
    const { connection, sync } = this.client;
    return `subscriber ${this.index}: ${connection.status}, cursor ${sync.cursor}, epoch ${sync.epoch} (history loaded for ${this.#backfilled}), ${sync.window.length} intentions`;
  }

  /** Loads pages before the window's oldest intention until there are none, as often as resets come. */
  async #backfill(): Promise<void> {
    if (this.#backfilling) return;
    this.#backfilling = true;
    try {
      while (!this.#stopped && !this.failure && this.#backfilled !== this.client.sync.epoch) {
        const epoch = this.client.sync.epoch;
        if (await this.#loadOlder(epoch)) this.#backfilled = epoch;
      }
    } finally {
      this.#backfilling = false;
    }
  }

  /** One page; true when the epoch's history is complete. */
  async #loadOlder(epoch: number): Promise<boolean> {
    const before = this.client.sync.window[0]?.createdAt;
    const { api, spaceId } = this.options;
    const reply = await persist(
      () => api.history(spaceId, before, HISTORY_PAGE),
      () => this.#stopped,
    );
    if (!reply.ok) {
      if (!this.#stopped) this.failure = `history answered ${reply.status}: ${reply.detail}`;
      return false;
    }
    this.historyPages++;
    this.audit.page(
      epoch,
      before,
      reply.body.intentions.map((item) => `p:${item.id}@${item.updatedAt}`),
    );
    const outcome = this.client.mergeHistory(reply.body.intentions, epoch);
    return outcome.kind === "merged" && !reply.body.hasMore;
  }
}
