import {
  API_PREFIX,
  BEARER_PREFIX,
  HEADERS,
  type Intention,
  QUERY_PARAMS,
  type Space,
} from "@rhizome/protocol";

/** An answer, or why there is none: status 0 is a network failure or a timeout. */
export type Reply<T> =
  | { ok: true; status: number; body: T }
  | { ok: false; status: number; retryAfterMs: number | undefined; detail: string };

/** Worth repeating unchanged: the network, an overloaded or restarting server, a rate limit. */
export function isRetriable(reply: Reply<unknown>): boolean {
  return !reply.ok && (reply.status === 0 || reply.status === 429 || reply.status >= 500);
}

/**
 * The few API calls the chaos suite makes, over plain `fetch`: every call has a timeout and
 * reports failures as values, and cursors stay the exact strings the server sent.
 */
export class Api {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
    readonly timeoutMs = 5_000,
  ) {}

  as(token: string): Api {
    return new Api(this.baseUrl, token, this.timeoutMs);
  }

  signup(
    handle: string,
    password: string,
  ): Promise<Reply<{ token: string; being: { id: string } }>> {
    return this.#call("POST", "/auth/signup", { handle, password });
  }

  createSpace(name: string): Promise<Reply<{ space: Space }>> {
    return this.#call("POST", "/spaces", { name, visibility: "public" });
  }

  join(spaceId: string): Promise<Reply<{ space: Space }>> {
    return this.#call("POST", `/spaces/${spaceId}/join`);
  }

  post(spaceId: string, id: string, content: string): Promise<Reply<{ intention: Intention }>> {
    return this.#call("POST", `/spaces/${spaceId}/intentions`, { id, content });
  }

  edit(id: string, content: string): Promise<Reply<{ intention: Intention }>> {
    return this.#call("PATCH", `/intentions/${id}`, { content });
  }

  remove(id: string): Promise<Reply<undefined>> {
    return this.#call("DELETE", `/intentions/${id}`);
  }

  history(
    spaceId: string,
    before: string | undefined,
    limit: number,
  ): Promise<Reply<{ intentions: Intention[]; hasMore: boolean }>> {
    const params = new URLSearchParams({ [QUERY_PARAMS.limit]: String(limit) });
    if (before) params.set(QUERY_PARAMS.before, before);
    return this.#call("GET", `/spaces/${spaceId}/intentions?${params}`);
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<Reply<T>> {
    const headers: Record<string, string> = {};
    if (this.token) headers[HEADERS.authorization] = `${BEARER_PREFIX}${this.token}`;
    if (body !== undefined) headers[HEADERS.contentType] = "application/json";
    try {
      const response = await fetch(`${this.baseUrl}${API_PREFIX}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // Read the whole body: a connection cut halfway through is a network failure.
      const text = await response.text();
      if (response.ok) {
        return {
          ok: true,
          status: response.status,
          body: (text ? JSON.parse(text) : undefined) as T,
        };
      }
      const retryAfter = response.headers.get(HEADERS.retryAfter);
      return {
        ok: false,
        status: response.status,
        retryAfterMs:
          retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : undefined,
        detail: text.slice(0, 300),
      };
    } catch (error) {
      return { ok: false, status: 0, retryAfterMs: undefined, detail: String(error) };
    }
  }
}

/**
 * Repeats a call until it is answered with anything but a retriable failure, or `giveUp`
 * says stop (then the last failure is returned). Backoff with full jitter, Retry-After a floor.
 */
export async function persist<T>(
  call: () => Promise<Reply<T>>,
  giveUp: () => boolean,
  onRetry?: (reply: Reply<T>) => void,
): Promise<Reply<T>> {
  for (let attempt = 0; ; attempt++) {
    const reply = await call();
    if (!isRetriable(reply) || giveUp()) return reply;
    onRetry?.(reply);
    const ceiling = Math.min(1_000, 50 * 2 ** attempt);
    const floor = reply.ok ? 0 : Math.min(5_000, reply.retryAfterMs ?? 0);
    await Bun.sleep(Math.max(floor, 20 + Math.random() * ceiling));
  }
}
