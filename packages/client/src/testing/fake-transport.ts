import type { SseMessage } from "../sse-parser.ts";
import type { MultiStreamRequest, OpenedStream, StreamRequest } from "../transport.ts";

/** One stream the fake server opened: push frames into it, end it, or fail it. */
export class FakeStream<R = StreamRequest> {
  readonly #queue: SseMessage[] = [];
  #wake: (() => void) | undefined;
  #ended: "eof" | Error | undefined;

  constructor(
    readonly request: R,
    readonly signal: AbortSignal,
  ) {
    signal.addEventListener("abort", () => this.end());
  }

  push(data: unknown): void {
    this.#queue.push({
      id: undefined,
      event: "space-delta",
      data: typeof data === "string" ? data : JSON.stringify(data),
      retry: undefined,
    });
    this.#wake?.();
  }

  end(): void {
    this.#ended ??= "eof";
    this.#wake?.();
  }

  fail(message = "connection reset"): void {
    this.#ended ??= new Error(message);
    this.#wake?.();
  }

  async *messages(): AsyncIterable<SseMessage> {
    while (true) {
      const next = this.#queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.#ended === "eof") return;
      if (this.#ended) throw this.#ended;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
  }
}

export type FakeAnswer = "accept" | { status: number; retryAfterMs?: number };

/**
 * An in-process stand-in for the server's stream endpoint. Each open is answered by
 * `respond` (a status to refuse with, or "accept"); `requests` records every open, refused
 * ones too. `R` is the request: one space's by default, `MultiStreamRequest` for POST.
 */
export class FakeTransport<R = StreamRequest> {
  readonly streams: FakeStream<R>[] = [];
  readonly requests: R[] = [];
  respond: (request: R) => FakeAnswer = () => "accept";
  #waiters: (() => void)[] = [];

  readonly transport = async (request: R, signal: AbortSignal): Promise<OpenedStream> => {
    this.requests.push(request);
    const answer = this.respond(request);
    if (answer !== "accept") {
      this.#notify();
      return { ok: false, status: answer.status, retryAfterMs: answer.retryAfterMs };
    }
    const stream = new FakeStream(request, signal);
    this.streams.push(stream);
    this.#notify();
    return { ok: true, messages: stream.messages() };
  };

  get latest(): FakeStream<R> {
    const stream = this.streams.at(-1);
    if (!stream) throw new Error("no stream opened yet");
    return stream;
  }

  /** Resolves once `count` streams have been opened (refusals do not count). */
  async opened(count: number): Promise<void> {
    await this.until(() => this.streams.length >= count);
  }

  /** Resolves once `count` opens were asked for, accepted or refused. */
  async requested(count: number): Promise<void> {
    await this.until(() => this.requests.length >= count);
  }

  async until(condition: () => boolean): Promise<void> {
    while (!condition()) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/** The fake of `POST /api/stream`: one stream for many spaces. */
export class FakeMultiTransport extends FakeTransport<MultiStreamRequest> {}

/** Timers the test advances by hand: backoff without sleeping. */
export class ManualClock {
  now = 1_000_000;
  #timers = new Map<number, { at: number; callback: () => void }>();
  #next = 1;

  readonly timers = {
    setTimeout: (callback: () => void, ms: number) => {
      const id = this.#next++;
      this.#timers.set(id, { at: this.now + ms, callback });
      return id;
    },
    clearTimeout: (handle: unknown) => {
      this.#timers.delete(handle as number);
    },
  };

  advance(ms: number): void {
    const until = this.now + ms;
    while (true) {
      const due = [...this.#timers.entries()]
        .filter(([, t]) => t.at <= until)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.now = Math.max(this.now, due[1].at);
      due[1].callback();
    }
    this.now = until;
  }

  get pending(): number {
    return this.#timers.size;
  }
}
