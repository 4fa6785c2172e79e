import { between, type Random } from "@rhizome/testkit";
import type { Api, Reply } from "./http.ts";
import { persist } from "./http.ts";
import type { Ledger, LedgerEntry } from "./ledger.ts";

export type WriterOptions = {
  index: number;
  api: Api;
  spaceId: string;
  ledger: Ledger;
  random: Random;
  /** Pause between two writes. */
  pauseMs: [number, number];
};

const FILLER = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ";

/**
 * A being that posts (with client-made ids), edits and deletes its own intentions, each write
 * retried with the same request until the server acknowledges it, as a real client's outbox would.
 */
export class Writer {
  #sequence = 0;
  #stopping = false;
  #abandon = false;

  constructor(private readonly options: WriterOptions) {}

  /** Writes until `stop()`; the write in flight is still retried to its acknowledgement. */
  async run(): Promise<void> {
    const { random, pauseMs } = this.options;
    while (!this.#stopping) {
      const roll = random();
      const own = this.options.ledger.editable(this.options.index);
      if (roll < 0.2 && own.length > 0) await this.#edit(own[Math.floor(random() * own.length)]);
      else if (roll < 0.32 && own.length > 0)
        await this.#delete(own[Math.floor(random() * own.length)]);
      else await this.#post();
      if (!this.#stopping) await Bun.sleep(between(random, pauseMs[0], pauseMs[1]));
    }
  }

  /** No new writes; the one in flight goes on until acknowledged. */
  stop(): void {
    this.#stopping = true;
  }

  /** Gives up on the write in flight (the run's deadline passed). */
  abandon(): void {
    this.#stopping = true;
    this.#abandon = true;
  }

  async #post(): Promise<void> {
    const { index, api, spaceId, ledger, random } = this.options;
    const marker = `w${index}#${this.#sequence++}`;
    const content = `${marker} ${filler(random)}`;
    const entry = ledger.begin({ id: crypto.randomUUID(), writer: index, marker, content });
    entry.unresolved = { kind: "post", content };
    const reply = await this.#persist(() => api.post(spaceId, entry.id, content));
    if (!reply.ok) return this.#failed(entry, "post", reply);
    ledger.acknowledge(entry, "post");
  }

  async #edit(entry: LedgerEntry | undefined): Promise<void> {
    if (!entry) return;
    const { api, random, ledger } = this.options;
    const content = `${entry.marker} edit${this.#sequence++} ${filler(random)}`;
    entry.unresolved = { kind: "edit", content };
    const reply = await this.#persist(() => api.edit(entry.id, content));
    if (!reply.ok) return this.#failed(entry, "edit", reply);
    ledger.acknowledge(entry, "edit", content);
  }

  async #delete(entry: LedgerEntry | undefined): Promise<void> {
    if (!entry) return;
    const { api, ledger } = this.options;
    entry.unresolved = { kind: "delete" };
    const reply = await this.#persist(() => api.remove(entry.id));
    if (!reply.ok) return this.#failed(entry, "delete", reply);
    ledger.acknowledge(entry, "delete");
  }

  #persist<T>(call: () => Promise<Reply<T>>): Promise<Reply<T>> {
    return persist(
      call,
      () => this.#abandon,
      () => this.options.ledger.retries++,
    );
  }

  /** Abandoned at the deadline: unresolved. Refused for good: a contract violation. */
  #failed(entry: LedgerEntry, kind: string, reply: Reply<unknown>): void {
    if (reply.ok || this.#abandon) return;
    entry.unresolved = undefined;
    this.options.ledger.reject(
      `writer ${this.options.index}: ${kind} of ${entry.id} (${entry.marker}) answered ${reply.status}: ${reply.detail}`,
    );
  }
}

/** Some words, 1 to ~600 characters: small and large frames both. */
function filler(random: Random): string {
  const length = random() < 0.1 ? between(random, 200, 600) : between(random, 1, 80);
  return (
    FILLER.repeat(Math.ceil(length / FILLER.length))
      .slice(0, length)
      .trim() || "x"
  );
}
