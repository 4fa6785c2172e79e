import type { ServerProcess } from "@rhizome/testkit";

/** Samples each server's resident set size; a restarted server keeps its slot. */
export class MemorySampler {
  readonly maxBytes: number[];
  samples = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly servers: ServerProcess[]) {
    this.maxBytes = servers.map(() => 0);
  }

  start(everyMs: number): void {
    this.sample();
    this.#timer = setInterval(() => this.sample(), everyMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.sample();
  }

  sample(): void {
    this.samples++;
    this.servers.forEach((server, index) => {
      const rss = server.rssBytes() ?? 0;
      if (rss > (this.maxBytes[index] ?? 0)) this.maxBytes[index] = rss;
    });
  }
}

export const MB = 1024 * 1024;
