import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { lockDataDir } from "./data-dir-lock.ts";
import { applyMigrations } from "./migrate.ts";
import * as schema from "./schema.ts";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type DbKind = "pglite" | "postgres";

/** A notification listener; `onListen` runs when listening starts and after every reconnect. */
export type Listen = (
  channel: string,
  onNotify: (payload: string) => void,
  onListen: () => void,
) => Promise<() => Promise<void>>;

export type Database = {
  kind: DbKind;
  db: Db;
  listen: Listen;
  close(): Promise<void>;
};

export type DatabaseOptions = {
  databaseUrl: string | undefined;
  /** PGlite's directory; `memory://` keeps it in memory (tests). */
  dataDir: string;
  /** Connections in the postgres.js pool. */
  poolSize?: number;
};

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const database = options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize ?? 10)
    : await openPglite(options.dataDir);
  await applyMigrations(database, options.databaseUrl);
  return database;
}

/**
 * postgres.js waits up to 20 s between reconnects once queries have failed (its retries are
 * shared by the pool): a sync server should be back a second or two after Postgres is.
 */
export function reconnectDelaySeconds(retries: number): number {
  return Math.min(0.05 * 2 ** retries, 2) * (0.5 + Math.random() / 2);
}

export type PoolOptions = {
  max: number;
  /** How long one connection may take to start, retries after a close included (seconds). */
  connectTimeoutSeconds?: number;
};

/** The postgres.js pool as the server runs it (patches/ fixes its reconnects). */
export function postgresPool(url: string, { max, connectTimeoutSeconds = 30 }: PoolOptions) {
  return postgres(url, {
    max,
    onnotice: () => {},
    connection: { application_name: "rhizome" },
    backoff: reconnectDelaySeconds,
    connect_timeout: connectTimeoutSeconds,
  });
}

function openPostgres(url: string, max: number): Database {
  const client = postgresPool(url, { max });
  return {
    kind: "postgres",
    db: drizzlePostgres(client, { schema }) as unknown as Db,
    async listen(channel, onNotify, onListen) {
      const subscription = await client.listen(channel, onNotify, onListen);
      return () => subscription.unlisten();
    },
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(dataDir: string): Promise<Database> {
  let unlock = () => {};
  if (!dataDir.startsWith("memory://")) {
    mkdirSync(dataDir, { recursive: true });
    unlock = lockDataDir(dataDir);
  }
  let client: PGlite;
  try {
    client = await PGlite.create(dataDir);
  } catch (error) {
    unlock();
    throw error;
  }
  return {
    kind: "pglite",
    db: drizzlePglite(client, { schema }) as unknown as Db,
    async listen(channel, onNotify, onListen) {
      // One embedded connection: it cannot drop, so onListen runs once.
      const unlisten = await client.listen(channel, onNotify);
      onListen();
      return unlisten;
    },
    close: async () => {
      try {
        await client.close();
      } finally {
        unlock();
      }
    },
  };
}
