/** One dispatched Server-Sent Event (WHATWG HTML §9.2). */
export type SseMessage = {
  id: string | undefined;
  event: string;
  data: string;
  retry: number | undefined;
};

/**
 * An incremental SSE parser: feed it text as it arrives, in chunks cut anywhere, and it
 * returns the messages completed so far. Handles CRLF, CR and LF line ends and comments.
 */
export class SseParser {
  #buffer = "";
  #data: string[] = [];
  #event = "";
  #id: string | undefined;
  #retry: number | undefined;
  #pendingCr = false;

  feed(chunk: string): SseMessage[] {
    const messages: SseMessage[] = [];
    let text = chunk;
    // A CR ending the previous chunk may be half of a CRLF.
    if (this.#pendingCr && text.startsWith("\n")) text = text.slice(1);
    this.#pendingCr = text.endsWith("\r");
    this.#buffer += text;
    const lines = this.#buffer.split(/\r\n|\r|\n/);
    this.#buffer = lines.pop() ?? "";
    for (const line of lines) {
      const message = this.#line(line);
      if (message) messages.push(message);
    }
    return messages;
  }

  #line(line: string): SseMessage | undefined {
    if (line === "") return this.#dispatch();
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.#data.push(value);
    else if (field === "event") this.#event = value;
    else if (field === "id" && !value.includes("\0")) this.#id = value;
    else if (field === "retry" && /^\d+$/.test(value)) this.#retry = Number(value);
    return undefined;
  }

  #dispatch(): SseMessage | undefined {
    const hasData = this.#data.length > 0;
    const message: SseMessage = {
      id: this.#id,
      event: this.#event || "message",
      data: this.#data.join("\n"),
      retry: this.#retry,
    };
    this.#data = [];
    this.#event = "";
    this.#retry = undefined;
    return hasData ? message : undefined;
  }
}
