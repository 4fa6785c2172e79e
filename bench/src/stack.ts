import { readFileSync } from "node:fs";
import { PostgresCluster, ServerProcess } from "@rhizome/testkit";
import postgres from "postgres";
import { AltServerProcess } from "./alt-server.ts";

/** Our server's settings under load: defaults for the sync engine, limits lifted for the bench. */
export const SERVER_ENV = {
  SYNC_MAX_STREAMS_PER_BEING: "1000000",
  // Every load client is on loopback: one address.
  SYNC_MAX_STREAMS_PER_ADDRESS: "10000000",
  RATE_WRITES_PER_MINUTE: "10000000",
  RATE_SIGNUP_PER_MINUTE: "1000000",
  RATE_SIGNIN_PER_MINUTE: "1000000",
  RATE_SIGNIN_PER_ADDRESS_PER_MINUTE: "1000000",
  RATE_SPACES_PER_MINUTE: "1000000",
};

export type Stack = {
  cluster: PostgresCluster;
  databaseUrl: string;
  sql: postgres.Sql;
  /** The bench's being and token (every subscriber shares the token). */
  being: { id: string; token: string };
  /** A second being, for the conversation's second writer (a member only where added). */
  second: { id: string; token: string };
  destroy(): Promise<void>;
};

/** A throw-away Postgres cluster of this run, migrated by one start of our server. */
export async function startStack(): Promise<Stack> {
  const cluster = await PostgresCluster.start();
  const admin = postgres(cluster.url(), { max: 1, onnotice: () => {} });
  await admin.unsafe("CREATE DATABASE bench");
  await admin.end();
  const databaseUrl = cluster.url("bench");
  const server = await startOurs(databaseUrl);
  const being = await signup(server.url);
  const second = await signup(server.url, `bench_${process.pid}_b`);
  await server.kill("SIGTERM");
  const sql = postgres(databaseUrl, { max: 4, onnotice: () => {} });
  keepTimestampsAsText(sql);
  return {
    cluster,
    databaseUrl,
    sql,
    being,
    second,
    async destroy() {
      await sql.end({ timeout: 2 });
      await cluster.destroy();
    },
  };
}

/**
 * postgres.js turns timestamp parameters into JS Dates, which drops microseconds: a cursor
 * would move up to 1 ms back. Pass them as text, as drizzle's driver does in the server.
 */
function keepTimestampsAsText(sql: postgres.Sql): void {
  const options = sql.options as unknown as {
    serializers: Record<number, (x: unknown) => unknown>;
    parsers: Record<number, (x: unknown) => unknown>;
  };
  for (const oid of [1082, 1083, 1114, 1184, 1266]) {
    options.serializers[oid] = (x) => x;
    options.parsers[oid] = (x) => x;
  }
}

/** The cluster's log (pg_ctl -l <dir>/log, beside the data directory). */
export async function serverLogPath(stack: Stack): Promise<string> {
  const [row] = await stack.sql<{ data_directory: string }[]>`SHOW data_directory`;
  const data = row?.data_directory ?? "";
  return `${data.replace(/\/data\/?$/, "")}/log`;
}

/** Logs every statement of the connections opened from now on (set for the bench database). */
export async function logStatements(stack: Stack, on: boolean): Promise<void> {
  await stack.sql.unsafe(
    `ALTER DATABASE bench ${on ? "SET log_statement = 'all'" : "RESET log_statement"}`,
  );
}

export function startOurs(databaseUrl: string, extra: Record<string, string> = {}) {
  const env = { DATABASE_URL: databaseUrl, ...SERVER_ENV, ...extra };
  const alternative = process.env.BENCH_SERVER_MAIN;
  if (alternative) return AltServerProcess.start(alternative, env);
  return ServerProcess.start({ env });
}

async function signup(
  url: string,
  handle = `bench_${process.pid}`,
): Promise<{ id: string; token: string }> {
  const response = await fetch(`${url}/api/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ handle, password: "bench password" }),
  });
  const body = (await response.json()) as { being: { id: string }; token: string };
  return { id: body.being.id, token: body.token };
}

/** Makes the run's second being a member of `spaceId` (a second writer). */
export async function addSecondWriter(stack: Stack, spaceId: string): Promise<void> {
  await stack.sql`INSERT INTO space_members (space_id, being_id, role)
                  VALUES (${spaceId}, ${stack.second.id}, 'member') ON CONFLICT DO NOTHING`;
}

/** Creates spaces straight in SQL (owner = the bench being, a member), `count` at a time. */
export async function createSpaces(stack: Stack, count: number, name: string): Promise<string[]> {
  const rows = await stack.sql<{ id: string }[]>`
    WITH made AS (
      INSERT INTO spaces (name, owner_id)
      SELECT ${name} || ' ' || g, ${stack.being.id} FROM generate_series(1, ${count}) g
      RETURNING id)
    INSERT INTO space_members (space_id, being_id, role)
    SELECT id, ${stack.being.id}, 'owner' FROM made RETURNING space_id AS id`;
  return rows.map((row) => row.id);
}

/**
 * Bulk-loads `n` intentions into a space with INSERT ... SELECT generate_series, keeping the
 * schema's rules: created_at = updated_at strictly increasing (1 µs apart), head = the max.
 */
export async function fillSpace(stack: Stack, spaceId: string, n: number): Promise<void> {
  await stack.sql.begin(async (tx) => {
    const [space] = await tx<{ base: string }[]>`
      SELECT head::text AS base FROM spaces WHERE id = ${spaceId} FOR UPDATE`;
    const base = space?.base as string;
    await tx`
      INSERT INTO intentions (id, space_id, author_id, content, created_at, updated_at)
      SELECT gen_random_uuid(), ${spaceId}, ${stack.being.id},
             'history ' || g || ' ' || repeat('y', 64),
             ${base}::timestamptz + g * interval '1 microsecond',
             ${base}::timestamptz + g * interval '1 microsecond'
      FROM generate_series(1, ${n}) g`;
    await tx`UPDATE spaces SET head = ${base}::timestamptz + ${n} * interval '1 microsecond'
             WHERE id = ${spaceId}`;
  });
  // Steady state, as autovacuum keeps a table: else the first reads after the bulk load set
  // hint bits, writing every page they touch (the full scan's first repeat most of all).
  await stack.sql`VACUUM (ANALYZE) intentions`;
}

/** The stack's postmaster: its process tree is every backend of this cluster, and no other's. */
export async function postmasterPid(stack: Stack): Promise<number> {
  const [row] = await stack.sql<{ data_directory: string }[]>`SHOW data_directory`;
  const pidFile = readFileSync(`${row?.data_directory}/postmaster.pid`, "utf8");
  return Number(pidFile.split("\n")[0]);
}
