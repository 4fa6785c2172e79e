import { describe, expect, test } from "bun:test";
import { loadConfig } from "../config.ts";
import { DATA_DIR_LOCKED } from "../db/data-dir-lock.ts";
import { describeStartupFailure } from "./startup-failure.ts";

const failure = (code: string, message = code) => Object.assign(new Error(message), { code });

describe("describeStartupFailure", () => {
  const embedded = loadConfig({ PORT: "3000" });
  const postgres = loadConfig({
    PORT: "3000",
    DATABASE_URL: "postgres://ada:secret@db.example:5432/rz",
  });

  test("a taken port names the port and how to move", () => {
    const text = describeStartupFailure(failure("EADDRINUSE"), embedded);
    expect(text).toContain("Port 3000 is already in use");
    expect(text).toContain("PORT=");
  });

  test("an unreachable database names it, without its password", () => {
    const text = describeStartupFailure(failure("ECONNREFUSED"), postgres) ?? "";
    expect(text).toContain("Cannot reach the database at postgres://ada:***@db.example:5432/rz");
    expect(text).not.toContain("secret");
    expect(describeStartupFailure(failure("ENOTFOUND"), postgres)).toContain("ENOTFOUND");
  });

  test("Postgres refusing (no such database, authentication) says so", () => {
    const missing = failure("3D000", 'database "rz" does not exist');
    expect(describeStartupFailure(missing, postgres)).toContain('database "rz" does not exist');
    expect(
      describeStartupFailure(failure("28P01", "password authentication failed"), postgres),
    ).toContain("Check DATABASE_URL");
  });

  test("a PGlite directory in use by another server names the process and the ways out", () => {
    const locked = Object.assign(failure(DATA_DIR_LOCKED), { pid: 4242 });
    const text = describeStartupFailure(locked, embedded) ?? "";
    expect(text).toContain("in use by another Rhizome (process 4242)");
    expect(text).toContain("DATA_DIR");
  });

  test("anything else is left to its stack trace", () => {
    expect(describeStartupFailure(new TypeError("x is undefined"), postgres)).toBeUndefined();
    expect(describeStartupFailure(undefined, embedded)).toBeUndefined();
  });
});
