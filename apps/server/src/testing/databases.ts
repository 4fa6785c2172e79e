import { afterAll, beforeAll, describe } from "bun:test";
import { createScratchDatabase } from "@rhizome/testkit";
import { type Database, openDatabase } from "../db/client.ts";

/** Tables in dependency order, for truncation between tests. */
const TABLES = "intentions, space_members, sessions, spaces, beings, rate_limits";

export type DbHandle = { readonly database: Database; truncate(): Promise<void> };

/** The drivers this run can test: PGlite always, Postgres when DATABASE_URL is set. */
export function availableDrivers(): ("pglite" | "postgres")[] {
  return process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

/**
 * Declares `body` once per driver (AGENTS.md: the same suite on PGlite and Postgres).
 * One database per file and driver; tests truncate through the handle.
 */
export function describeEachDriver(
  title: string,
  body: (db: DbHandle, driver: "pglite" | "postgres") => void,
) {
  for (const driver of availableDrivers()) {
    describe(`${title} [${driver}]`, () => {
      let database: Database | undefined;
      let drop: (() => Promise<void>) | undefined;
      const handle: DbHandle = {
        get database() {
          if (!database) throw new Error("database not open yet");
          return database;
        },
        async truncate() {
          await handle.database.db.execute(`TRUNCATE ${TABLES} CASCADE` as never);
        },
      };
      beforeAll(async () => {
        let databaseUrl: string | undefined;
        if (driver === "postgres") {
          const scratch = await createScratchDatabase(process.env.DATABASE_URL as string);
          drop = scratch.drop;
          databaseUrl = scratch.url;
        }
        database = await openDatabase({ databaseUrl, dataDir: "memory://" });
      });
      afterAll(async () => {
        await database?.close();
        await drop?.();
      });
      body(handle, driver);
    });
  }
}
