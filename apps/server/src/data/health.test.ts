import { describe, expect, test } from "bun:test";
import type { Db } from "../db/client.ts";
import { describeEachDriver } from "../testing/databases.ts";
import { ping } from "./health.ts";

describeEachDriver("the health check's ping", (handle) => {
  test("is true while the database answers", async () => {
    expect(await ping(handle.database.db)).toBe(true);
  });
});

describe("the health check's ping, against a database that does not answer", () => {
  /** A database whose queries never settle, as a wedged pool's do. */
  const silent = { execute: () => new Promise(() => {}) } as unknown as Db;
  const failing = { execute: () => Promise.reject(new Error("down")) } as unknown as Db;

  test("is false once its deadline passes, instead of waiting with the query", async () => {
    expect(await ping(silent, 20)).toBe(false);
  });

  test("is false at once when the query fails", async () => {
    expect(await ping(failing, 60_000)).toBe(false);
  });
});
