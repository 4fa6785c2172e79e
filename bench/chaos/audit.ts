import type { Intention } from "@rhizome/protocol";
import type postgres from "postgres";
import type { Ledger } from "./ledger.ts";

export type Row = {
  id: string;
  authorId: string;
  content: string;
  createdAt: string;
  updatedAt: string;
  deleted: boolean;
};

/** Every intention of the space, tombstones included, ordered by creation; and the head. */
export async function readSpace(
  sql: postgres.Sql,
  spaceId: string,
): Promise<{ head: string; rows: Row[] }> {
  // One transaction: the head and the rows of the same snapshot.
  return sql.begin("ISOLATION LEVEL REPEATABLE READ", async (tx) => {
    const head = await readHead(tx, spaceId);
    const rows = await tx<Row[]>`
      SELECT id, author_id AS "authorId", content,
        to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "createdAt",
        to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "updatedAt",
        deleted_at IS NOT NULL AS deleted
      FROM intentions WHERE space_id = ${spaceId}
      ORDER BY created_at, id`;
    return { head, rows: [...rows] };
  });
}

/** The database's live intentions, as a subscriber's window must hold them. */
export function liveIntentions(rows: Row[]): Row[] {
  return rows.filter((row) => !row.deleted);
}

export type WriteAudit = { lost: number; duplicated: number; problems: string[] };

/**
 * Every acknowledged write against the database: each acknowledged post exists exactly once,
 * each acknowledged delete is a tombstone, and the content is the last acknowledged edit's.
 */
export function auditWrites(ledger: Ledger, rows: Row[]): WriteAudit {
  const result: WriteAudit = { lost: 0, duplicated: 0, problems: [] };
  const problem = (kind: "lost" | "duplicated", detail: string) => {
    result[kind]++;
    if (result.problems.length < 10) result.problems.push(`${kind}: ${detail}`);
  };
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const entry of ledger.entries.values()) {
    if (!entry.posted) continue;
    const row = byId.get(entry.id);
    const pending = entry.unresolved;
    if (!row) {
      problem("lost", `acknowledged post ${entry.id} (${entry.marker}) is not in the database`);
    } else if (entry.deleted) {
      if (!row.deleted || row.content !== "") {
        problem("lost", `acknowledged delete of ${entry.id} (${entry.marker}) is not a tombstone`);
      }
    } else if (row.deleted) {
      if (pending?.kind !== "delete") {
        problem("lost", `${entry.id} (${entry.marker}) was deleted, but no delete was sent`);
      }
    } else if (row.content !== entry.content && row.content !== pending?.content) {
      problem(
        "lost",
        `${entry.id} (${entry.marker}) holds ${JSON.stringify(row.content.slice(0, 40))}, acknowledged ${JSON.stringify(entry.content.slice(0, 40))}`,
      );
    }
  }
  const markers = new Map<string, number>();
  for (const row of rows) {
    if (!ledger.entries.has(row.id)) {
      problem("duplicated", `row ${row.id} was never posted by a writer`);
    }
    const marker = row.content.split(" ", 1)[0];
    if (marker) markers.set(marker, (markers.get(marker) ?? 0) + 1);
  }
  for (const [marker, count] of markers) {
    if (count > 1) problem("duplicated", `${count} rows carry ${marker}`);
  }
  return result;
}

/** How a subscriber's window differs from the database: ids missing, extra, or different. */
export type WindowDiff = {
  missing: string[];
  extra: string[];
  different: string[];
  misordered: boolean;
};

export function diffWindow(window: readonly Intention[], live: Row[]): WindowDiff | undefined {
  const mine = new Map(window.map((item) => [item.id, item]));
  const truth = new Map(live.map((row) => [row.id, row]));
  const diff: WindowDiff = { missing: [], extra: [], different: [], misordered: false };
  for (const row of live) {
    const item = mine.get(row.id);
    if (!item) diff.missing.push(row.id);
    else if (
      item.content !== row.content ||
      item.createdAt !== row.createdAt ||
      item.updatedAt !== row.updatedAt ||
      item.authorId !== row.authorId
    ) {
      diff.different.push(row.id);
    }
  }
  for (const item of window) if (!truth.has(item.id)) diff.extra.push(item.id);
  diff.misordered = window.some((item, index) => live[index]?.id !== item.id);
  const same = !diff.missing.length && !diff.extra.length && !diff.different.length;
  return same && !diff.misordered ? undefined : diff;
}

/** One line per differing intention: what the subscriber holds and what the database holds. */
export function explainDiff(diff: WindowDiff, window: readonly Intention[], rows: Row[]): string[] {
  const mine = new Map(window.map((item) => [item.id, item]));
  const truth = new Map(rows.map((row) => [row.id, row]));
  const line = (id: string) => {
    const item = mine.get(id);
    const row = truth.get(id);
    const held = item ? describe(item) : "nothing";
    const wanted = row ? `${describe(row)}${row.deleted ? " (deleted)" : ""}` : "no row";
    return `${id}: holds ${held}; database ${wanted}`;
  };
  return [
    `${diff.missing.length} missing, ${diff.extra.length} extra, ${diff.different.length} different${diff.misordered ? ", misordered" : ""}`,
    ...[...diff.missing, ...diff.extra, ...diff.different].slice(0, 6).map(line),
  ];
}

function describe(item: { content: string; createdAt: string; updatedAt: string }) {
  return `${JSON.stringify(item.content.slice(0, 20))} created ${item.createdAt} updated ${item.updatedAt}`;
}

/** The space's commit clock: where a caught-up subscriber's cursor stands. */
export async function readHead(
  sql: postgres.Sql | postgres.TransactionSql,
  spaceId: string,
): Promise<string> {
  const [space] = await sql<{ head: string }[]>`
    SELECT to_char(head AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS head
    FROM spaces WHERE id = ${spaceId}`;
  if (!space) throw new Error(`space ${spaceId} is not in the database`);
  return space.head;
}
