import fc from "fast-check";
import type { ChangeRecord } from "../classify.ts";
import type { Cursor } from "../cursor.ts";

/** Formats microseconds after 2025-01-01T00:00:00Z as a cursor, with integer arithmetic only. */
export function cursorAt(micros: number): Cursor {
  const base = Date.UTC(2025, 0, 1);
  const ms = base + Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString(); // ms precision is exact here: micros are added below
  const frac = String((ms % 1000) * 1000 + (micros % 1000)).padStart(6, "0");
  return `${iso.slice(0, 19)}.${frac}Z`;
}

export const SPACE = "00000000-0000-4000-8000-000000000001";
export const AUTHORS = [
  "00000000-0000-4000-8000-00000000000a",
  "00000000-0000-4000-8000-00000000000b",
];

export function intentionId(n: number): string {
  return `10000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
}

export type Op =
  | { kind: "create"; author: number; content: string }
  | { kind: "edit"; target: number; content: string }
  | { kind: "delete"; target: number };

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("create" as const),
      author: fc.nat(1),
      content: fc.string({ minLength: 1, maxLength: 8 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("edit" as const),
      target: fc.nat(40),
      content: fc.string({ minLength: 1, maxLength: 8 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), target: fc.nat(40) }) },
);

/** The space's rows after each op: the model the server's table must match. */
export class History {
  /** Stamp of the space's creation: the first cursor a client may hold. */
  readonly origin = cursorAt(0);
  readonly snapshots: ReadonlyMap<string, ChangeRecord>[] = [new Map()];

  constructor(readonly ops: readonly Op[]) {
    let rows = new Map<string, ChangeRecord>();
    let created = 0;
    ops.forEach((op, index) => {
      const at = cursorAt((index + 1) * 7);
      rows = new Map(rows);
      if (op.kind === "create") {
        const id = intentionId(created++);
        rows.set(id, {
          id,
          spaceId: SPACE,
          authorId: AUTHORS[op.author] as string,
          content: op.content,
          createdAt: at,
          updatedAt: at,
          deletedAt: null,
        });
      } else {
        const row = created > 0 ? rows.get(intentionId(op.target % created)) : undefined;
        if (row && row.deletedAt === null) {
          rows.set(
            row.id,
            op.kind === "edit"
              ? { ...row, content: op.content, updatedAt: at }
              : { ...row, content: "", updatedAt: at, deletedAt: at },
          );
        }
      }
      this.snapshots.push(rows);
    });
  }

  /** Stamp of the state after `step` ops (step 0 is the origin). */
  stampAt(step: number): Cursor {
    return step === 0 ? this.origin : cursorAt(step * 7);
  }

  /** What the server's catch-up query returns at `step` for `since`: rows changed after it. */
  changesSince(since: Cursor, step: number): ChangeRecord[] {
    return [...(this.snapshots[step]?.values() ?? [])]
      .filter((row) => row.updatedAt > since)
      .sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : 1));
  }

  liveAt(step: number): ChangeRecord[] {
    return [...(this.snapshots[step]?.values() ?? [])]
      .filter((row) => row.deletedAt === null)
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
  }
}

export function withoutTombstone({ deletedAt: _, ...intention }: ChangeRecord) {
  return intention;
}
