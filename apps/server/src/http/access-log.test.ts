import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ServerProcess, signupBeing } from "@rhizome/testkit";
import { Elysia } from "elysia";
import { loadConfig } from "../config.ts";
import { type AccessLogLine, accessLog } from "./access-log.ts";
import { bodyLimit } from "./body-limit.ts";
import { errorHandler } from "./error-handler.ts";

const encoder = new TextEncoder();

/** Waits until `lines()` holds `count` entries matching `match` (afterResponse runs later). */
async function waitForLines(
  lines: () => AccessLogLine[],
  match: (line: AccessLogLine) => boolean,
  count = 1,
): Promise<AccessLogLine[]> {
  for (;;) {
    const found = lines().filter(match);
    if (found.length >= count) return found;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A tiny app with the real error handler and body limit, logging into `lines`. */
function loggedApp(enabled: boolean, lines: string[]) {
  let cut: ReadableStreamDefaultController<Uint8Array> | undefined;
  const app = new Elysia()
    .use(accessLog({ enabled, trustProxyHops: 1, write: (line) => lines.push(line) }))
    .use(errorHandler)
    .use(bodyLimit)
    .get("/json", () => ({ ok: true }))
    .get("/text", () => "hello")
    .post("/echo", ({ body }) => body)
    .get("/sse/closed", () => sse((controller) => controller.close()))
    .get("/sse/cut", () => sse((controller) => (cut = controller)))
    .get("/sse/open", () => sse(() => {}));
  return { app, cut: () => cut?.error(new Error("slow consumer")) };
}

function sse(start: (controller: ReadableStreamDefaultController<Uint8Array>) => void) {
  return new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode("data: 12345\n\n"));
        start(controller);
      },
    }),
    { headers: { "content-type": "text/event-stream" } },
  );
}

