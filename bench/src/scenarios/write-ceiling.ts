import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { cpuMicrosByPid, cpuMicrosOf, cpuUsedBetween, processTree } from "../proc.ts";
import { launch } from "../servers.ts";
import { createSpaces, postmasterPid, type Stack } from "../stack.ts";
import type { WriteTarget } from "../writer.ts";
import { measureWrites, type WriteFigures } from "./writes.ts";

/** The ceiling's shape (the speed issue): 100 spaces, 256 writers, two server processes. */
export const CEILING = { spaces: 100, writers: 256, serverWorkers: 2 };

/** Where a sampled active backend of our server was: running, or waiting on what. */
export type WaitClass =
  | "cpu"
  /** `Client:ClientRead` while active: the backend waits for our server's next message. */
  | "clientRead"
  | "notifyLock"
  | "spaceRowLock"
  | "rateLimitRowLock"
  | "other";

export type CeilingFigures = typeof CEILING & {
  /** One being per writer, each a member of every space (one being's limit row would be hot). */
  beings: number;
  writes: WriteFigures;
  cores: number;
  /** Average cores busy over the timed phase. */
  coresBusy: {
    server: number;
    postgres: number;
    /** Our server's backends alone (application_name = rhizome). */
    postgresOurBackends: number;
    loadGenerator: number;
    /** The whole machine (/proc/stat), other tenants included. */
    machine: number;
  };
  cpuMicrosPerWrite: { server: number; postgres: number };
  waits: {
    samples: number;
    /** Active backend observations, summed over the samples. */
    observations: number;
    byClass: Record<WaitClass, number>;
    byEvent: Record<string, number>;
  };
  saturates: string;
  reason: string;
};

/**
 * Posts per second across 100 spaces with SERVER_WORKERS=2 and 256 writers, and what runs out
 * first: our CPU, Postgres' CPU, the NOTIFY commit lock or a row lock, read from /proc (server
 * processes, Postgres backends) and from pg_stat_activity sampled every 20 ms.
 */
export async function runWriteCeiling(
  stack: Stack,
  seconds: number,
  log: (line: string) => void,
): Promise<CeilingFigures> {
  const spaces = await createSpaces(stack, CEILING.spaces, "ceiling");
  const server = await launch("ours", stack, "node", { workers: CEILING.serverWorkers });
  try {
    const targets = await writerBeings(stack, spaces, CEILING.writers, server.url);
    const postmaster = await postmasterPid(stack);
    // A first burst opens every pooled connection, so that their backends can be listed.
    const load = { concurrency: CEILING.writers, seconds: Math.min(1, seconds) };
    await measureWrites(targets, () => 0, spaces, load);
    const sampler = new WaitSampler(stack, await ourBackends(stack));
    let trees: { server: number[]; postgres: number[]; ours: number[] } | undefined;
    let start: ReturnType<typeof cpuNow> | undefined;
    let end: ReturnType<typeof cpuNow> | undefined;
    const cpuNow = () => ({
      at: performance.now(),
      // Per process: a backend or autovacuum worker may end within the phase.
      server: cpuMicrosByPid(trees?.server ?? []),
      postgres: cpuMicrosByPid(trees?.postgres ?? []),
      ours: cpuMicrosByPid(trees?.ours ?? []),
      loadGenerator: coordinatorMicros(),
      machine: machineBusyMicros(),
    });
    const writes = await measureWrites(
      targets,
      () => cpuMicrosOf(trees?.server ?? []),
      spaces,
      { concurrency: CEILING.writers, seconds },
      {
        start() {
          // After the warm-up: every pooled connection and its backend exist by now.
          trees = {
            server: processTree(server.pid),
            postgres: processTree(postmaster),
            ours: sampler.backends,
          };
          start = cpuNow();
          sampler.start();
        },
        stop() {
          end = cpuNow();
          sampler.stop();
        },
      },
    );
    await sampler.done;
    if (!start || !end) throw new Error("the ceiling's phase did not run");
    const figures = verdict(writes, start, end, sampler);
    log(
      `  ceiling: ${writes.perSecond}/s accepted over ${CEILING.spaces} spaces ` +
        `(${CEILING.writers} writers, SERVER_WORKERS=${CEILING.serverWorkers}, ${writes.failed} failed); ` +
        `cores busy: server ${figures.coresBusy.server.toFixed(2)}, postgres ` +
        `${figures.coresBusy.postgres.toFixed(2)}, load ${figures.coresBusy.loadGenerator.toFixed(2)}, ` +
        `machine ${figures.coresBusy.machine.toFixed(2)} of ${figures.cores}`,
    );
    const share = (c: WaitClass) =>
      `${c} ${Math.round((100 * figures.waits.byClass[c]) / Math.max(1, figures.waits.observations))}%`;
    log(
      `  ceiling waits (${figures.waits.samples} samples of active backends): ` +
        (["cpu", "clientRead", "notifyLock", "spaceRowLock", "rateLimitRowLock", "other"] as const)
          .map(share)
          .join(", "),
    );
    log(`  ceiling saturates first: ${figures.saturates} (${figures.reason})`);
    return figures;
  } finally {
    await server.stop();
  }
}

