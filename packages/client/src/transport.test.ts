import { expect, test } from "bun:test";
import { SPACE, stamp } from "@rhizome/protocol/testing";
import { fetchMultiTransport } from "./transport.ts";

test("fetchMultiTransport POSTs the spaces as JSON with the bearer token and reads the SSE", async () => {
  const seen: Request[] = [];
  const transport = fetchMultiTransport({
    baseUrl: "http://rhizome.test",
    token: "t0k",
    fetch: (async (input: string, init: RequestInit) => {
      seen.push(new Request(input, init));
      return new Response("event: space-delta\ndata: {}\n\n", {
        headers: { "x-heartbeat-ms": "2000" },
      });
    }) as unknown as typeof fetch,
  });
  const request = { spaces: [{ spaceId: SPACE, since: stamp(1), page: 1 }] };
  const opened = await transport(request, new AbortController().signal);
  const sent = seen[0] as Request;
  expect(sent.method).toBe("POST");
  expect(sent.url).toBe("http://rhizome.test/api/stream");
  expect(sent.headers.get("authorization")).toBe("Bearer t0k");
  expect(sent.headers.get("content-type")).toBe("application/json");
  expect(await sent.json()).toEqual(request);
  if (!opened.ok) throw new Error("refused");
  expect(opened.heartbeatMs).toBe(2000);
  const messages = [];
  for await (const message of opened.messages) messages.push(message);
  expect(messages).toEqual([{ id: undefined, event: "space-delta", data: "{}", retry: undefined }]);
});

test("a refusal carries its status and Retry-After", async () => {
  const transport = fetchMultiTransport({
    fetch: (async () =>
      new Response(null, {
        status: 503,
        headers: { "retry-after": "7" },
      })) as unknown as typeof fetch,
  });
  expect(await transport({ spaces: [{ spaceId: SPACE }] }, new AbortController().signal)).toEqual({
    ok: false,
    status: 503,
    retryAfterMs: 7000,
  });
});
