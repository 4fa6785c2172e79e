import { expect } from "bun:test";
import { ERROR_CODES, HEADERS } from "@rhizome/protocol";
import { asErrorBody } from "./test-app.ts";

/** A refusal for going too fast: 429, the contract's error shape, and a Retry-After in seconds. */
export async function expectRateLimited(response: Response): Promise<void> {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get(HEADERS.retryAfter));
  expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
  expect(asErrorBody(await response.text()).error.code).toBe(ERROR_CODES.rateLimited);
}
