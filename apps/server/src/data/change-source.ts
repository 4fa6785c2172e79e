import type { Db } from "../db/client.ts";
import type { ChangeSource } from "../sync/source.ts";
import { readChangesSince, readLatestPage } from "./changes.ts";
import { readHeads } from "./spaces.ts";

/** The sync engine's reads, backed by the database. */
export function databaseChangeSource(db: Db): ChangeSource {
  return {
    changesSince: (spaceId, since, limit) => readChangesSince(db, spaceId, since, limit),
    latestPage: (spaceId, limit) => readLatestPage(db, spaceId, limit),
    heads: (spaceIds) => readHeads(db, spaceIds),
  };
}
