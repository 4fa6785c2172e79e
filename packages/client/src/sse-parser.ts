import { createParser, type EventSourceParser } from "eventsource-parser";

/** One dispatched Server-Sent Event (WHATWG HTML §9.2). */
export type SseMessage = {
  /** The last event ID buffer: the latest `id:` seen, kept across events as the spec says. */
  id: string | undefined;
  event: string;
  data: string;
  /** A `retry:` seen since the previous message. */
  retry: number | undefined;
};

/**
 * An incremental SSE parser: feed it text as it arrives, in chunks cut anywhere, and it
 * returns the messages completed so far. A thin wrapper over `eventsource-parser`, which
 * gets the spec's edge cases right (a CRLF split across chunks, a leading BOM).
 */
export class SseParser {
  readonly #parser: EventSourceParser;
  #completed: SseMessage[] = [];
  #id: string | undefined;
  #retry: number | undefined;

  constructor() {
    this.#parser = createParser({
      onId: (id) => {
        this.#id = id;
      },
      onRetry: (retry) => {
        this.#retry = retry;
      },
      onEvent: (message) => {
        this.#completed.push({
          id: this.#id,
          event: message.event ?? "message",
          data: message.data,
          retry: this.#retry,
        });
        this.#retry = undefined;
      },
    });
  }

  feed(chunk: string): SseMessage[] {
    this.#parser.feed(chunk);
    const messages = this.#completed;
    this.#completed = [];
    return messages;
  }
}