describe("access log, in process", () => {
  const raw: string[] = [];
  const lines = () => raw.map((line) => JSON.parse(line) as AccessLogLine);
  const { app, cut } = loggedApp(true, raw);
  const call = (path: string, init?: RequestInit) =>
    app.handle(new Request(`http://localhost${path}`, init));

  test("a line per request with its status, also for errors the app answers", async () => {
    await call("/json?token=s3cret&spaceId=1&token=again");
    await call("/text");
    await call("/nowhere");
    await call("/echo", { method: "POST", body: "{not json" });
    await call("/echo", {
      method: "POST",
      body: "x".repeat(70_000),
      headers: { "content-type": "application/json" },
    });
    const [json] = await waitForLines(lines, (line) => line.path === "/json");
    expect(json).toMatchObject({ method: "GET", status: 200, query: ["token", "spaceId"] });
    expect(json?.durationMs).toBeGreaterThanOrEqual(0);
    expect(Number.isNaN(Date.parse(json?.time ?? ""))).toBe(false);
    const [text] = await waitForLines(lines, (line) => line.path === "/text");
    expect(text).toMatchObject({ status: 200, bytes: 5 });
    expect(text?.query).toBeUndefined();
    expect((await waitForLines(lines, (line) => line.path === "/nowhere"))[0]?.status).toBe(404);
    const echoes = await waitForLines(lines, (line) => line.path === "/echo", 2);
    expect(echoes.map((line) => line.status).sort()).toEqual([400, 413]);
    expect(raw.join("\n")).not.toContain("s3cret");
    expect(raw.join("\n")).not.toContain("again");
  });

  test("a stream is logged once, when it ends, with its bytes and how it ended", async () => {
    const closed = await call("/sse/closed");
    expect(await closed.text()).toBe("data: 12345\n\n");
    const [ended] = await waitForLines(lines, (line) => line.path === "/sse/closed");
    expect(ended).toMatchObject({ status: 200, bytes: 13, stream: "closed" });

    const open = await call("/sse/open");
    const reader = (open.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    expect(lines().filter((line) => line.path === "/sse/open")).toEqual([]);
    await reader.cancel();
    const [gone] = await waitForLines(lines, (line) => line.path === "/sse/open");
    expect(gone).toMatchObject({ bytes: 13, stream: "client-gone" });

    const cutOff = await call("/sse/cut");
    const cutReader = (cutOff.body as ReadableStream<Uint8Array>).getReader();
    await cutReader.read();
    cut();
    await expect(cutReader.read()).rejects.toThrow("slow consumer");
    const [wasCut] = await waitForLines(lines, (line) => line.path === "/sse/cut");
    expect(wasCut).toMatchObject({ bytes: 13, stream: "cut" });
    expect(lines().filter((line) => line.stream !== undefined)).toHaveLength(3);
  });

  test("off by default: the config says so, and the plugin then writes nothing", async () => {
    expect(loadConfig({}).logRequests).toBe(false);
    expect(loadConfig({ LOG_REQUESTS: "1" }).logRequests).toBe(true);
    expect(loadConfig({ LOG_REQUESTS: "0" }).logRequests).toBe(false);
    expect(() => loadConfig({ LOG_REQUESTS: "yes please" })).toThrow(/LOG_REQUESTS/);
    const silent: string[] = [];
    const off = loggedApp(false, silent).app;
    await off.handle(new Request("http://localhost/json"));
    await off.handle(new Request("http://localhost/nowhere"));
    // afterResponse hooks run on the next turn: give them two.
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(silent).toEqual([]);
    // Not even a hook: the default costs nothing per request.
    const disabled = accessLog({ enabled: false, trustProxyHops: 0 });
    expect(disabled.event.request ?? []).toHaveLength(0);
    expect(disabled.event.afterResponse ?? []).toHaveLength(0);
    expect(disabled.event.mapResponse ?? []).toHaveLength(0);
  });
});

describe("access log, a real server process (LOG_REQUESTS=1, TRUST_PROXY_HOPS=1)", () => {
  let server: ServerProcess;
  const lines = () =>
    server.output
      .join("")
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as AccessLogLine);

  beforeAll(async () => {
    server = await ServerProcess.start({
      env: { DATABASE_URL: "", DATA_DIR: "memory://", LOG_REQUESTS: "1", TRUST_PROXY_HOPS: "1" },
    });
  });
  afterAll(async () => {
    await server.kill("SIGTERM");
  });

  test("no token, cookie, password or content ever appears; the proxy's address and id do", async () => {
    const password = "correct horse battery";
    const owner = await signupBeing(server.url);
    const { data } = await owner.api.api.spaces.post({ name: "logged", visibility: "public" });
    const spaceId = data?.space.id as string;
    const content = "a very private thought 7f3a";
    await owner.api.api.spaces({ id: spaceId }).intentions.post({ content });
    const proxied = { "x-forwarded-for": "198.51.100.1, 203.0.113.9", "x-request-id": "req-42" };
    await fetch(`${server.url}/api/me`, {
      headers: { ...proxied, cookie: `rz_session=${owner.token}` },
    });
    await fetch(`${server.url}/api/health?token=${owner.token}`);
    const stream = await fetch(`${server.url}/api/stream?spaceId=${spaceId}`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    // Logging wraps the stream's body, never its headers.
    expect(stream.headers.get("content-type")).toStartWith("text/event-stream");
    expect(stream.headers.get("x-accel-buffering")).toBe("no");
    expect(stream.headers.get("x-frame-options")).toBe("DENY");
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.cancel();

    const [me] = await waitForLines(lines, (line) => line.path === "/api/me");
    expect(me).toMatchObject({
      method: "GET",
      status: 200,
      remote: "203.0.113.9",
      requestId: "req-42",
    });
    const [health] = await waitForLines(
      lines,
      (line) => line.path === "/api/health" && line.query !== undefined,
    );
    expect(health).toMatchObject({ status: 200, query: ["token"] });
    expect(health?.remote).toBe("127.0.0.1");
    const [streamLine] = await waitForLines(lines, (line) => line.path === "/api/stream");
    expect(streamLine).toMatchObject({ status: 200, query: ["spaceId"], stream: "client-gone" });
    expect(streamLine?.bytes).toBeGreaterThan(0);
    await waitForLines(lines, (line) => line.path === "/api/auth/signup");
    await waitForLines(lines, (line) => line.path === `/api/spaces/${spaceId}/intentions`);
    // One line per request: every request above, once.
    expect(lines().filter((line) => line.path === "/api/me")).toHaveLength(1);
    expect(lines().filter((line) => line.path === "/api/stream")).toHaveLength(1);

    const everything = server.output.join("");
    expect(everything).not.toContain(owner.token);
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(content);
    expect(everything).not.toContain("rz_session");
  });
});
