import type { Being, ErrorBody } from "@rhizome/protocol";
import { sql } from "drizzle-orm";
import { type App, createApp } from "../app.ts";
import { type Config, loadConfig } from "../config.ts";
import { type AppContext, createContext } from "../context.ts";
import { insertSession } from "../data/sessions.ts";
import type { Database } from "../db/client.ts";
import { rowsOf } from "../db/sql.ts";
import { hashToken, newSessionToken, SESSION_TTL_SECONDS } from "../features/auth/tokens.ts";
import type { Fanout } from "../sync/fanout.ts";

export type ConfigOverrides = {
  sync?: Partial<Config["sync"]>;
  rate?: Partial<Config["rate"]>;
  trustProxyHops?: number;
  webDir?: string;
  metricsToken?: string;
};

/** Defaults with limits lifted: a test that wants a limit sets it low on purpose. */
export function testConfig(overrides: ConfigOverrides = {}): Config {
  const base = loadConfig({});
  return {
    ...base,
    port: 0,
    webDir: overrides.webDir,
    // The full window whatever the audience: batching tests keep their meaning.
    sync: { ...base.sync, batchMs: 5, batchAudience: 1, ...overrides.sync },
    rate: {
      signupPerMinute: 1_000_000,
      signinPerMinute: 1_000_000,
      signinPerAddressPerMinute: 1_000_000,
      writesPerMinute: 1_000_000,
      spacesPerMinute: 1_000_000,
      maxPendingHashes: 1_000_000,
      ...overrides.rate,
    },
    trustProxyHops: overrides.trustProxyHops ?? 0,
    metricsToken: overrides.metricsToken,
  };
}

export type Call = {
  /** Sent as `Authorization: Bearer`. */
  token?: string;
  /** Serialised as JSON unless it is already a string (sent raw). */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
};

/**
 * The rate limits' clock in every TestApp of a process: one fixed minute, so that a test of a
 * limit never straddles two windows (the real clock made them fail now and then).
 */
const FROZEN_NOW = Date.now();

export const TEST_PASSWORD = "correct horse battery";

/** The app in-process, built like server.ts builds it, driven through `app.handle`. */
export class TestApp {
  private constructor(
    readonly app: App,
    readonly ctx: AppContext,
    readonly database: Database,
  ) {}

  static async create(database: Database, overrides: ConfigOverrides = {}): Promise<TestApp> {
    const config = testConfig(overrides);
    const ctx = await createContext(config, database, () => FROZEN_NOW);
    return new TestApp(createApp(ctx), ctx, database);
  }

  get fanout(): Fanout {
    return this.ctx.fanout;
  }

  request(method: string, path: string, call: Call = {}): Promise<Response> {
    const headers = new Headers(call.headers);
    if (call.token !== undefined) headers.set("authorization", `Bearer ${call.token}`);
    let body: string | undefined;
    if (call.body !== undefined) {
      body = typeof call.body === "string" ? call.body : JSON.stringify(call.body);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    }
    return this.app.handle(
      new Request(`http://localhost${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        ...(call.signal ? { signal: call.signal } : {}),
      }),
    );
  }

  /** A request whose answer must have `status`; returns the parsed JSON (undefined for 204). */
  async expect<T = Record<string, unknown>>(
    status: number,
    method: string,
    path: string,
    call: Call = {},
  ): Promise<T> {
    const response = await this.request(method, path, call);
    const text = await response.text();
    if (response.status !== status) {
      throw new Error(`${method} ${path}: expected ${status}, got ${response.status} ${text}`);
    }
    return (text === "" ? undefined : JSON.parse(text)) as T;
  }

  async signup(handle: string, name?: string): Promise<{ being: Being; token: string }> {
    return this.expect(201, "POST", "/api/auth/signup", {
      body: { handle, password: TEST_PASSWORD, ...(name ? { name } : {}) },
    });
  }

  /** A fresh session without hashing a password: cheap, for tests that revoke sessions. */
  async newSession(beingId: string): Promise<string> {
    const token = newSessionToken();
    await insertSession(this.database.db, {
      tokenHash: hashToken(token),
      beingId,
      ttlSeconds: SESSION_TTL_SECONDS,
    });
    return token;
  }

  async close(): Promise<void> {
    await this.ctx.guard.dispose();
    await this.fanout.shutdown();
  }
}

/** Every row of every table, in a stable order: equal snapshots mean nothing changed. */
export async function snapshotTables(database: Database): Promise<Record<string, unknown[]>> {
  const tables: Record<string, string> = {
    beings: "id",
    sessions: "token_hash",
    spaces: "id",
    space_members: "space_id, being_id",
    intentions: "id",
  };
  const snapshot: Record<string, unknown[]> = {};
  for (const [table, key] of Object.entries(tables)) {
    snapshot[table] = await rowsOf(
      database.db,
      sql.raw(`SELECT * FROM ${table} ORDER BY ${key}`),
    ).then((rows) => rows.map((row) => JSON.parse(JSON.stringify(row))));
  }
  return snapshot;
}

/** The error body of a response, checked against the contract's shape (`ErrorBodySchema`). */
export function asErrorBody(text: string): ErrorBody {
  const parsed = JSON.parse(text) as ErrorBody;
  const error = parsed?.error;
  if (typeof error?.code !== "string" || typeof error?.message !== "string") {
    throw new Error(`not an error body: ${text}`);
  }
  return parsed;
}

/** Reads an SSE body until `done` says so or the stream ends; returns what was read. */
export async function readUntil(
  body: ReadableStream<Uint8Array>,
  done: (text: string) => boolean,
): Promise<{ text: string; ended: boolean; reader: ReadableStreamDefaultReader<Uint8Array> }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!done(text)) {
    const chunk = await reader.read();
    if (chunk.done) return { text, ended: true, reader };
    text += decoder.decode(chunk.value, { stream: true });
  }
  return { text, ended: false, reader };
}

/** Resolves once the stream has ended (reads and drops everything else). */
export async function readToEnd(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  while (!(await reader.read()).done) {
    // Drain: heartbeats or late frames may still arrive before the close.
  }
}