type CpuReading = {
  at: number;
  server: Map<number, number>;
  postgres: Map<number, number>;
  ours: Map<number, number>;
  loadGenerator: number;
  machine: number;
};

function verdict(
  writes: WriteFigures,
  start: CpuReading,
  end: CpuReading,
  sampler: WaitSampler,
): CeilingFigures {
  const micros = (end.at - start.at) * 1000;
  const used = (key: "server" | "postgres" | "ours") => cpuUsedBetween(start[key], end[key]);
  const busy = (key: Exclude<keyof CpuReading, "at">) =>
    (key === "loadGenerator" || key === "machine" ? end[key] - start[key] : used(key)) / micros;
  const cores = cpus().length;
  const coresBusy = {
    server: busy("server"),
    postgres: busy("postgres"),
    postgresOurBackends: busy("ours"),
    loadGenerator: busy("loadGenerator"),
    machine: busy("machine"),
  };
  const accepted = Math.max(1, writes.accepted);
  const waits = sampler.figures();
  const share = (c: WaitClass) => waits.byClass[c] / Math.max(1, waits.observations);
  const locks = (["notifyLock", "spaceRowLock", "rateLimitRowLock"] as const)
    .map((c) => ({ c, share: share(c) }))
    .sort((a, b) => b.share - a.share)[0] as { c: WaitClass; share: number };
  const lockName: Record<WaitClass, string> = {
    cpu: "CPU",
    clientRead: "our CPU (backends wait for the server's next message)",
    notifyLock: "the NOTIFY commit lock",
    spaceRowLock: "the per-space row lock",
    rateLimitRowLock: "the rate-limit row lock",
    other: "other waits",
  };
  let saturates: string;
  let reason: string;
  const cpuNote =
    `machine ${coresBusy.machine.toFixed(2)} of ${cores} cores busy (server ` +
    `${coresBusy.server.toFixed(2)}, postgres ${coresBusy.postgres.toFixed(2)}, load ` +
    `${coresBusy.loadGenerator.toFixed(2)}, the rest other tenants)`;
  if (share("clientRead") >= 0.5) {
    // Postgres sits waiting for us, mid-request: the server is what is behind.
    saturates = lockName.clientRead;
    reason = `${Math.round(100 * share("clientRead"))}% of active backend samples wait in ClientRead; ${cpuNote}`;
  } else if (locks.share >= 0.5) {
    // Most of the time our backends are not running but queued on one lock: that is the wall.
    saturates = lockName[locks.c];
    reason = `${Math.round(100 * locks.share)}% of active backend samples wait on it; ${cpuNote}`;
  } else if (coresBusy.machine >= 0.85 * cores) {
    // The cores are full: the first to saturate is the biggest consumer of them.
    saturates =
      coresBusy.server >= coresBusy.postgres ? "our CPU (the server processes)" : "Postgres CPU";
    reason = `${cpuNote}; top lock wait ${lockName[locks.c]} ${Math.round(100 * locks.share)}%`;
  } else {
    saturates = lockName[locks.c];
    reason = `cores not full: ${cpuNote}; ${Math.round(100 * locks.share)}% of samples wait on it`;
  }
  return {
    ...CEILING,
    beings: CEILING.writers,
    writes,
    cores,
    coresBusy,
    cpuMicrosPerWrite: {
      server: used("server") / accepted,
      postgres: used("postgres") / accepted,
    },
    waits,
    saturates,
    reason,
  };
}

/** The pids of our server's Postgres backends (its pools and its LISTEN connection). */
async function ourBackends(stack: Stack): Promise<number[]> {
  const rows = await stack.sql<{ pid: number }[]>`
    SELECT pid FROM pg_stat_activity WHERE application_name = 'rhizome'`;
  return rows.map((row) => row.pid);
}

