import type { FrameRecord } from "@rhizome/client";
import type { Cursor, DeltaEvent, SyncEvent } from "@rhizome/protocol";

export type ChainCounts = {
  opens: number;
  frames: number;
  resets: number;
  deltas: number;
  heartbeats: number;
  changes: number;
  /** Frames at or behind the cursor, ignored by the reducer. */
  stale: number;
  /** Frames that did not chain; the client must reopen from its own cursor. */
  gaps: number;
  rejected: number;
  /** A change (intention@updatedAt, a creation, a deletion) applied twice in one epoch. */
  duplicates: number;
  /** An applied delta whose `since` is not the previous cursor, or whose cursor skips past it. */
  breaks: number;
  /** A gap not followed by a reopen from the client's cursor. */
  unhandledGaps: number;
  /** A stream opened from anything but the client's own cursor. */
  badResumes: number;
};

/**
 * Audits one subscriber's frames independently of the reducer: it keeps its own cursor and
 * the changes applied since the last reset, and checks each stream opening against them.
 */
export class ChainAudit {
  readonly counts: ChainCounts = {
    opens: 0,
    frames: 0,
    resets: 0,
    deltas: 0,
    heartbeats: 0,
    changes: 0,
    stale: 0,
    gaps: 0,
    rejected: 0,
    duplicates: 0,
    breaks: 0,
    unhandledGaps: 0,
    badResumes: 0,
  };
  /** The first problems, spelled out. */
  readonly problems: string[] = [];
  #cursor: Cursor | null = null;
  /** Changes applied since the last reset. */
  #applied = new Set<string>();
  #gap: { expected: Cursor | null } | undefined;
  /** What happened, compactly, to explain a divergence: opens, resets, and every change seen. */
  readonly journal: JournalEntry[] = [];

  constructor(readonly name: string) {}

  /** The last journal entries, whatever they touched. */
  tail(count: number): string[] {
    return this.journal.slice(-count).map((entry) => {
      const changes = entry.changes.map((change) => change.slice(0, 10) + change.slice(38));
      return `#${entry.at} ${entry.kind} ${entry.since ?? ""} -> ${entry.timestamp ?? ""} ${changes.join(" ")}`;
    });
  }

  /** The journal entries about one intention, with the opens and resets around them. */
  trace(id: string): string[] {
    return this.journal
      .filter(
        (entry) => entry.kind !== "delta" || entry.changes.some((change) => change.includes(id)),
      )
      .map((entry) => {
        const mine = entry.changes.filter((change) => change.includes(id));
        return `#${entry.at} ${entry.kind} ${entry.since ?? ""} -> ${entry.timestamp ?? ""} ${mine.join(" ")}`;
      });
  }

  get lost(): number {
    return this.counts.breaks + this.counts.unhandledGaps + this.counts.badResumes;
  }

  get duplicated(): number {
    return this.counts.duplicates;
  }

  /** A stream is being opened from `since` (what the client sent). */
  opened(since: Cursor | undefined): void {
    this.counts.opens++;
    this.#note({ kind: "open", since, changes: [] });
    if (this.#gap) {
      if (since !== (this.#gap.expected ?? undefined)) {
        this.#problem(
          "unhandledGaps",
          `after a gap expected resume from ${this.#gap.expected}, got ${since}`,
        );
      }
      this.#gap = undefined;
    }
    if (since !== (this.#cursor ?? undefined)) {
      this.#problem("badResumes", `stream opened from ${since}, own cursor ${this.#cursor}`);
    }
  }

  frame(record: FrameRecord): void {
    this.counts.frames++;
    const { outcome } = record;
    switch (outcome.kind) {
      case "reset": {
        this.counts.resets++;
        const event = parse(record.data);
        this.#cursor = event.timestamp;
        this.#applied.clear();
        const ids = event.created.map((item) => `r:${item.id}@${item.updatedAt}`);
        this.#note({ kind: "reset", timestamp: event.timestamp, changes: ids });
        return;
      }
      case "applied":
        // The reducer applies deltas only: a reset is its own outcome.
        this.#checkDelta(parse(record.data) as DeltaEvent);
        return;
      case "duplicate":
        this.counts.stale++;
        return;
      case "gap":
        this.counts.gaps++;
        if (outcome.expected !== this.#cursor) {
          this.#problem(
            "breaks",
            `gap reported at ${outcome.expected}, own cursor ${this.#cursor}`,
          );
        }
        this.#gap = { expected: outcome.expected };
        return;
      case "rejected":
        this.counts.rejected++;
        if (this.problems.length < 5) this.problems.push(`rejected frame: ${outcome.detail}`);
        return;
    }
  }

  /** Called once the subscriber has converged: a gap still pending was never handled. */
  finish(): void {
    if (this.#gap) this.#problem("unhandledGaps", "a gap was never followed by a reopen");
    this.#gap = undefined;
  }

  /** Loaded history (not a frame): noted so that a trace shows where an intention came from. */
  page(epoch: number, before: Cursor | undefined, ids: string[]): void {
    this.#note({ kind: "page", since: before, timestamp: `epoch ${epoch}`, changes: ids });
  }

  #note(entry: Omit<JournalEntry, "at">): void {
    this.journal.push({ at: this.journal.length, ...entry });
  }

  #checkDelta(event: DeltaEvent): void {
    const changes = event.created.length + event.updated.length + event.deleted.length;
    if (changes > 0) {
      this.#note({
        kind: "delta",
        since: event.since,
        timestamp: event.timestamp,
        changes: [
          ...event.created.map((item) => `c:${item.id}@${item.updatedAt}`),
          ...event.updated.map((item) => `u:${item.id}@${item.updatedAt}`),
          ...event.deleted.map((id) => `d:${id}`),
        ],
      });
    }
    if (changes === 0) this.counts.heartbeats++;
    else this.counts.deltas++;
    this.counts.changes += changes;
    if (event.since !== this.#cursor) {
      this.#problem("breaks", `delta since ${event.since} applied at cursor ${this.#cursor}`);
    }
    const { since } = event;
    let last = since;
    for (const item of [...event.created, ...event.updated]) {
      if (item.updatedAt <= since || item.updatedAt > event.timestamp) {
        this.#problem(
          "breaks",
          `${item.id}@${item.updatedAt} outside (${since}, ${event.timestamp}]`,
        );
      }
      if (item.updatedAt > last) last = item.updatedAt;
      this.#once(`${item.id}@${item.updatedAt}`);
    }
    for (const item of event.created) this.#once(`created ${item.id}`);
    for (const id of event.deleted) this.#once(`deleted ${id}`);
    this.#cursor = event.timestamp;
  }

  #once(key: string): void {
    if (this.#applied.has(key)) this.#problem("duplicates", `applied twice: ${key}`);
    this.#applied.add(key);
  }

  #problem(counter: keyof ChainCounts, detail: string): void {
    this.counts[counter]++;
    if (this.problems.length < 5) this.problems.push(`${this.name}: ${counter}: ${detail}`);
  }
}

export type JournalEntry = {
  at: number;
  kind: "open" | "reset" | "delta" | "page";
  since?: string | undefined;
  timestamp?: string;
  changes: string[];
};

function parse(data: string): SyncEvent {
  return JSON.parse(data) as SyncEvent;
}
