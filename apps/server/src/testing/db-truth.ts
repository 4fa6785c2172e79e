import postgres from "postgres";

const CURSOR = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/** Reads a space straight from Postgres, bypassing the server: the truth readers must match. */
export class DbTruth {
  readonly sql: postgres.Sql;

  constructor(url: string) {
    this.sql = postgres(url, { max: 2, onnotice: () => {} });
  }

  async live(spaceId: string) {
    return this.sql.unsafe(
      `SELECT id::text, content,
         to_char(created_at AT TIME ZONE 'UTC', ${CURSOR}) AS "createdAt",
         to_char(updated_at AT TIME ZONE 'UTC', ${CURSOR}) AS "updatedAt"
       FROM intentions WHERE space_id = $1 AND deleted_at IS NULL ORDER BY created_at`,
      [spaceId],
    ) as Promise<{ id: string; content: string; createdAt: string; updatedAt: string }[]>;
  }

  async head(spaceId: string): Promise<string> {
    const [row] = await this.sql.unsafe(
      `SELECT to_char(head AT TIME ZONE 'UTC', ${CURSOR}) AS head FROM spaces WHERE id = $1`,
      [spaceId],
    );
    return row?.head as string;
  }

  /**
   * Whether a reader has every change: all that came after its cursor are deletions of rows
   * it does not hold (created after the frame that moved its cursor, and omitted from it).
   * Its cursor need not be the head (docs/PROTOCOL.md §4: an omitted change moves no cursor).
   */
  async caughtUp(
    spaceId: string,
    reader: { cursor: string | null; intentions: readonly { id: string }[] },
  ): Promise<boolean> {
    if (!reader.cursor) return false;
    const after = (await this.sql.unsafe(
      `SELECT id::text, deleted_at IS NOT NULL AS deleted FROM intentions
       WHERE space_id = $1 AND updated_at > ($2::text)::timestamptz`,
      [spaceId, reader.cursor],
    )) as unknown as { id: string; deleted: boolean }[];
    const held = new Set(reader.intentions.map((intention) => intention.id));
    return after.every((change) => change.deleted && !held.has(change.id));
  }

  /** Backends of this database waiting on a lock (a write queued behind a held one). */
  async lockWaiters(): Promise<number> {
    const [row] = await this.sql`
      SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    return row?.n as number;
  }

  close(): Promise<void> {
    return this.sql.end();
  }
}
