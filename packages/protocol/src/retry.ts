/**
 * When to try a request again: one policy for every client of the API, so that the stream,
 * the outbox and the queries answer the same status the same way.
 */

/** What the request was for: reading the stream, sending a write, or a query (a GET). */
export type RequestUse = "stream" | "send" | "query";

/**
 * Whether a request that answered `status` (0: no answer at all, the network failed) may
 * pass if made again unchanged, for any use:
 * - 0, 408 (timeout), 429 (rate limited) and 5xx: yes, after the backoff and `Retry-After`;
 * - 401: no. The session is gone and repeating cannot bring it back: the stream stops,
 *   the outbox keeps its entry pending and waits for a sign-in, a query fails;
 * - any other 4xx, and anything else unexpected: no, the server's answer is definite.
 *
 * Every use gets the same answer today; `use` names the caller so that a difference, should
 * one appear, has this one place to go (and the table test lists each use).
 */
export function retryable(status: number, _use: RequestUse): boolean {
  return status === 0 || status === 408 || status === 429 || (status >= 500 && status <= 599);
}

const DELTA_SECONDS = /^\d+$/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const LONG_DAY = "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
const MONTH = `(?<month>${MONTHS.join("|")})`;
const TIME = "(?<h>\\d{2}):(?<m>\\d{2}):(?<s>\\d{2})";
/** The three forms of RFC 9110 §5.6.7: senders use the first, recipients accept all three. */
const HTTP_DATES = [
  new RegExp(`^${DAY}, (?<day>\\d{2}) ${MONTH} (?<year>\\d{4}) ${TIME} GMT$`),
  new RegExp(`^${LONG_DAY}, (?<day>\\d{2})-${MONTH}-(?<yy>\\d{2}) ${TIME} GMT$`),
  new RegExp(`^${DAY} ${MONTH} (?<day>[ \\d]\\d) ${TIME} (?<year>\\d{4})$`),
];

/**
 * How long `Retry-After` asks to wait, in milliseconds from `now` (ms since the epoch): its
 * delta-seconds or its HTTP-date (a date already past waits 0). Undefined when the header is
 * absent or malformed, so that the caller's backoff alone decides.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (DELTA_SECONDS.test(text)) return Number(text) * 1000;
  const at = parseHttpDate(text, now);
  return at === undefined ? undefined : Math.max(0, at - now);
}

/** An HTTP-date as ms since the epoch; a real calendar date only (no 31 February). */
function parseHttpDate(text: string, now: number): number | undefined {
  const groups = HTTP_DATES.map((form) => form.exec(text)?.groups).find(Boolean);
  if (!groups) return undefined;
  const year = groups.year ? Number(groups.year) : twoDigitYear(Number(groups.yy), now);
  const fields = [
    year,
    MONTHS.indexOf(groups.month ?? ""),
    Number(groups.day),
    Number(groups.h),
    Number(groups.m),
    Number(groups.s),
  ] as const;
  const at = Date.UTC(...fields);
  const date = new Date(at);
  const read = [
    date.getUTCFullYear(),
    date.getUTCMonth(),
    date.getUTCDate(),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
  ];
  return read.every((field, index) => field === fields[index]) ? at : undefined;
}

/** RFC 9110: a two-digit year that would be more than 50 years ahead is in the last century. */
function twoDigitYear(yy: number, now: number): number {
  const current = new Date(now).getUTCFullYear();
  const year = Math.floor(current / 100) * 100 + yy;
  return year > current + 50 ? year - 100 : year;
}
