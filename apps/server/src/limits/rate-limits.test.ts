import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Being, Intention, Space } from "@rhizome/protocol";
import { sql } from "drizzle-orm";
import { rowsOf } from "../db/sql.ts";
import { SessionPurge } from "../features/auth/session-purge.ts";
import { describeEachDriver } from "../testing/databases.ts";
import { expectRateLimited } from "../testing/refusals.ts";
import { TEST_PASSWORD, TestApp } from "../testing/test-app.ts";
import { MAX_WINDOW_MS, RateLimiter } from "./rate-limiter.ts";

describeEachDriver("RateLimiter, in the database", (handle) => {
  test("allows `limit` per window and key, then says when to retry", async () => {
    // Windows are aligned to the clock, so that every instance counts in the same one.
    let now = 120_000;
    const limiter = new RateLimiter(handle.database.db, "unit", 2, 60_000, () => now);
    expect(await limiter.take("a")).toEqual({ ok: true });
    expect(await limiter.take("a")).toEqual({ ok: true });
    expect(await limiter.take("b")).toEqual({ ok: true });
    expect(await limiter.take("a")).toEqual({ ok: false, retryAfter: 60 });
    now += 59_500;
    expect(await limiter.take("a")).toEqual({ ok: false, retryAfter: 1 });
    now += 500;
    expect(await limiter.take("a")).toEqual({ ok: true });
  });

  test("two limiters (two processes) over one database share one budget; names keep limits apart", async () => {
    const now = () => 7 * 60_000;
    const here = new RateLimiter(handle.database.db, "shared", 3, 60_000, now);
    const there = new RateLimiter(handle.database.db, "shared", 3, 60_000, now);
    const other = new RateLimiter(handle.database.db, "other", 3, 60_000, now);
    const takes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? here : there).take("k")),
    );
    expect(takes.filter((take) => take.ok)).toHaveLength(3);
    expect(await other.take("k")).toEqual({ ok: true });
  });

  test("a refused take writes nothing, and the purge drops finished windows", async () => {
    let now = 10 * 60_000;
    const limiter = new RateLimiter(handle.database.db, "purged", 1, 60_000, () => now);
    await limiter.take("k");
    await limiter.take("k");
    await limiter.take("k");
    const count = sql`SELECT count FROM rate_limits WHERE key = 'purged:k'`;
    expect(await rowsOf(handle.database.db, count)).toEqual([{ count: 1 }]);
    now += MAX_WINDOW_MS + 60_000;
    await new SessionPurge(handle.database.db, 3_600_000, () => now).run();
    expect(await rowsOf(handle.database.db, count)).toEqual([]);
  });
});

describeEachDriver("rate limits", (handle) => {
  let app: TestApp;
  let poster: { being: Being; token: string };
  let spaceId: string;

  beforeAll(async () => {
    app = await TestApp.create(handle.database, {
      rate: { signupPerMinute: 2, signinPerMinute: 2, writesPerMinute: 4 },
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

  test("writes per being: creating the space, posts, edits and deletes share one budget", async () => {
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

  test("two instances over one database share the sign-in limit: wrong passwords spread over both", async () => {
    const limit = 3;
    const one = await TestApp.create(handle.database, { rate: { signinPerMinute: limit } });
    const two = await TestApp.create(handle.database, { rate: { signinPerMinute: limit } });
    try {
      await one.signup("rate_shared");
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? one : two).request("POST", "/api/auth/signin", {
            body: { handle: "rate_shared", password: "wrong password" },
          }),
        ),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status !== 429)).toEqual([401, 401, 401]);
      await Promise.all(answers.filter((a) => a.status === 429).map(expectRateLimited));
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  test("sign-ins per address across all handles: made-up handles are limited too", async () => {
    const limited = await TestApp.create(handle.database, {
      rate: { signinPerAddressPerMinute: 4 },
      trustProxyHops: 1,
    });
    try {
      const attempt = (from: string) =>
        limited.request("POST", "/api/auth/signin", {
          body: { handle: `nobody_${crypto.randomUUID().slice(0, 8)}`, password: "guess guess" },
          headers: { "x-forwarded-for": from },
        });
      const flood = await Promise.all(Array.from({ length: 12 }, () => attempt("198.51.100.7")));
      expect(flood.filter((answer) => answer.status === 401)).toHaveLength(4);
      await Promise.all(flood.filter((a) => a.status !== 401).map(expectRateLimited));
      // Another address is not held back by the flood.
      expect((await attempt("198.51.100.8")).status).toBe(401);
    } finally {
      await limited.close();
    }
  });

  test("concurrent streams per being are capped; closing one frees a place", async () => {
    const token = await app.newSession(poster.being.id);
    const open = () => app.request("GET", `/api/stream?spaceId=${spaceId}`, { token });
    const first = await open();
    const second = await open();
    expect([first.status, second.status]).toEqual([200, 200]);
    await expectRateLimited(await open());
    await first.body?.cancel();
    // The place frees once the cancel has reached the fan-out: within a bounded number of tries.
    let third = await open();
    for (let tries = 1; third.status === 429 && tries < 1000; tries++) {
      await third.text();
      await Bun.sleep(5);
      third = await open();
    }
    expect(third.status).toBe(200);
    await Promise.all([second.body?.cancel(), third.body?.cancel()]);
  });
});
