import type { Subprocess } from "bun";

/**
 * How the processes of one instance (SERVER_WORKERS) start: each prepares (database, listener),
 * then all listen together, and the instance is ready once every one of them listens. Without
 * it the first process up takes every connection while the others still start, and a
 * reconnect storm after a restart stays on that one process for as long as its streams live.
 */
export type Startup = {
  /** Resolves when this process may start listening. */
  mayListen(): Promise<void>;
  /** This process listens now. */
  listening(): void;
  /** Every process of the instance listens (health's `ready` waits for it). */
  readonly ready: boolean;
};

/** What the processes of an instance tell each other over the supervisor's IPC channel. */
type StartupMessage = "prepared" | "listen" | "listening" | "ready";

/** A worker's word to its primary; lost if the primary is gone (the worker then ends too). */
export function tellPrimary(message: unknown): void {
  try {
    process.send?.(message);
  } catch {
    // The IPC channel closed with the primary.
  }
}

/** The primary's word to a worker; a worker that ended meanwhile hears nothing. */
export function tellWorker(worker: Subprocess, message: unknown): void {
  try {
    worker.send(message);
  } catch {
    // The channel closed with the worker: its successor reports anew.
  }
}

/** How long the primary waits for a worker that does not come up before going on without it. */
export const WORKER_START_TIMEOUT_MS = 30_000;

/** One process alone: it may listen at once, and is ready as soon as it does. */
export function soloStartup(): Startup {
  let ready = false;
  return {
    mayListen: () => Promise.resolve(),
    listening: () => {
      ready = true;
    },
    get ready() {
      return ready;
    },
  };
}

/** A worker: says it is prepared, listens when the primary says so, ready when told. */
export function workerStartup(): Startup {
  let ready = false;
  let allowed: (() => void) | undefined;
  const turn = new Promise<void>((resolve) => {
    allowed = resolve;
  });
  process.on("message", (message: unknown) => {
    if (message === "listen") allowed?.();
    if (message === "ready") ready = true;
  });
  return {
    mayListen: () => {
      tellPrimary("prepared" satisfies StartupMessage);
      return turn;
    },
    listening: () => tellPrimary("listening" satisfies StartupMessage),
    get ready() {
      return ready;
    },
  };
}

/**
 * The primary's side: the workers it starts report here. It lets them listen once all are
 * prepared, listens itself once they all do (or a late one timed out), then tells them all
 * that the instance is ready. A worker started again later is let in at once.
 */
export class PrimaryStartup implements Startup {
  /** The workers may listen (all were prepared, or the wait for a late one timed out). */
  #open = false;
  #ready = false;
  readonly #prepared = new Set<Subprocess>();
  readonly #listening = new Set<Subprocess>();
  readonly #changed = new Set<() => void>();

  constructor(
    private readonly workers: () => Subprocess[],
    private readonly timeoutMs = WORKER_START_TIMEOUT_MS,
  ) {}

  get ready(): boolean {
    return this.#ready;
  }

  /** A message from one of the workers (the supervisor's `ipc` handler). */
  received(worker: Subprocess, message: unknown): void {
    if (message === "prepared") {
      this.#prepared.add(worker);
      if (this.#open) tellWorker(worker, "listen" satisfies StartupMessage);
    } else if (message === "listening") {
      this.#listening.add(worker);
      if (this.#ready) tellWorker(worker, "ready" satisfies StartupMessage);
    }
    for (const wake of this.#changed) wake();
  }

  /** A worker ended: it no longer counts, and its successor reports anew. */
  ended(worker: Subprocess): void {
    this.#prepared.delete(worker);
    this.#listening.delete(worker);
    for (const wake of this.#changed) wake();
  }

  async mayListen(): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    await this.#until(() => this.#all(this.#prepared), deadline);
    this.#open = true;
    for (const worker of this.#prepared) tellWorker(worker, "listen" satisfies StartupMessage);
    await this.#until(() => this.#all(this.#listening), deadline);
  }

  listening(): void {
    this.#ready = true;
    // A worker that listens later (a late or restarted one) hears "ready" on its word.
    for (const worker of this.#listening) tellWorker(worker, "ready" satisfies StartupMessage);
  }

  #all(reported: Set<Subprocess>): boolean {
    return this.workers().every((worker) => reported.has(worker));
  }

  /** Waits until `done` holds or the deadline passes, woken by every worker's report. */
  async #until(done: () => boolean, deadline: number): Promise<void> {
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        console.error("[startup] a worker is not up yet: listening without it");
        return;
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#changed.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#changed.add(wake);
      });
    }
  }
}
