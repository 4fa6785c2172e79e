/** Refused at once: the work already admitted fills the next few seconds. */
export const BUSY = Symbol("busy");

/**
 * Bounds work that queues on a small pool (argon2id hashes): past `capacity` in flight,
 * callers are told to come back rather than wait behind everyone else.
 */
export class AdmissionGate {
  #inFlight = 0;

  constructor(
    readonly capacity: number,
    /** Seconds a refused caller is told to wait. */
    readonly retryAfter: number,
  ) {}

  get inFlight(): number {
    return this.#inFlight;
  }

  async run<T>(work: () => Promise<T>): Promise<T | typeof BUSY> {
    if (this.#inFlight >= this.capacity) return BUSY;
    this.#inFlight++;
    try {
      return await work();
    } finally {
      this.#inFlight--;
    }
  }
}

/**
 * How many hashes the pool serves in `seconds`: one per thread per `hashMs`, the pool being
 * one thread per core (Bun's default), never less than the pool itself.
 */
export function hashCapacity(hashMs: number, seconds: number, threads: number): number {
  const perThread = Math.floor((seconds * 1000) / Math.max(1, hashMs));
  return Math.max(threads, threads * perThread);
}
