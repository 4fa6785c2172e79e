import type { Subprocess } from "bun";
import { AggregatorRegistry, type Registry } from "prom-client";
import { tellPrimary, tellWorker } from "./startup.ts";

/**
 * Whose metrics /metrics answers. Processes sharing a port (SERVER_WORKERS) each count their
 * own streams and frames, and a scrape reaches whichever one the kernel picks: alone, each
 * answer would be one process's share, a different one from scrape to scrape. So a scrape
 * gathers every process's registry through the primary and answers their sum.
 */
export type InstanceMetrics = {
  /** This process's own registry, gathered on every scrape. */
  serve(registry: Registry): void;
  /** The instance's metrics as Prometheus text. */
  text(): Promise<string>;
};

type Snapshot = Awaited<ReturnType<Registry["getMetricsAsJSON"]>>;

/** What the processes of an instance send each other for a scrape. */
type MetricsMessage =
  | { kind: "gather"; id: number }
  | { kind: "gathered"; id: number; text: string }
  | { kind: "collect"; id: number }
  | { kind: "collected"; id: number; metrics: Snapshot };

/** How long a scrape waits for a process's share before answering without it. */
export const GATHER_TIMEOUT_MS = 2_000;

function isMetricsMessage(message: unknown): message is MetricsMessage {
  return typeof message === "object" && message !== null && "kind" in message && "id" in message;
}

/** A registry that has not been served yet answers nothing rather than failing the scrape. */
const snapshotOf = (registry: Registry | undefined): Promise<Snapshot> =>
  registry ? registry.getMetricsAsJSON() : Promise.resolve([]);

/** One process alone: its own registry is the instance's. */
export function soloMetrics(): InstanceMetrics {
  let registry: Registry | undefined;
  return {
    serve: (served) => {
      registry = served;
    },
    text: () => registry?.metrics() ?? Promise.resolve(""),
  };
}

/** A worker: hands its share to the primary, and asks the primary for the sum. */
export function workerMetrics(timeoutMs = GATHER_TIMEOUT_MS): InstanceMetrics {
  let registry: Registry | undefined;
  let nextId = 0;
  const waiting = new Map<number, (text: string) => void>();
  process.on("message", async (message: unknown) => {
    if (!isMetricsMessage(message)) return;
    if (message.kind === "collect") {
      const metrics = await snapshotOf(registry);
      tellPrimary({ kind: "collected", id: message.id, metrics } satisfies MetricsMessage);
    } else if (message.kind === "gathered") {
      waiting.get(message.id)?.(message.text);
    }
  });
  return {
    serve: (served) => {
      registry = served;
    },
    text: async () => {
      const id = nextId++;
      const gathered = new Promise<string | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), timeoutMs);
        waiting.set(id, (text) => {
          clearTimeout(timer);
          resolve(text);
        });
      });
      tellPrimary({ kind: "gather", id } satisfies MetricsMessage);
      const text = await gathered;
      waiting.delete(id);
      // Without the primary (it is gone or stuck), this process's own share is still true.
      return text ?? (registry ? registry.metrics() : "");
    },
  };
}

/** The primary: collects every worker's share and its own, and answers their sum. */
export class PrimaryMetrics implements InstanceMetrics {
  #registry: Registry | undefined;
  #nextId = 0;
  /** Scrapes in progress: the shares in so far, the workers still to answer, and the wake-up. */
  readonly #collecting = new Map<
    number,
    { shares: Snapshot[]; left: Set<Subprocess>; done: () => void }
  >();

  constructor(
    private readonly workers: () => Subprocess[],
    private readonly timeoutMs = GATHER_TIMEOUT_MS,
  ) {}

  serve(registry: Registry): void {
    this.#registry = registry;
  }

  /** A message from a worker (the supervisor's `ipc` handler); false if not a metrics one. */
  received(worker: Subprocess, message: unknown): boolean {
    if (!isMetricsMessage(message)) return false;
    if (message.kind === "gather") {
      void this.text().then((text) =>
        tellWorker(worker, { kind: "gathered", id: message.id, text } satisfies MetricsMessage),
      );
    } else if (message.kind === "collected") {
      const collecting = this.#collecting.get(message.id);
      if (collecting?.left.delete(worker)) {
        collecting.shares.push(message.metrics);
        if (collecting.left.size === 0) collecting.done();
      }
    }
    return true;
  }

  async text(): Promise<string> {
    const id = this.#nextId++;
    const workers = this.workers();
    const shares: Snapshot[] = [];
    const all = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#collecting.set(id, { shares, left: new Set(workers), done });
    });
    for (const worker of workers)
      tellWorker(worker, { kind: "collect", id } satisfies MetricsMessage);
    const own = await snapshotOf(this.#registry);
    if (workers.length > 0) await all;
    this.#collecting.delete(id);
    return AggregatorRegistry.aggregate([own, ...shares]).metrics();
  }
}
