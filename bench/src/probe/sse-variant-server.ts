// Dev probe: the smallest SSE fan-out servers, one per way of writing a shared frame to
// many streams in Bun, to find the cost floor the real server could reach. VARIANT=
//   counted  ReadableStream + byte-counting strategy + enqueue (what apps/server does)
//   plain    ReadableStream, default strategy, enqueue
//   direct   ReadableStream type "direct": controller.write + flush into the native sink
//   counted64k  counted, with a 64 KiB high-water mark instead of 1 MiB
//   signal   counted + request.signal abort listener + server.timeout(request, 0)
//   elysia   signal, served by an Elysia route
//   elysia-headers  elysia, with a header set for every request (apps/server's security
//            headers), which makes Elysia re-wrap the handler's Response
//   rewrap   plain, handed on as `new Response(response.body, …)`, as Elysia re-wraps one
//   subscriber  apps/server's own Subscriber and SeatList: its per-delivery code, nothing else
// PAD_BYTES: each frame's padding, 220 by default (432 makes it as large as our lone frame).
// Not a bench dependency: the probe borrows the server's copy, to use the very same version.
// With RELAY_PORT and PEER_RELAY_PORT, processes share PORT (SO_REUSEPORT) as apps/server's
// workers do, and each relays the posts it receives to its peer over loopback HTTP.

import type { Server } from "bun";
import { Elysia } from "../../../apps/server/node_modules/elysia";
import { SeatList } from "../../../apps/server/src/sync/seat-list.ts";
import { Subscriber } from "../../../apps/server/src/sync/subscriber.ts";
import { raiseFdLimit } from "../limits.ts";

raiseFdLimit();
const variant = process.env.VARIANT ?? "counted";
type Sink = (bytes: Uint8Array) => void;
const sinks = new Set<Sink>();
const encoder = new TextEncoder();
const HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache" };
const PAD = "x".repeat(Number(process.env.PAD_BYTES ?? 220));
/** FIRST_BYTES: the size of each stream's first frame (ours sends a 50-intention reset, ~17 KB). */
const FIRST = encoder.encode(
  `data: [${"0,".repeat(Number(process.env.FIRST_BYTES ?? 0) / 2)}0]\n\n`,
);

const seats = new SeatList();
const INFO = { spaceIds: ["s"], beingId: "b", sessionKey: "k", address: "a" };

function open(request?: Request, server?: Server<unknown>): Response {
  if (variant === "subscriber") {
    const subscriber = new Subscriber(INFO, 1 << 20);
    subscriber.onClose(() => seats.delete(subscriber));
    seats.add(subscriber);
    subscriber.send(FIRST, "0");
    return new Response(subscriber.stream, { headers: HEADERS });
  }
  if (variant === "signal" || variant.startsWith("elysia")) {
    server?.timeout(request as Request, 0);
  }
  if (variant === "direct") {
    let sink: Sink | undefined;
    const stream = new ReadableStream({
      type: "direct",
      pull(controller: ReadableStreamDirectController) {
        sink = (bytes) => {
          controller.write(bytes);
          controller.flush();
        };
        sinks.add(sink);
        sink(FIRST);
        return new Promise<void>(() => {});
      },
      cancel() {
        if (sink) sinks.delete(sink);
      },
    } as unknown as UnderlyingDefaultSource<Uint8Array>);
    return new Response(stream, { headers: HEADERS });
  }
  let sink: Sink | undefined;
  const strategy =
    variant === "counted" || variant === "counted64k"
      ? {
          highWaterMark: variant === "counted" ? 1_048_576 : 65_536,
          size: (chunk?: Uint8Array) => chunk?.byteLength ?? 0,
        }
      : undefined;
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller: ReadableStreamDefaultController<Uint8Array>) {
        sink = (bytes) => controller.enqueue(bytes);
        sinks.add(sink);
        sink(FIRST);
        request?.signal.addEventListener("abort", () => sinks.delete(sink as Sink), { once: true });
      },
      cancel() {
        if (sink) sinks.delete(sink);
      },
    },
    strategy,
  );
  const response = new Response(stream, { headers: HEADERS });
  if (variant === "rewrap") return new Response(response.body, { headers: response.headers });
  return response;
}

const peerRelay = process.env.PEER_RELAY_PORT;

async function broadcast(request: Request, relay = Boolean(peerRelay)): Promise<Response> {
  const text = await request.text();
  if (relay) {
    void fetch(`http://127.0.0.1:${peerRelay}/relay`, { method: "POST", body: text }).catch(
      () => {},
    );
  }
  const body = JSON.parse(text) as { content: string };
  const frame = encoder.encode(
    `id: x\nevent: space-delta\ndata: [{"pad":"${PAD}","content":"${body.content}"}]\n\n`,
  );
  if (variant === "subscriber") {
    const shared = { bytes: () => frame, timestamp: "1" } as unknown as Parameters<
      Subscriber["deliver"]
    >[0];
    seats.forEach((seat) => {
      if ((seat as Subscriber).deliver(shared) !== "sent") seats.delete(seat);
    });
    return Response.json({}, { status: 201 });
  }
  for (const sink of sinks) {
    try {
      sink(frame);
    } catch {
      sinks.delete(sink);
    }
  }
  return Response.json({}, { status: 201 });
}

const port = Number(process.env.PORT);
// Every variant answers its peer's relays, or a peer's subscribers would never get a post.
if (process.env.RELAY_PORT) {
  Bun.serve({
    port: Number(process.env.RELAY_PORT),
    hostname: "127.0.0.1",
    fetch: (request) => broadcast(request, false),
  });
}
if (variant.startsWith("elysia")) {
  new Elysia()
    .onRequest(({ set }) => {
      if (variant === "elysia-headers") set.headers["x-content-type-options"] = "nosniff";
    })
    .get("/health", () => "ok")
    .get("/stream", ({ request, server }) => open(request, server ?? undefined))
    .post("/post/:space", ({ request }) => broadcast(request), { parse: "none" })
    .listen({ port, hostname: "127.0.0.1", idleTimeout: 30 });
} else {
  Bun.serve({
    port,
    hostname: "127.0.0.1",
    reusePort: Boolean(peerRelay),
    idleTimeout: variant === "signal" ? 30 : 0,
    fetch(request, server) {
      const url = new URL(request.url);
      if (url.pathname === "/health") return new Response("ok");
      if (url.pathname === "/stream") return open(request, server);
      if (request.method === "POST") return broadcast(request);
      return new Response("not found", { status: 404 });
    },
  });
}
