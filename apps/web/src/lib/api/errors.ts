import { ERROR_CODES, HEADERS, parseRetryAfter } from "@rhizome/protocol";
import { asSentence, rateLimitedSentence, waitWording } from "../format/wait.ts";

/** What an Eden call resolves to, loosely: enough to tell success, HTTP errors and network errors. */
export type EdenResult<T> = {
  data: T | null;
  error: { status: unknown; value: unknown } | null;
  status: number;
  response?: Response | undefined;
  headers?: HeadersInit | undefined;
};

/** A request that failed: `status` 0 when the network failed before any answer. */
export class ApiRequestError extends Error {
  override name = "ApiRequestError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  get isNetwork(): boolean {
    return this.status === 0;
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }
}

/** The `{error: {code, message}}` body of the contract, or a fallback for anything else. */
function errorBody(value: unknown): { code: string; message: string } | undefined {
  if (typeof value !== "object" || value === null || !("error" in value)) return undefined;
  const error = (value as { error: unknown }).error;
  if (typeof error !== "object" || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === "string" && typeof message === "string" ? { code, message } : undefined;
}

function retryAfterMs(headers: HeadersInit | undefined): number | undefined {
  if (!headers) return undefined;
  return parseRetryAfter(new Headers(headers).get(HEADERS.retryAfter), Date.now());
}

/** Statuses a proxy answers when the Rhizome server behind it is down or not started. */
const UNREACHABLE = new Set([502, 503, 504]);

/** An answer without the contract's error body did not come from the Rhizome API itself. */
function withoutContractBody(status: number): string {
  return UNREACHABLE.has(status)
    ? `The Rhizome server is not reachable (${status} from the proxy in front of it): it may be starting or stopped. Try again shortly.`
    : `The server answered ${status}.`;
}

/**
 * A page where the API's JSON belongs: another program answers on the API's port (in
 * development, the proxy's API_PORT or PORT), or a proxy serves its own page.
 */
function notTheApi(result: EdenResult<unknown>): ApiRequestError | undefined {
  const type = result.response?.headers.get(HEADERS.contentType) ?? "";
  if (!type.startsWith("text/html")) return undefined;
  return new ApiRequestError(
    result.status,
    "http",
    "Something other than the Rhizome server answered at /api. Is the server running, on the port the web app sends /api to?",
  );
}

/** Turns an Eden result into an error, or undefined when it succeeded. */
export function failureOf(result: EdenResult<unknown>): ApiRequestError | undefined {
  if (!result.error) return notTheApi(result);
  // Eden answers a rejected fetch (offline, connection reset) as a 503 without a response.
  if (!result.response) return new ApiRequestError(0, "network", "The network is unreachable.");
  const body = errorBody(result.error.value);
  return new ApiRequestError(
    result.status,
    body?.code ?? "http",
    body?.message ?? withoutContractBody(result.status),
    retryAfterMs(result.headers ?? result.response.headers),
  );
}

/** The data of a successful call; throws `ApiRequestError` otherwise. */
export async function request<T>(call: Promise<EdenResult<T>>): Promise<T> {
  const result = await call;
  const failure = failureOf(result);
  if (failure) throw failure;
  return result.data as T;
}

/** A sentence for the user: the server's words in sentence case, and how long to wait when it said (429, 503). */
export function describeError(error: unknown): string {
  if (error instanceof ApiRequestError && error.code === ERROR_CODES.rateLimited) {
    return rateLimitedSentence(error.retryAfterMs);
  }
  if (error instanceof ApiRequestError && error.retryAfterMs !== undefined) {
    // The server's own words say "shortly"; the header says how long.
    const what =
      error.code === ERROR_CODES.unavailable ? "The server is busy." : asSentence(error.message);
    return `${what} Try again in ${waitWording(error.retryAfterMs)}.`;
  }
  return error instanceof Error ? asSentence(error.message) : "Something went wrong.";
}