/** Samples what our server's active backends wait on, until stopped. */
class WaitSampler {
  #running = false;
  #samples = 0;
  #observations = 0;
  #byEvent: Record<string, number> = {};
  #byClass: Record<WaitClass, number> = {
    cpu: 0,
    clientRead: 0,
    notifyLock: 0,
    spaceRowLock: 0,
    rateLimitRowLock: 0,
    other: 0,
  };
  done: Promise<void> = Promise.resolve();

  constructor(
    private readonly stack: Stack,
    readonly backends: number[],
  ) {}

  start(): void {
    this.#running = true;
    this.done = this.#loop();
  }

  stop(): void {
    this.#running = false;
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      const rows = await this.stack.sql<
        {
          type: string | null;
          event: string | null;
          locktype: string | null;
          relation: string | null;
        }[]
      >`
        SELECT a.wait_event_type AS type, a.wait_event AS event, l.locktype,
               l.relation::regclass::text AS relation
        FROM pg_stat_activity AS a
        LEFT JOIN pg_locks AS l ON l.pid = a.pid AND NOT l.granted
        WHERE a.application_name = 'rhizome' AND a.state = 'active'
          AND a.query NOT LIKE 'LISTEN%'`;
      this.#samples++;
      for (const row of rows) {
        this.#observations++;
        const name = row.type
          ? `${row.type}:${row.event}${row.relation ? `(${row.relation})` : ""}`
          : "cpu";
        this.#byEvent[name] = (this.#byEvent[name] ?? 0) + 1;
        this.#byClass[classify(row)]++;
      }
      await Bun.sleep(20);
    }
  }

  figures(): CeilingFigures["waits"] {
    return {
      samples: this.#samples,
      observations: this.#observations,
      byClass: { ...this.#byClass },
      byEvent: { ...this.#byEvent },
    };
  }
}

/**
 * NOTIFY's commit takes a heavyweight lock on the database object (wait `Lock:object`) and the
 * queue's LWLocks; a row lock shows as `Lock:transactionid` (the first waiter) or `Lock:tuple`
 * (the rest, naming the table). The writers are distinct beings, so a row lock with no table is
 * a space's row (their limit rows are never shared).
 */
function classify(row: {
  type: string | null;
  event: string | null;
  relation: string | null;
}): WaitClass {
  if (!row.type) return "cpu";
  if (row.type === "Client" && row.event === "ClientRead") return "clientRead";
  if (row.type === "Lock" && row.event === "object") return "notifyLock";
  if (row.type === "LWLock" && row.event?.startsWith("Notify")) return "notifyLock";
  if (row.type === "Lock" && (row.event === "transactionid" || row.event === "tuple")) {
    return row.relation === "rate_limits" ? "rateLimitRowLock" : "spaceRowLock";
  }
  return "other";
}

/** `count` beings with a session each, members of every space, straight in SQL (no argon2). */
async function writerBeings(
  stack: Stack,
  spaces: string[],
  count: number,
  url: string,
): Promise<WriteTarget[]> {
  const tokens = Array.from({ length: count }, () => crypto.randomUUID() + crypto.randomUUID());
  const hashes = tokens.map((token) => createHash("sha256").update(token).digest("hex"));
  const run = crypto.randomUUID().slice(0, 8);
  const rows = await stack.sql<{ id: string; token_hash: string }[]>`
    WITH made AS (
      INSERT INTO beings (handle, name, color, password_hash)
      SELECT 'ceiling_' || ${run} || '_' || g, 'Ceiling ' || g, '#123456', 'x'
      FROM generate_series(1, ${count}) AS g
      RETURNING id, handle
    ), numbered AS (
      SELECT id, split_part(handle, '_', 3)::int AS g FROM made
    )
    INSERT INTO sessions (token_hash, being_id, expires_at)
    SELECT (${stack.sql.array(hashes)}::text[])[g], id, now() + interval '1 day' FROM numbered
    RETURNING being_id AS id, token_hash`;
  const beings = rows.map((row) => row.id);
  await stack.sql`
    INSERT INTO space_members (space_id, being_id, role)
    SELECT s, b, 'member'
    FROM unnest(${stack.sql.array(spaces)}::uuid[]) AS s, unnest(${stack.sql.array(beings)}::uuid[]) AS b`;
  const byHash = new Map(rows.map((row) => [row.token_hash, row.id]));
  return tokens.map((token, i) => ({
    kind: "ours" as const,
    url,
    token,
    authorId: byHash.get(hashes[i] as string) as string,
  }));
}

/** This process' CPU time (the writers' fetches), in microseconds. */
function coordinatorMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/** CPU time the whole machine spent busy (all cores, not idle or iowait), in microseconds. */
function machineBusyMicros(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] as string;
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((sum, t) => sum + t, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return ((total - idle) * 1_000_000) / 100;
}
