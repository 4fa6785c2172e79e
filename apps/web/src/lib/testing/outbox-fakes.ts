import type { Intention } from "@rhizome/protocol";
import { stamp } from "@rhizome/protocol/testing";
import type { OutboxEntry, SendResult } from "../outbox/outbox.ts";

/** A server that stores each id once and answers as the test tells it to. */
export class FakeOutboxServer {
  readonly stored = new Map<string, Intention>();
  readonly calls: string[] = [];
  answer: (entry: OutboxEntry) => SendResult | "store" = () => "store";
  #clock = 0;

  readonly send = async (entry: OutboxEntry): Promise<SendResult> => {
    this.calls.push(entry.id);
    const answer = this.answer(entry);
    if (answer !== "store") return answer;
    const existing = this.stored.get(entry.id);
    if (existing) return { kind: "stored", intention: existing };
    const at = stamp(++this.#clock);
    const intention = { ...entry, createdAt: at, updatedAt: at };
    const { queuedAt: _q, attempts: _a, nextAttemptAt: _n, ...wire } = intention;
    this.stored.set(entry.id, wire);
    return { kind: "stored", intention: wire };
  };
}

export class MemoryStorage implements Storage {
  readonly #items = new Map<string, string>();
  get length() {
    return this.#items.size;
  }
  clear() {
    this.#items.clear();
  }
  getItem(key: string) {
    return this.#items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.#items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.#items.delete(key);
  }
  setItem(key: string, value: string) {
    this.#items.set(key, value);
  }
}
