// The write floor: the one statement our post issues (apps/server/src/data/post-intention.ts),
// behind a bare Bun.serve handler and postgres.js: no framework, no validation, no fan-out
// listener. What a post costs the server's CPU at the least; ours is measured against it.
import { createHash } from "node:crypto";
import postgres from "postgres";
import {
  POST_INTENTION_PARAMS,
  POST_INTENTION_SQL,
} from "../../../apps/server/src/data/post-intention.ts";
import { raiseFdLimit } from "../limits.ts";

raiseFdLimit();
const sql = postgres(process.env.DATABASE_URL as string, { max: 10, onnotice: () => {} });
const WINDOW_MS = 60_000;
const LIMIT = Number(process.env.RATE_WRITES_PER_MINUTE ?? 10_000_000);
const PATH = /^\/api\/spaces\/([0-9a-f-]{36})\/intentions$/;
const JSON_HEADERS = { "content-type": "application/json" };

async function post(spaceId: string, request: Request): Promise<Response> {
  const token = request.headers.get("authorization")?.slice("Bearer ".length) ?? "";
  const body = (await request.json()) as { id?: string; content: string };
  const now = Date.now();
  const values: Record<(typeof POST_INTENTION_PARAMS)[number], unknown> = {
    sessionKey: createHash("sha256").update(token).digest("hex"),
    spaceId,
    id: body.id ?? crypto.randomUUID(),
    content: body.content,
    keyPrefix: "writes:",
    windowStart: now - (now % WINDOW_MS),
    limit: LIMIT,
  };
  const params = POST_INTENTION_PARAMS.map(
    (name) => values[name],
  ) as postgres.ParameterOrJSON<never>[];
  const [row] = await sql.unsafe(POST_INTENTION_SQL, params, { prepare: true });
  if (!row?.created) return new Response('{"error":{}}', { status: 409, headers: JSON_HEADERS });
  const { id, spaceId: space, authorId, content, createdAt, updatedAt } = row;
  const intention = { id, spaceId: space, authorId, content, createdAt, updatedAt };
  return new Response(JSON.stringify({ intention }), { status: 201, headers: JSON_HEADERS });
}

Bun.serve({
  port: Number(process.env.PORT),
  idleTimeout: 0,
  fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/health") return new Response("ok");
    const space = PATH.exec(url.pathname)?.[1];
    if (request.method === "POST" && space) return post(space, request);
    return new Response("not found", { status: 404 });
  },
});
