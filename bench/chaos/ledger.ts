/** What a writer did to one intention, as far as the server acknowledged it. */
export type LedgerEntry = {
  id: string;
  writer: number;
  /** Unique per post (`w3#17`): a second row carrying it is a duplicate. */
  marker: string;
  /** The content the server acknowledged last (the post's, then each acknowledged edit's). */
  content: string;
  /** The post was answered 2xx. */
  posted: boolean;
  /** A delete was answered 204. */
  deleted: boolean;
  /** A write sent but never acknowledged (the run ended first): the database may show either. */
  unresolved?: { kind: "post" | "edit" | "delete"; content?: string };
};

/** Every write of the run and its outcome: the truth the database is checked against. */
export class Ledger {
  readonly entries = new Map<string, LedgerEntry>();
  /** Writes answered with an error the contract does not allow (e.g. 409 on a retried post). */
  readonly rejections: string[] = [];
  /** Acknowledged writes by kind. */
  readonly acknowledgedBy = { post: 0, edit: 0, delete: 0 };
  retries = 0;

  get acknowledged(): number {
    const { post, edit, delete: deletes } = this.acknowledgedBy;
    return post + edit + deletes;
  }

  /** Records the server's acknowledgement of the write in flight on `entry`. */
  acknowledge(entry: LedgerEntry, kind: "post" | "edit" | "delete", content?: string): void {
    if (kind === "post") entry.posted = true;
    if (kind === "edit" && content !== undefined) entry.content = content;
    if (kind === "delete") entry.deleted = true;
    entry.unresolved = undefined;
    this.acknowledgedBy[kind]++;
  }

  begin(entry: Omit<LedgerEntry, "posted" | "deleted">): LedgerEntry {
    const full = { ...entry, posted: false, deleted: false };
    this.entries.set(entry.id, full);
    return full;
  }

  /** Live intentions this writer posted and has not deleted: what it may edit or delete. */
  editable(writer: number): LedgerEntry[] {
    const out: LedgerEntry[] = [];
    for (const entry of this.entries.values()) {
      if (entry.writer === writer && entry.posted && !entry.deleted && !entry.unresolved) {
        out.push(entry);
      }
    }
    return out;
  }

  reject(what: string): void {
    this.rejections.push(what);
  }
}
