import { afterAll, beforeAll, expect, test } from "bun:test";
import { type RunningServer, startServer } from "../server.ts";
import { describeEachDriver } from "../testing/databases.ts";
import { asErrorBody, TestApp, testConfig } from "../testing/test-app.ts";
import { MAX_BODY_BYTES } from "./body-limit.ts";

const encoder = new TextEncoder();

/** A JSON body of about `size` bytes: a space whose name is far too long. */
const bodyOf = (size: number) => encoder.encode(JSON.stringify({ name: "x".repeat(size - 11) }));

/** The same bytes as a stream, which fetch and Request send without a Content-Length. */
function chunked(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (let at = 0; at < bytes.length; at += 16_384) {
        controller.enqueue(bytes.slice(at, at + 16_384));
      }
      controller.close();
    },
  });
}

async function expectTooLarge(response: Response): Promise<void> {
  expect(response.status).toBe(413);
  expect(asErrorBody(await response.text()).error.code).toBe("too_large");
}

describeEachDriver("the body limit", (handle) => {
  let app: TestApp;
  let server: RunningServer;
  let token: string;

  beforeAll(async () => {
    app = await TestApp.create(handle.database);
    token = (await app.signup("limit_tester")).token;
    server = await startServer(testConfig(), {
      database: handle.database,
      hostname: "127.0.0.1",
    });
  });
  afterAll(async () => {
    await server.stop();
    await app.close();
  });

  const post = (body: BodyInit) =>
    fetch(`${server.url}/api/spaces`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body,
    });

  test("a body at the limit is read (and judged on its content)", async () => {
    const response = await app.request("POST", "/api/spaces", {
      token,
      body: new TextDecoder().decode(bodyOf(MAX_BODY_BYTES)),
    });
    expect(response.status).toBe(400);
    expect(asErrorBody(await response.text()).error.message).toContain("name");
  });

  test("over the limit with a Content-Length: 413 before reading", async () => {
    await expectTooLarge(
      await app.request("POST", "/api/spaces", {
        token,
        body: new TextDecoder().decode(bodyOf(MAX_BODY_BYTES + 1)),
      }),
    );
    await expectTooLarge(await post(bodyOf(MAX_BODY_BYTES + 1)));
  });

  test("over the limit without a Content-Length (chunked): 413 once the limit is passed", async () => {
    const request = new Request("http://localhost/api/spaces", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: chunked(bodyOf(MAX_BODY_BYTES + 1)),
    });
    expect(request.headers.has("content-length")).toBe(false);
    await expectTooLarge(await app.app.handle(request));
    // Through the real server too, also far past Bun's own transport limit.
    for (const size of [MAX_BODY_BYTES + 1, 4 * 1024 * 1024]) {
      await expectTooLarge(await post(chunked(bodyOf(size))));
    }
  });

  // Bun's own `maxRequestBodySize` (server.ts) sits far above the app's limit, so even a
  // large Content-Length reaches the app and gets the JSON 413.
  test("a Content-Length past Bun's transport limit still gets the JSON 413", async () => {
    await expectTooLarge(await post(bodyOf(4 * 1024 * 1024)));
  });
});
