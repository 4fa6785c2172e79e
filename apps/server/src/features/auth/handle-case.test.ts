import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Being } from "@rhizome/protocol";
import { describeEachDriver } from "../../testing/databases.ts";
import { asErrorBody, TEST_PASSWORD, TestApp } from "../../testing/test-app.ts";

/** One rule for handles: lower-cased where they enter, then `^[a-z0-9_]{3,32}$` (README, Accounts). */
describeEachDriver("handles are lower-cased on input", (handle) => {
  let app: TestApp;
  let alice: { being: Being; token: string };

  beforeAll(async () => {
    app = await TestApp.create(handle.database);
    alice = await app.expect(201, "POST", "/api/auth/signup", {
      body: { handle: "Alice_UX", password: TEST_PASSWORD },
    });
  });
  afterAll(() => app.close());

  test("sign-up takes Alice_UX as alice_ux, also as its default name's source", () => {
    expect(alice.being.handle).toBe("alice_ux");
  });

  test("another spelling of a taken handle is taken", async () => {
    const again = await app.request("POST", "/api/auth/signup", {
      body: { handle: "ALICE_ux", password: TEST_PASSWORD },
    });
    expect(again.status).toBe(409);
    expect(asErrorBody(await again.text()).error.code).toBe("conflict");
  });

  test("what the pattern refuses stays a 400 in any case", async () => {
    for (const bad of ["Has Space", "has space", "AB", "ab", "Dash-Ed", "É_tude", "A".repeat(33)]) {
      const response = await app.request("POST", "/api/auth/signup", {
        body: { handle: bad, password: TEST_PASSWORD },
      });
      expect(response.status, bad).toBe(400);
      expect(asErrorBody(await response.text()).error.code).toBe("invalid");
    }
  });

  test("sign-in in any case is the same being", async () => {
    for (const spelling of ["alice_ux", "Alice_UX", "ALICE_UX"]) {
      const { being } = await app.expect<{ being: Being }>(200, "POST", "/api/auth/signin", {
        body: { handle: spelling, password: TEST_PASSWORD },
      });
      expect(being.id).toBe(alice.being.id);
    }
    await app.expect(401, "POST", "/api/auth/signin", {
      body: { handle: "Alice_UX", password: "not the password" },
    });
  });

  test("sign-in attempts are counted per handle, whatever its spelling", async () => {
    const limited = await TestApp.create(handle.database, { rate: { signinPerMinute: 2 } });
    try {
      await limited.signup("Rate_Case");
      const attempt = (spelling: string) =>
        limited.request("POST", "/api/auth/signin", {
          body: { handle: spelling, password: "wrong password" },
        });
      expect((await attempt("rate_case")).status).toBe(401);
      expect((await attempt("RATE_CASE")).status).toBe(401);
      expect((await attempt("Rate_Case")).status).toBe(429);
    } finally {
      await limited.close();
    }
  });

  test("looking a being up (to invite them) in any case finds it", async () => {
    const { being } = await app.expect<{ being: Being }>(
      200,
      "GET",
      "/api/beings?handle=ALICE_ux",
      {
        token: alice.token,
      },
    );
    expect(being.id).toBe(alice.being.id);
  });
});
