import {
  backoffDelay,
  type ConnectionSettings,
  type Cursor,
  compareCursors,
  compareIntentions,
  DEFAULT_CONNECTION_SETTINGS,
  type Intention,
  isCursor,
  isUuid,
  LIMITS,
  retryable,
} from "@rhizome/protocol";

/**
 * The outbox, as pure functions over an immutable list: intentions written here wait until
 * the server has stored them and their delta has come back through the stream. Time and
 * randomness are parameters; the driver (outbox.svelte.ts) does the I/O.
 */
export type OutboxEntry = {
  /** Client-made uuid: the server stores an id once, so resending is always safe. */
  readonly id: string;
  readonly spaceId: string;
  readonly authorId: string;
  readonly content: string;
  /** When it was written (client clock, ms): orders pending entries and stamps their display. */
  readonly queuedAt: number;
  /** Failed sends so far. */
  readonly attempts: number;
  /** Not sent again before this time (client clock, ms). */
  readonly nextAttemptAt: number;
  /** The server's stamp once it stored the intention; its delta carries the same or later. */
  readonly storedAt?: Cursor;
  /** The intention's `createdAt` as the server stored it: where it shows once sent. */
  readonly storedCreatedAt?: Cursor;
};

/** How one send ended. */
export type SendResult =
  | { kind: "stored"; intention: Intention }
  /** Network error, 408, 429, 5xx (`retryable`): try again later, not before `retryAfterMs`. */
  | { kind: "retry"; reason: string; retryAfterMs?: number }
  /**
   * 401: the session is gone. The words are still the user's: the entry stays pending and
   * nothing more is sent until a sign-in opens the outbox again (or `retryNow()`).
   */
  | { kind: "held"; reason: string }
  /** Any other 4xx: the server will never take it. */
  | { kind: "rejected"; status: number; message: string };

export type Dropped = { entry: OutboxEntry; message: string };

/**
 * An intention as the chat view shows it: `sent` once the server acknowledged it (201 or
 * 200) or its delta arrived, whichever came first (DESIGN §8).
 */
export type DisplayIntention = Intention & { status: "pending" | "sent" };

export const OUTBOX_BACKOFF: ConnectionSettings = DEFAULT_CONNECTION_SETTINGS;

/** Maps an HTTP answer (status 0: no answer at all) to a send result. */
export function classifySend(
  status: number,
  message: string,
  retryAfterMs?: number,
): Exclude<SendResult, { kind: "stored" }> {
  if (retryable(status, "send")) {
    return retryAfterMs === undefined
      ? { kind: "retry", reason: message }
      : { kind: "retry", reason: message, retryAfterMs };
  }
  if (status === 401) return { kind: "held", reason: message };
  return { kind: "rejected", status, message };
}

export function createEntry(input: {
  id: string;
  spaceId: string;
  authorId: string;
  content: string;
  now: number;
}): OutboxEntry {
  return {
    id: input.id,
    spaceId: input.spaceId,
    authorId: input.authorId,
    content: input.content,
    queuedAt: input.now,
    attempts: 0,
    nextAttemptAt: input.now,
  };
}

export function enqueue(entries: readonly OutboxEntry[], entry: OutboxEntry): OutboxEntry[] {
  if (entries.some((existing) => existing.id === entry.id)) return [...entries];
  return [...entries, entry];
}

/**
 * Another tab's entries, adopted once it went: merged in by when they were written, so that
 * each space still receives its entries in order. An id both hold stays as this tab has it.
 */
export function adopt(
  entries: readonly OutboxEntry[],
  adopted: readonly OutboxEntry[],
): OutboxEntry[] {
  const known = new Set(entries.map((entry) => entry.id));
  const fresh = adopted.filter((entry) => !known.has(entry.id));
  if (fresh.length === 0) return [...entries];
  return [...entries, ...fresh].sort((a, b) => a.queuedAt - b.queuedAt);
}

/**
 * The entry to send now, if any. Entries go out one at a time, oldest first: a later entry
 * never overtakes an earlier one, so the space receives them in the order they were written.
 */
export function nextToSend(entries: readonly OutboxEntry[], now: number): OutboxEntry | undefined {
  const head = entries.find((entry) => entry.storedAt === undefined);
  return head && head.nextAttemptAt <= now ? head : undefined;
}

/** When the head entry becomes due, if it is waiting. */
export function nextWakeAt(entries: readonly OutboxEntry[]): number | undefined {
  return entries.find((entry) => entry.storedAt === undefined)?.nextAttemptAt;
}

