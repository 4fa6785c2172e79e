import { type Api, persist } from "./http.ts";
import type { Ledger, LedgerEntry } from "./ledger.ts";

export type FloodOptions = {
  api: Api;
  spaceId: string;
  ledger: Ledger;
  /** The flood's writer number in the ledger. */
  writer: number;
  /** Intentions the flood keeps editing. */
  intentions: number;
  concurrency: number;
  /** Stop once about this many bytes of content went out (the cutoff never came). */
  maxBytes: number;
};

const CONTENT_MAX = 4_000;

/**
 * Big writes to fill a stalled subscriber's buffers: large intentions, then edits of them in
 * turn (each edit is a full-size change for every subscriber, and the space stays small).
 * Every write is retried to its acknowledgement and recorded like any writer's.
 */
export class Flood {
  bytes = 0;
  writes = 0;
  retries = 0;
  #sequence = 0;
  #abandoned = false;

  constructor(private readonly options: FloodOptions) {}

  async run(done: () => boolean): Promise<void> {
    const { intentions, concurrency } = this.options;
    const entries: LedgerEntry[] = [];
    const lanes = Array.from({ length: concurrency }, async (_, lane) => {
      for (let i = lane; i < intentions && !done() && !this.#abandoned; i += concurrency) {
        const entry = await this.#post(i);
        if (entry) entries.push(entry);
      }
    });
    await Promise.all(lanes);
    // Lane k edits entries k, k + concurrency, ...: no intention has two writes in flight.
    const edits = Array.from({ length: concurrency }, async (_, lane) => {
      const mine = entries.filter((_, index) => index % concurrency === lane);
      for (
        let round = 0;
        mine.length > 0 && !done() && !this.#full() && !this.#abandoned;
        round++
      ) {
        const entry = mine[round % mine.length] as LedgerEntry;
        await this.#edit(entry);
      }
    });
    await Promise.all(edits);
  }

  /** Stops retrying the writes in flight (the run's deadline passed). */
  abandon(): void {
    this.#abandoned = true;
  }

  #full(): boolean {
    return this.bytes >= this.options.maxBytes;
  }

  async #post(index: number): Promise<LedgerEntry | undefined> {
    const { api, spaceId, ledger, writer } = this.options;
    const marker = `flood#${index}`;
    const content = pad(`${marker} post`);
    const entry = ledger.begin({ id: crypto.randomUUID(), writer, marker, content });
    entry.unresolved = { kind: "post", content };
    const reply = await persist(
      () => api.post(spaceId, entry.id, content),
      this.#giveUp,
      this.#retried,
    );
    if (!reply.ok) {
      if (this.#abandoned) return undefined;
      entry.unresolved = undefined;
      ledger.reject(`flood: post ${marker} answered ${reply.status}: ${reply.detail}`);
      return undefined;
    }
    ledger.acknowledge(entry, "post");
    this.#count(content);
    return entry;
  }

  async #edit(entry: LedgerEntry): Promise<void> {
    const { api, ledger } = this.options;
    const content = pad(`${entry.marker} edit${this.#sequence++}`);
    entry.unresolved = { kind: "edit", content };
    const reply = await persist(() => api.edit(entry.id, content), this.#giveUp, this.#retried);
    if (!reply.ok) {
      if (this.#abandoned) return;
      entry.unresolved = undefined;
      ledger.reject(`flood: edit ${entry.marker} answered ${reply.status}: ${reply.detail}`);
      return;
    }
    ledger.acknowledge(entry, "edit", content);
    this.#count(content);
  }

  readonly #giveUp = () => this.#abandoned;
  readonly #retried = () => {
    this.retries++;
  };

  #count(content: string): void {
    this.writes++;
    this.bytes += content.length;
  }
}

function pad(head: string): string {
  return `${head} ${"~".repeat(CONTENT_MAX - head.length - 1)}`;
}
