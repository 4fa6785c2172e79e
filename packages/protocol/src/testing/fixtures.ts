import type { ChangeRecord } from "../classify.ts";
import type { Cursor } from "../cursor.ts";
import type { Intention } from "../schemas/intention.ts";

/** Ids and stamps for tests in every package: one spelling, so fixtures read the same. */
export const SPACE = "00000000-0000-4000-8000-000000000001";
export const OTHER_SPACE = "00000000-0000-4000-8000-000000000002";
export const AUTHORS = [
  "00000000-0000-4000-8000-00000000000a",
  "00000000-0000-4000-8000-00000000000b",
] as const;
export const AUTHOR = AUTHORS[0];

/**
 * The cursor `micros` microseconds after 2025-01-01T00:00:00Z, with integer arithmetic only:
 * stamps order like their numbers, as the space clock's do.
 */
export function stamp(micros: number): Cursor {
  const ms = Date.UTC(2025, 0, 1) + Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString(); // ms precision is exact here: micros are added below
  const frac = String((ms % 1000) * 1000 + (micros % 1000)).padStart(6, "0");
  return `${iso.slice(0, 19)}.${frac}Z`;
}

/** The id of the `n`th intention (0, 1, 2, …), as the table model numbers its rows. */
export function intentionId(n: number): string {
  return `10000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
}

/** Intention `n` of `SPACE` by `AUTHOR`, created and updated at `stamp(n)`, reading `#n`. */
export function intention(n: number, fields: Partial<Intention> = {}): Intention {
  return {
    id: intentionId(n),
    spaceId: SPACE,
    authorId: AUTHOR,
    content: `#${n}`,
    createdAt: stamp(n),
    updatedAt: stamp(n),
    ...fields,
  };
}

/** Intention `n` as the change log holds it: live unless `deletedAt` is given. */
export function change(n: number, fields: Partial<ChangeRecord> = {}): ChangeRecord {
  return { ...intention(n), deletedAt: null, ...fields };
}

/** The intention a change record describes (a tombstone's fields, without `deletedAt`). */
export function withoutTombstone({ deletedAt: _, ...intention }: ChangeRecord): Intention {
  return intention;
}
