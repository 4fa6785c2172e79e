import { fileURLToPath } from "node:url";
import type { Subprocess } from "bun";
import { type Histogram, merge } from "../hist.ts";
import type { Command, OpenCommand } from "./protocol.ts";

const WORKER = fileURLToPath(new URL("./worker.ts", import.meta.url));

type Status = {
  total: number;
  live: number;
  open: number;
  firstStart: number;
  lastLive: number;
  /** Multi-space subscribers: spaces followed, and how many of them had their first frame. */
  positions: number;
  firstFrames: number;
  errors: Record<string, number>;
};
export type PhaseResult = {
  done: boolean;
  deliveries: number;
  hist: Histogram;
  /** Latencies per message (sequence number), over every worker. */
  bySeq: Record<number, Histogram>;
  firstAt: number;
  lastAt: number;
};

/** Load worker processes holding the subscribers, driven over IPC. */
export class Fleet {
  #workers: Subprocess[] = [];
  #pending = new Map<number, (value: unknown) => void>();
  #next = 1;

  static async start(count: number): Promise<Fleet> {
    const fleet = new Fleet();
    const ready: Promise<unknown>[] = [];
    for (let i = 0; i < count; i++) {
      let resolveReady: (value: unknown) => void = () => {};
      ready.push(new Promise((resolve) => (resolveReady = resolve)));
      fleet.#workers.push(
        Bun.spawn(["bun", WORKER], {
          stdio: ["inherit", "inherit", "inherit"],
          ipc: (message: { id: number; result: unknown }) => {
            if (message.id === 0) return resolveReady(undefined);
            fleet.#pending.get(message.id)?.(message.result);
            fleet.#pending.delete(message.id);
          },
        }),
      );
    }
    await Promise.all(ready);
    return fleet;
  }

  get pids(): number[] {
    return this.#workers.map((worker) => worker.pid);
  }

  #ask<T>(worker: Subprocess, command: Command): Promise<T> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve as (value: unknown) => void);
      worker.send({ id, command });
    });
  }

  #all<T>(command: Command): Promise<T[]> {
    return Promise.all(this.#workers.map((worker) => this.#ask<T>(worker, command)));
  }

  /** Spreads the subscribers (single- and multi-space alike) over the workers, round robin. */
  async open(spec: Omit<OpenCommand, "type">): Promise<void> {
    const shares = this.#workers.map((): string[] => []);
    for (const [i, space] of spec.spaces.entries()) shares[i % shares.length]?.push(space);
    const streams = this.#workers.map((): string[][] => []);
    for (const [i, spaces] of (spec.streams ?? []).entries()) {
      streams[i % streams.length]?.push(spaces);
    }
    await Promise.all(
      this.#workers.map((worker, i) =>
        this.#ask(worker, {
          ...spec,
          type: "open",
          spaces: shares[i] ?? [],
          streams: streams[i] ?? [],
        }),
      ),
    );
  }

  async status(): Promise<Status> {
    const all = await this.#all<Status>({ type: "status" });
    const errors: Record<string, number> = {};
    for (const s of all)
      for (const [k, v] of Object.entries(s.errors)) errors[k] = (errors[k] ?? 0) + v;
    return {
      total: all.reduce((n, s) => n + s.total, 0),
      live: all.reduce((n, s) => n + s.live, 0),
      open: all.reduce((n, s) => n + s.open, 0),
      firstStart: Math.min(...all.map((s) => s.firstStart)),
      lastLive: Math.max(...all.map((s) => s.lastLive)),
      positions: all.reduce((n, s) => n + s.positions, 0),
      firstFrames: all.reduce((n, s) => n + s.firstFrames, 0),
      errors,
    };
  }

  /** Polls until every subscriber has its first frame (or the time is up). */
  async waitLive(timeoutMs: number): Promise<Status> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.status();
      if (status.live >= status.total || Date.now() > deadline) return status;
      await Bun.sleep(20);
    }
  }

  /**
   * Waits until each subscriber got `perConn` changes of `phase` (with `inSpaces`: each
   * follower of those spaces, once per such space it follows); merges the workers' counts.
   */
  async waitPhase(
    phase: string,
    perConn: number,
    timeoutMs: number,
    inSpaces?: string[],
  ): Promise<PhaseResult> {
    const all = await this.#all<PhaseResult>({
      type: "wait",
      phase,
      perConn,
      timeoutMs,
      inSpaces,
    });
    const hist: Histogram = {};
    const bySeq: Record<number, Histogram> = {};
    for (const part of all) {
      merge(hist, part.hist ?? {});
      for (const [seq, perMessage] of Object.entries(part.bySeq ?? {})) {
        const into = bySeq[Number(seq)] ?? {};
        bySeq[Number(seq)] = merge(into, perMessage);
      }
    }
    const firsts = all.filter((p) => p.deliveries > 0).map((p) => p.firstAt);
    return {
      done: all.every((p) => p.done),
      deliveries: all.reduce((n, p) => n + p.deliveries, 0),
      hist,
      bySeq,
      firstAt: firsts.length > 0 ? Math.min(...firsts) : 0,
      lastAt: Math.max(0, ...all.map((p) => p.lastAt ?? 0)),
    };
  }

  drop(): Promise<Status[]> {
    return this.#all({ type: "drop" });
  }

  async resume(maxPending?: number, fresh = false): Promise<number> {
    const all = await this.#all<{ at: number }>({ type: "resume", maxPending, fresh });
    return Math.min(...all.map((r) => r.at));
  }

  async integrity(expected: number) {
    const all = await this.#all<{
      duplicates: number;
      gaps: number;
      missing: number;
      errors: Record<string, number>;
    }>({ type: "integrity", expected });
    return {
      duplicates: all.reduce((n, r) => n + r.duplicates, 0),
      gaps: all.reduce((n, r) => n + r.gaps, 0),
      missing: all.reduce((n, r) => n + r.missing, 0),
    };
  }

  async clientBytes(): Promise<number> {
    const all = await this.#all<{ bytes: number }>({ type: "bytes" });
    return all.reduce((n, r) => n + r.bytes, 0);
  }

  async closeAll(): Promise<void> {
    await this.#all({ type: "close" });
  }

  async stop(): Promise<void> {
    for (const worker of this.#workers) worker.kill();
    await Promise.all(this.#workers.map((worker) => worker.exited));
    this.#workers = [];
  }
}
