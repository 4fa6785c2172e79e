import { type SseMessage, SseParser } from "@rhizome/client";
import { parseSyncEvent, type SyncEvent } from "@rhizome/protocol";

/** A stream read frame by frame, with the raw text kept, for framing assertions. */
export class RawStream {
  readonly messages: SseMessage[] = [];
  raw = "";
  #waiters: (() => void)[] = [];
  #done = false;
  /** True when the stream failed (reset, aborted) rather than being ended by the server. */
  failed = false;
  readonly #abort = new AbortController();

  private constructor(readonly response: Response) {}

  static async open(
    baseUrl: string,
    token: string,
    query: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<RawStream> {
    const abort = new AbortController();
    const response = await fetch(`${baseUrl}/api/stream?${new URLSearchParams(query)}`, {
      headers: { authorization: `Bearer ${token}`, ...headers },
      signal: abort.signal,
    });
    const stream = new RawStream(response);
    stream.#abort.signal.addEventListener("abort", () => abort.abort());
    if (response.ok && response.body) void stream.#read(response.body);
    return stream;
  }

  /** POST /api/stream: one stream following many spaces. */
  static async openMany(
    baseUrl: string,
    token: string,
    spaces: { spaceId: string; since?: string; page?: number }[],
  ): Promise<RawStream> {
    const abort = new AbortController();
    const response = await fetch(`${baseUrl}/api/stream`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ spaces }),
      signal: abort.signal,
    });
    const stream = new RawStream(response);
    stream.#abort.signal.addEventListener("abort", () => abort.abort());
    if (response.ok && response.body) void stream.#read(response.body);
    return stream;
  }

  /** Waits until `done` holds of the events received so far. */
  async until(done: (events: SyncEvent[]) => boolean, timeoutMs = 20_000): Promise<SyncEvent[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const events = this.events();
      if (done(events)) return events;
      if (this.#done) throw new Error(`stream ended after ${events.length} frames`);
      if (Date.now() > deadline) throw new Error(`not there within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  get ended(): boolean {
    return this.#done;
  }

  /** The n-th event (0-based), waiting for it to arrive. */
  async event(index: number, timeoutMs = 20_000): Promise<SyncEvent> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length <= index) {
      if (this.#done) throw new Error(`stream ended after ${this.messages.length} frames`);
      if (Date.now() > deadline) throw new Error(`no frame ${index} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    const parsed = parseSyncEvent((this.messages[index] as SseMessage).data);
    if (!parsed.ok) throw new Error(`frame ${index} is not a SyncEvent: ${parsed.detail}`);
    return parsed.event;
  }

  events(): SyncEvent[] {
    return this.messages.flatMap((message) => {
      const parsed = parseSyncEvent(message.data);
      return parsed.ok ? [parsed.event] : [];
    });
  }

  /** Resolves when the server ends the stream. */
  async untilEnded(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#done) {
      if (Date.now() > deadline) throw new Error("stream did not end");
      await Bun.sleep(10);
    }
  }

  close(): void {
    this.#abort.abort();
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const parser = new SseParser();
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) {
        const text = decoder.decode(chunk, { stream: true });
        this.raw += text;
        this.messages.push(...parser.feed(text));
        for (const wake of this.#waiters.splice(0)) wake();
      }
    } catch {
      this.failed = true;
    } finally {
      this.#done = true;
      for (const wake of this.#waiters.splice(0)) wake();
    }
  }
}
