import { describe, expect, test } from "bun:test";
import { parseRetryAfter, type RequestUse, retryable } from "./retry.ts";

describe("retryable", () => {
  const uses: RequestUse[] = ["stream", "send", "query"];
  // [status, retried?, why]
  const table: [number, boolean, string][] = [
    [0, true, "no answer: the network failed"],
    [400, false, "a malformed request stays malformed"],
    [401, false, "the session is gone: repeating cannot sign in"],
    [403, false, "no access"],
    [404, false, "no such space"],
    [408, true, "the server timed the request out"],
    [409, false, "a conflict is definite"],
    [413, false, "too large stays too large"],
    [422, false, "refused content"],
    [429, true, "rate limited: after Retry-After"],
    [500, true, "server error"],
    [502, true, "bad gateway (a restart behind the proxy)"],
    [503, true, "unavailable (at capacity, shutting down)"],
    [504, true, "gateway timeout"],
    [200, false, "not a failure"],
    [302, false, "not a failure"],
    [600, false, "not HTTP"],
  ];
  for (const use of uses) {
    test.each(table)(`${use}: %d → %p (%s)`, (status, expected) => {
      expect(retryable(status, use)).toBe(expected);
    });
  }
});

describe("parseRetryAfter", () => {
  const now = Date.UTC(2015, 9, 21, 7, 28, 0);
  test.each([
    ["120", 120_000],
    [" 7 ", 7_000],
    ["0", 0],
    ["Wed, 21 Oct 2015 07:28:30 GMT", 30_000],
    ["Wednesday, 21-Oct-15 07:29:00 GMT", 60_000],
    ["Wed Oct 21 07:28:05 2015", 5_000],
    ["Wed Oct  1 07:28:05 2015", 0],
    ["Tue, 20 Oct 2015 07:28:00 GMT", 0],
  ])("%p waits %d ms", (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  test.each([
    [null],
    [undefined],
    [""],
    ["-5"],
    ["1.5"],
    ["soon"],
    ["Wed, 31 Feb 2015 07:28:00 GMT"],
    ["Wed, 21 Oct 2015 07:28:00 UTC"],
    ["2015-10-21T07:28:30Z"],
  ])("%p is no answer", (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
