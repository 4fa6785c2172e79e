import { afterAll, beforeAll, expect, test } from "bun:test";
import { ERROR_CODES, HEADERS } from "@rhizome/protocol";
import { describeEachDriver } from "../../testing/databases.ts";
import { asErrorBody, TEST_PASSWORD, TestApp } from "../../testing/test-app.ts";

/** A flood of sign-ins must not queue a real user's behind minutes of argon2id (finding B). */
describeEachDriver("the password-hashing queue is bounded", (handle) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await TestApp.create(handle.database, { rate: { maxPendingHashes: 2 } });
    await app.signup("queue_user");
  });
  afterAll(() => app.close());

  test("past the bound, sign-ins and sign-ups answer 503 with Retry-After at once; later ones succeed", async () => {
    // Two hashes in flight fill the gate until released.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const holders = [app.ctx.hashGate.run(() => held), app.ctx.hashGate.run(() => held)];
    // Answered while the gate is still full: none of them waited for a hash.
    const burst = await Promise.all([
      ...Array.from({ length: 5 }, () =>
        app.request("POST", "/api/auth/signin", {
          body: { handle: "queue_user", password: TEST_PASSWORD },
        }),
      ),
      ...Array.from({ length: 3 }, (_, i) =>
        app.request("POST", "/api/auth/signup", {
          body: { handle: `queue_new_${i}`, password: TEST_PASSWORD },
        }),
      ),
    ]);
    for (const answer of burst) {
      expect(answer.status).toBe(503);
      expect(Number(answer.headers.get(HEADERS.retryAfter))).toBeGreaterThanOrEqual(1);
      expect(asErrorBody(await answer.text()).error.code).toBe(ERROR_CODES.unavailable);
    }
    release();
    await Promise.all(holders);
    await app.expect(200, "POST", "/api/auth/signin", {
      body: { handle: "queue_user", password: TEST_PASSWORD },
    });
    // A refused sign-up created nobody: the handle is still free.
    await app.signup("queue_new_0");
  });

  test("a burst beyond the bound: every answer is a sign-in or a 503, never a 500", async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        app.request("POST", "/api/auth/signin", {
          body: { handle: "queue_user", password: "wrong password" },
        }),
      ),
    );
    for (const answer of answers) {
      expect([401, 503]).toContain(answer.status);
      if (answer.status === 503) expect(answer.headers.get(HEADERS.retryAfter)).not.toBeNull();
    }
    expect(app.ctx.hashGate.inFlight).toBe(0);
  });
});
