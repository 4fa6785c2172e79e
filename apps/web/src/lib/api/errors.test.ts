import { describe, expect, test } from "bun:test";
import { ApiRequestError, describeError, failureOf } from "./errors.ts";

/** An Eden result as a failed fetch resolves: the body, the status and the response's headers. */
function answered(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
) {
  const value = { error: { code, message } };
  const response = new Response(JSON.stringify(value), { status, headers });
  return { data: null, error: { status, value }, status, response, headers: response.headers };
}

describe("describeError", () => {
  test("a 429 says how long to wait, from Retry-After", () => {
    const failure = failureOf(
      answered(429, "rate_limited", "too many attempts, slow down", { "retry-after": "42" }),
    );
    expect(failure?.retryAfterMs).toBe(42_000);
    expect(describeError(failure)).toBe("Too many attempts. Try again in 42 seconds.");
  });

  test("a 429 without Retry-After still tells the user what to do", () => {
    expect(describeError(new ApiRequestError(429, "rate_limited", "slow down"))).toBe(
      "Too many attempts. Wait a little, then try again.",
    );
  });

  test("a busy server's 503 adds how long to wait", () => {
    const failure = failureOf(
      answered(503, "unavailable", "too many sign-ins at once, try again shortly", {
        "retry-after": "3",
      }),
    );
    expect(describeError(failure)).toBe("The server is busy. Try again in 3 seconds.");
  });

  test("the server's words in sentence case", () => {
    const failure = failureOf(answered(409, "conflict", 'the handle "ada" is taken'));
    expect(describeError(failure)).toBe('The handle "ada" is taken.');
    expect(describeError(new Error("boom"))).toBe("Boom.");
    expect(describeError("not an error")).toBe("Something went wrong.");
  });

  test("a proxy's 502 without the contract's body says the server is not reachable", () => {
    const value = "";
    const response = new Response(value, { status: 502 });
    const failure = failureOf({ data: null, error: { status: 502, value }, status: 502, response });
    expect(describeError(failure)).toStartWith("The Rhizome server is not reachable (502");
  });

  test("an HTML page where JSON belongs is an error naming the cause, not undefined data", () => {
    const response = new Response("<!doctype html><p>hi</p>", {
      status: 200,
      headers: { "content-type": "text/html; charset=utf-8" },
    });
    const failure = failureOf({ data: "<!doctype html>", error: null, status: 200, response });
    expect(failure).toBeInstanceOf(ApiRequestError);
    expect(describeError(failure)).toContain("Something other than the Rhizome server answered");
    const json = new Response("{}", { headers: { "content-type": "application/json" } });
    expect(failureOf({ data: {}, error: null, status: 200, response: json })).toBeUndefined();
  });
});
