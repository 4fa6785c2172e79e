// Peer 2: the design Rhizome replaces. On every change it re-queries every intention of
// the space and pushes the whole array to every SSE client. Generous to it: the array is
// serialised once per change and the same bytes go to every client (as ours does).
import postgres from "postgres";
import { raiseFdLimit } from "../limits.ts";
import { listAll, persist } from "./persist.mjs";

raiseFdLimit();
const sql = postgres(process.env.DATABASE_URL as string, { max: 10, onnotice: () => {} });
const clients = new Map<string, Set<ReadableStreamDefaultController<Uint8Array>>>();
const encoder = new TextEncoder();
const HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache" };

async function frameOf(spaceId: string): Promise<Uint8Array> {
  const rows = await listAll(sql, spaceId);
  return encoder.encode(`data: ${JSON.stringify(rows)}\n\n`);
}

async function subscribe(spaceId: string): Promise<Response> {
  const first = await frameOf(spaceId);
  const set = clients.get(spaceId) ?? new Set();
  clients.set(spaceId, set);
  let self: ReadableStreamDefaultController<Uint8Array> | undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      self = controller;
      controller.enqueue(first);
      set.add(controller);
    },
    cancel() {
      if (self) set.delete(self);
    },
  });
  return new Response(stream, { headers: HEADERS });
}

async function post(spaceId: string, request: Request): Promise<Response> {
  const body = (await request.json()) as { authorId: string; content: string };
  const row = await persist(sql, spaceId, body.authorId, body.content);
  const frame = await frameOf(spaceId);
  for (const controller of clients.get(spaceId) ?? []) {
    try {
      controller.enqueue(frame);
    } catch {
      clients.get(spaceId)?.delete(controller);
    }
  }
  return Response.json(row, { status: 201 });
}

const server = Bun.serve({
  port: Number(process.env.PORT),
  hostname: "127.0.0.1",
  idleTimeout: 0,
  fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/health") return new Response("ok");
    const posted = url.pathname.match(/^\/post\/([0-9a-f-]{36})$/);
    if (request.method === "POST" && posted) return post(posted[1] as string, request);
    const space = url.searchParams.get("space");
    if (url.pathname === "/stream" && space) return subscribe(space);
    return new Response("not found", { status: 404 });
  },
});
console.log(`full-array peer on ${server.port}`);
process.on("SIGTERM", () => {
  server.stop(true);
  sql.end({ timeout: 1 }).finally(() => process.exit(0));
});
