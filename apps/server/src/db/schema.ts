import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";

/** Sync columns are read as strings (see `cursorOf` in sql.ts), never as JS Dates. */
const clock = (name: string) =>
  timestamp(name, { withTimezone: true, precision: 6, mode: "string" });

export const visibility = pgEnum("visibility", ["public", "private"]);
export const memberRole = pgEnum("member_role", ["owner", "member"]);

export const beings = pgTable("beings", {
  id: uuid("id").primaryKey().defaultRandom(),
  handle: text("handle").notNull().unique("beings_handle_unique"),
  name: text("name").notNull(),
  color: text("color").notNull(),
  passwordHash: text("password_hash").notNull(),
  createdAt: clock("created_at").notNull().defaultNow(),
  updatedAt: clock("updated_at").notNull().defaultNow(),
});

export const sessions = pgTable(
  "sessions",
  {
    tokenHash: text("token_hash").primaryKey(),
    beingId: uuid("being_id")
      .notNull()
      .references(() => beings.id, { onDelete: "cascade" }),
    createdAt: clock("created_at").notNull().defaultNow(),
    expiresAt: clock("expires_at").notNull(),
  },
  (table) => [index("sessions_being_idx").on(table.beingId)],
);

export const spaces = pgTable(
  "spaces",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    visibility: visibility("visibility").notNull().default("public"),
    ownerId: uuid("owner_id")
      .notNull()
      .references(() => beings.id),
    createdAt: clock("created_at").notNull().defaultNow(),
    /** The space's commit clock (docs/PROTOCOL.md §3): the stamp of its latest change. */
    head: clock("head").notNull().default(sql`clock_timestamp()`),
  },
  (table) => [index("spaces_visibility_idx").on(table.visibility)],
);

export const spaceMembers = pgTable(
  "space_members",
  {
    spaceId: uuid("space_id")
      .notNull()
      .references(() => spaces.id, { onDelete: "cascade" }),
    beingId: uuid("being_id")
      .notNull()
      .references(() => beings.id, { onDelete: "cascade" }),
    role: memberRole("role").notNull().default("member"),
    joinedAt: clock("joined_at").notNull().defaultNow(),
    /** The read marker: the cursor up to which the member has seen the space (null: nothing). */
    readAt: clock("read_at"),
  },
  (table) => [
    primaryKey({ name: "space_members_pk", columns: [table.spaceId, table.beingId] }),
    index("space_members_being_idx").on(table.beingId),
  ],
);

export const intentions = pgTable(
  "intentions",
  {
    id: uuid("id").primaryKey(),
    spaceId: uuid("space_id")
      .notNull()
      .references(() => spaces.id, { onDelete: "cascade" }),
    authorId: uuid("author_id")
      .notNull()
      .references(() => beings.id),
    content: text("content").notNull(),
    /** The space clock at creation. */
    createdAt: clock("created_at").notNull(),
    /** The space clock at the latest change: create, edit or delete. */
    updatedAt: clock("updated_at").notNull(),
    /** Set on delete (a tombstone), equal to `updated_at`; the content is erased. */
    deletedAt: clock("deleted_at"),
  },
  (table) => [
    index("intentions_space_updated_idx").on(table.spaceId, table.updatedAt),
    index("intentions_space_created_idx").on(table.spaceId, table.createdAt),
    // Live intentions only: unread counts and the latest intention never step over tombstones.
    index("intentions_space_live_created_idx")
      .on(table.spaceId, table.createdAt)
      .where(sql`${table.deletedAt} IS NULL`),
    check(
      "intentions_tombstone_check",
      sql`${table.deletedAt} IS NULL OR (${table.deletedAt} = ${table.updatedAt} AND ${table.content} = '')`,
    ),
  ],
);

/** Fixed-window counters shared by every process and instance (README, Configuration). */
export const rateLimits = pgTable(
  "rate_limits",
  {
    key: text("key").notNull(),
    /** Epoch milliseconds at which the window began. */
    windowStart: bigint("window_start", { mode: "number" }).notNull(),
    count: integer("count").notNull(),
  },
  (table) => [primaryKey({ name: "rate_limits_pk", columns: [table.key, table.windowStart] })],
);
