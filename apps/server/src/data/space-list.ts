import type { Cursor, Intention, Space, Visibility } from "@rhizome/protocol";
import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { intentions } from "../db/schema.ts";
import { cursorSql, rowsOf, selectList } from "../db/sql.ts";
import { intentionColumns } from "./intention-columns.ts";
import type { Role } from "./spaces.ts";

/** Unread counts stop here: "100" reads as "100 or more", and no count scans further. */
export const UNREAD_CAP = 100;

/** A member's view of a space in the list: where they read up to, what is new, the latest. */
export type ReadState = {
  readAt: Cursor | null;
  unread: number;
  lastIntention: Intention | null;
};

export type ListedSpace = Space & { role: Role | null } & Partial<ReadState>;

type Row = {
  id: string;
  name: string;
  visibility: Visibility;
  owner_id: string;
  created_at: string;
  head: string;
  role: Role | null;
  read_at: string | null;
  unread: number | null;
  last: Intention | string | null;
};

/**
 * The being's own spaces, then the others it belongs to, then public ones, each by latest
 * activity (head); members' entries carry their read state. Own spaces come first so that
 * nobody can push them past the cap by adding the being to many spaces. One statement: the
 * page is chosen first, then each member space costs two index range scans on live
 * intentions (`intentions_space_live_created_idx`), the count bounded by UNREAD_CAP.
 */
export async function listVisibleSpaces(
  db: Db,
  beingId: string,
  cap = 500,
): Promise<ListedSpace[]> {
  return (await rowsOf<Row>(db, spaceListStatement(beingId, cap))).map(listedSpace);
}

/** The list's one statement, for `listVisibleSpaces` and for its plan in a test. */
export function spaceListStatement(beingId: string, cap: number): SQL {
  return sql`
      SELECT page.*, ${sql.raw(cursorSql("page.read_at_ts"))} AS read_at, unread.n AS unread,
        CASE WHEN last.id IS NULL THEN NULL ELSE row_to_json(last) END AS last
      FROM (
        SELECT s.id, s.name, s.visibility, s.owner_id, s.head AS head_ts,
          ${sql.raw(cursorSql("s.created_at"))} AS created_at, ${sql.raw(cursorSql("s.head"))} AS head,
          m.role, m.read_at AS read_at_ts,
          CASE m.role WHEN 'owner' THEN 0 WHEN 'member' THEN 1 ELSE 2 END AS rank
        FROM spaces s
        LEFT JOIN space_members m ON m.space_id = s.id AND m.being_id = ${beingId}
        WHERE s.visibility = 'public' OR m.being_id IS NOT NULL
        ORDER BY rank, s.head DESC, s.id
        LIMIT ${cap}
      ) page
      LEFT JOIN LATERAL (
        SELECT count(*)::int AS n FROM (
          SELECT 1 FROM intentions i
          WHERE page.role IS NOT NULL AND i.space_id = page.id AND i.deleted_at IS NULL
            AND i.created_at > COALESCE(page.read_at_ts, '-infinity'::timestamptz)
            AND i.author_id <> ${beingId}
          -- In index order: the count walks the live index from the marker and stops at the cap.
          ORDER BY i.created_at
          LIMIT ${UNREAD_CAP}
        ) capped
      ) unread ON page.role IS NOT NULL
      LEFT JOIN LATERAL (
        SELECT ${selectList(intentionColumns)} FROM ${intentions}
        WHERE page.role IS NOT NULL AND ${intentions.spaceId} = page.id
          AND ${intentions.deletedAt} IS NULL
        ORDER BY ${intentions.createdAt} DESC
        LIMIT 1
      ) last ON true
      ORDER BY page.rank, page.head_ts DESC, page.id`;
}

function listedSpace(row: Row): ListedSpace {
  const space: ListedSpace = {
    id: row.id,
    name: row.name,
    visibility: row.visibility,
    ownerId: row.owner_id,
    createdAt: row.created_at,
    head: row.head,
    role: row.role,
  };
  if (row.role === null) return space;
  return {
    ...space,
    readAt: row.read_at,
    unread: Number(row.unread ?? 0),
    lastIntention: row.last === null ? null : parsed(row.last),
  };
}

/** A json column: postgres.js and PGlite parse it already, a string is parsed here. */
function parsed<T>(value: T | string): T {
  return typeof value === "string" ? (JSON.parse(value) as T) : value;
}
