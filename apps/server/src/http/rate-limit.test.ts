import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Being, HEADERS, type Intention, type Space } from "@rhizome/protocol";
import { describeEachDriver } from "../testing/databases.ts";
import { asErrorBody, TEST_PASSWORD, TestApp } from "../testing/test-app.ts";
import { RateLimiter } from "./rate-limit.ts";

describe("RateLimiter", () => {
  test("allows `limit` per window and key, then says when to retry", () => {
    let now = 1_000;
    const limiter = new RateLimiter(2, 60_000, () => now);
    expect(limiter.take("a")).toEqual({ ok: true });
    expect(limiter.take("a")).toEqual({ ok: true });
    expect(limiter.take("b")).toEqual({ ok: true });
    expect(limiter.take("a")).toEqual({ ok: false, retryAfter: 60 });
    now += 59_500;
    expect(limiter.take("a")).toEqual({ ok: false, retryAfter: 1 });
    now += 500;
    expect(limiter.take("a")).toEqual({ ok: true });
  });
});

/** A refusal for going too fast: 429, the contract's error shape, and a Retry-After in seconds. */
async function expectRateLimited(response: Response): Promise<void> {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get(HEADERS.retryAfter));
  expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
  expect(asErrorBody(await response.text()).error.code).toBe("rate_limited");
}

describeEachDriver("rate limits", (handle) => {
  let app: TestApp;
  let poster: { being: Being; token: string };
  let spaceId: string;

  beforeAll(async () => {
    app = await TestApp.create(handle.database, {
      rate: { signupPerMinute: 2, signinPerMinute: 2, writesPerMinute: 3 },
      sync: { maxStreamsPerBeing: 2 },
    });
    poster = await app.signup("rate_poster");
    const { space } = await app.expect<{ space: Space }>(201, "POST", "/api/spaces", {
      token: poster.token,
      body: { name: "Busy" },
    });
    spaceId = space.id;
  });
  afterAll(() => app.close());

  test("sign-ups per client: the limit's next attempt answers 429 before hashing anything", async () => {
    // The fixture's sign-up took the first unit.
    await app.signup("rate_second");
    await expectRateLimited(
      await app.request("POST", "/api/auth/signup", {
        body: { handle: "rate_third", password: TEST_PASSWORD },
      }),
    );
  });

  test("behind a trusted proxy, sign-ups are counted per address the proxy saw", async () => {
    const proxied = await TestApp.create(handle.database, {
      rate: { signupPerMinute: 1 },
      trustProxyHops: 1,
    });
    try {
      const signup = (name: string, forwardedFor: string) =>
        proxied.request("POST", "/api/auth/signup", {
          body: { handle: name, password: TEST_PASSWORD },
          headers: { "x-forwarded-for": forwardedFor },
        });
      expect((await signup("proxied_a", "203.0.113.1")).status).toBe(201);
      expect((await signup("proxied_b", "203.0.113.2")).status).toBe(201);
      // What the client wrote itself (left of the proxy's entry) changes nothing.
      await expectRateLimited(await signup("proxied_c", "6.6.6.6, 203.0.113.1"));
    } finally {
      await proxied.close();
    }
  });

  test("sign-in attempts per client and handle, right or wrong", async () => {
    const attempt = (password: string) =>
      app.request("POST", "/api/auth/signin", { body: { handle: "rate_poster", password } });
    expect((await attempt("wrong password")).status).toBe(401);
    expect((await attempt(TEST_PASSWORD)).status).toBe(200);
    await expectRateLimited(await attempt(TEST_PASSWORD));
  });

  test("writes per being: posts, edits and deletes share one budget", async () => {
    const { intention } = await app.expect<{ intention: Intention }>(
      201,
      "POST",
      `/api/spaces/${spaceId}/intentions`,
      { token: poster.token, body: { content: "one" } },
    );
    await app.expect(200, "PATCH", `/api/intentions/${intention.id}`, {
      token: poster.token,
      body: { content: "two" },
    });
    await app.expect(204, "DELETE", `/api/intentions/${intention.id}`, { token: poster.token });
    await expectRateLimited(
      await app.request("POST", `/api/spaces/${spaceId}/intentions`, {
        token: poster.token,
        body: { content: "four" },
      }),
    );
    // Reads are not writes.
    await app.expect(200, "GET", `/api/spaces/${spaceId}/intentions`, { token: poster.token });
  });

  test("concurrent streams per being are capped; closing one frees a place", async () => {
    const token = await app.newSession(poster.being.id);
    const open = () => app.request("GET", `/api/stream?spaceId=${spaceId}`, { token });
    const first = await open();
    const second = await open();
    expect([first.status, second.status]).toEqual([200, 200]);
    await expectRateLimited(await open());
    await first.body?.cancel();
    // The place frees once the cancel has reached the fan-out.
    let third = await open();
    while (third.status === 429) {
      await third.text();
      await Bun.sleep(5);
      third = await open();
    }
    expect(third.status).toBe(200);
    await Promise.all([second.body?.cancel(), third.body?.cancel()]);
  });
});
