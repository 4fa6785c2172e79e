import type { Config } from "../config.ts";
import { DATA_DIR_LOCKED } from "../db/data-dir-lock.ts";

type SystemError = Error & { code?: unknown; address?: unknown; port?: unknown };

/** The database URL without its password, to print. */
function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.href;
  } catch {
    return "DATABASE_URL (not a URL)";
  }
}

/**
 * What went wrong when the server could not start, in a sentence a person can act on,
 * instead of a stack trace; undefined when the error is not one of the known causes.
 */
export function describeStartupFailure(error: unknown, config: Config): string | undefined {
  const failure = error as SystemError | undefined;
  const code = typeof failure?.code === "string" ? failure.code : undefined;
  const where = config.databaseUrl ? safeUrl(config.databaseUrl) : `PGlite in ${config.dataDir}`;
  if (code === DATA_DIR_LOCKED) {
    return `The embedded database in ${config.dataDir} is in use by another Rhizome (process ${String((failure as { pid?: unknown }).pid)}): PGlite cannot be shared. Stop that one, or give this one its own DATA_DIR, or use Postgres (DATABASE_URL).`;
  }
  if (code === "EADDRINUSE") {
    return `Port ${config.port} is already in use (another Rhizome, or another program, listens there). Stop it, or start on another port: PORT=3001 bun dev (the web app's proxy follows PORT, or API_PORT when set).`;
  }
  if (code === "EACCES" && /listen/i.test(failure?.message ?? "")) {
    return `Not allowed to listen on port ${config.port}: ports below 1024 need privileges. Set PORT to another one.`;
  }
  if (
    code === "ECONNREFUSED" ||
    code === "ENOTFOUND" ||
    code === "EAI_AGAIN" ||
    code === "ETIMEDOUT"
  ) {
    return `Cannot reach the database at ${where} (${code}). Is Postgres running there? Unset DATABASE_URL to use the embedded database.`;
  }
  // Postgres' own codes: 28xxx authentication, 3D000 no such database.
  if (code === "3D000" || (code?.startsWith("28") && code.length === 5)) {
    return `The database at ${where} refused the connection: ${failure?.message}. Check DATABASE_URL.`;
  }
  return undefined;
}
