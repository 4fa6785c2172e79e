import type { Intention } from "@rhizome/protocol";

/** An intention as raw SQL returns it: snake_case columns, cursors already formatted. */
export type IntentionRow = {
  id: string;
  space_id: string;
  author_id: string;
  content: string;
  created_at: string;
  updated_at: string;
};

export function intentionFromRow(row: IntentionRow): Intention {
  return {
    id: row.id,
    spaceId: row.space_id,
    authorId: row.author_id,
    content: row.content,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