/** Applies the outcome of sending `id`. */
export function applyResult(
  entries: readonly OutboxEntry[],
  id: string,
  result: SendResult,
  inputs: { now: number; random: number },
): { entries: OutboxEntry[]; dropped?: Dropped } {
  const entry = entries.find((candidate) => candidate.id === id);
  if (!entry) return { entries: [...entries] };
  switch (result.kind) {
    case "stored":
      return {
        entries: replace(entries, {
          ...entry,
          storedAt: result.intention.updatedAt,
          storedCreatedAt: result.intention.createdAt,
        }),
      };
    case "retry": {
      const attempts = entry.attempts + 1;
      const delay = Math.max(
        result.retryAfterMs ?? 0,
        backoffDelay(attempts, inputs.random, OUTBOX_BACKOFF),
      );
      return {
        entries: replace(entries, { ...entry, attempts, nextAttemptAt: inputs.now + delay }),
      };
    }
    case "held":
      return { entries: [...entries] };
    case "rejected":
      return {
        entries: entries.filter((candidate) => candidate.id !== id),
        dropped: { entry, message: result.message },
      };
  }
}

/** Everything waiting is due now (the browser came back online). */
export function retryNow(entries: readonly OutboxEntry[], now: number): OutboxEntry[] {
  return entries.map((entry) =>
    entry.storedAt === undefined && entry.nextAttemptAt > now
      ? { ...entry, nextAttemptAt: now }
      : entry,
  );
}

/**
 * Removes the entries of `spaceId` that the synced window now accounts for: their id is in
 * it (sent), or the stream has moved past their stamp without them (deleted meanwhile).
 */
export function reconcile(
  entries: readonly OutboxEntry[],
  spaceId: string,
  syncedIds: ReadonlySet<string>,
  cursor: Cursor | null,
): OutboxEntry[] {
  const settled = (entry: OutboxEntry) =>
    entry.spaceId === spaceId &&
    (syncedIds.has(entry.id) ||
      (entry.storedAt !== undefined &&
        cursor !== null &&
        compareCursors(entry.storedAt, cursor) <= 0));
  return entries.some(settled) ? entries.filter((entry) => !settled(entry)) : [...entries];
}

/**
 * The synced window followed by the outbox's entries of its space: pending until the server
 * acknowledged them, sent from then on (at the server's stamp) even before their delta
 * arrives; an entry whose id is already synced is shown once, from the window.
 */
export function withPending(
  window: readonly Intention[],
  entries: readonly OutboxEntry[],
  spaceId: string,
): DisplayIntention[] {
  const synced = new Set(window.map((item) => item.id));
  const shown: DisplayIntention[] = window.map((item) => ({ ...item, status: "sent" }));
  const pending: DisplayIntention[] = [];
  for (const entry of entries) {
    if (entry.spaceId !== spaceId || synced.has(entry.id)) continue;
    const acknowledged = entry.storedAt !== undefined;
    const created = writtenAt(entry);
    (acknowledged ? shown : pending).push({
      id: entry.id,
      spaceId: entry.spaceId,
      authorId: entry.authorId,
      content: entry.content,
      createdAt: created,
      updatedAt: entry.storedAt ?? created,
      status: acknowledged ? "sent" : "pending",
    });
  }
  // Acknowledged entries take their place among the synced ones; the pending follow.
  if (shown.length > window.length) shown.sort(compareIntentions);
  return [...shown, ...pending];
}

/**
 * When the being last wrote in each space, of what the outbox still holds (pending, or stored
 * and on its way): the server's stamp once it answered, else the client clock's.
 */
export function lastWrittenBySpace(entries: readonly OutboxEntry[]): Map<string, Cursor> {
  const written = new Map<string, Cursor>();
  for (const entry of entries) {
    const at = writtenAt(entry);
    const known = written.get(entry.spaceId);
    if (known === undefined || at > known) written.set(entry.spaceId, at);
  }
  return written;
}

/** When an entry was written: the server's stamp once it answered, else the client clock's. */
function writtenAt(entry: OutboxEntry): Cursor {
  return entry.storedCreatedAt ?? clientCursor(entry.queuedAt);
}

/** A cursor-shaped stamp from the client clock, for display and grouping only. */
export function clientCursor(ms: number): Cursor {
  return new Date(ms).toISOString().replace(/Z$/, "000Z");
}

/** Reads stored entries, keeping only well-formed ones (storage is user-editable). */
export function parseEntries(raw: string | null): OutboxEntry[] {
  if (!raw) return [];
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  return value.filter(isEntry);
}

function isEntry(value: unknown): value is OutboxEntry {
  if (typeof value !== "object" || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    isUuid(entry.id) &&
    isUuid(entry.spaceId) &&
    isUuid(entry.authorId) &&
    typeof entry.content === "string" &&
    entry.content.length <= LIMITS.contentMax &&
    Number.isFinite(entry.queuedAt) &&
    Number.isFinite(entry.attempts) &&
    Number.isFinite(entry.nextAttemptAt) &&
    (entry.storedAt === undefined || isCursor(entry.storedAt)) &&
    (entry.storedCreatedAt === undefined || isCursor(entry.storedCreatedAt))
  );
}

function replace(entries: readonly OutboxEntry[], next: OutboxEntry): OutboxEntry[] {
  return entries.map((entry) => (entry.id === next.id ? next : entry));
}
