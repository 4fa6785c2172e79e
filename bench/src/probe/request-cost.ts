// Dev probe: server CPU per request for the routes a stream open is made of, sequentially,
// warm. `bun src/probe/request-cost.ts`. Stream opens are measured by opening and closing
// streams one at a time (resume from the head: served from the ring, no sync query).
import { cpuSplit } from "../proc.ts";
import { launch } from "../servers.ts";
import { createSpaces, startStack } from "../stack.ts";

const stack = await startStack();
const [space] = (await createSpaces(stack, 1, "cost")) as [string];
const server = await launch("ours", stack);
const auth = { authorization: `Bearer ${stack.being.token}` };
const [row] =
  await stack.sql`SELECT to_char(head AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS head FROM spaces WHERE id = ${space}`;
const streamUrl = `${server.url}/api/stream?spaceId=${space}&since=${encodeURIComponent(row?.head)}`;

async function openStream(): Promise<void> {
  const controller = new AbortController();
  const response = await fetch(streamUrl, { headers: auth, signal: controller.signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  await reader.read();
  controller.abort();
}

const routes: [string, () => Promise<unknown>][] = [
  [
    "GET /api/health (no auth, 1 query)",
    () => fetch(`${server.url}/api/health`).then((r) => r.text()),
  ],
  [
    "GET /api/me (auth: 1 query)",
    () => fetch(`${server.url}/api/me`, { headers: auth }).then((r) => r.text()),
  ],
  [
    "GET /api/spaces/:id (auth + access: 2 queries)",
    () => fetch(`${server.url}/api/spaces/${space}`, { headers: auth }).then((r) => r.text()),
  ],
  ["GET /api/stream (auth + access + open + first frame)", openStream],
];
for (const [name, call] of routes) {
  for (let i = 0; i < 200; i++) await call();
  const before = cpuSplit(server.pid);
  const count = 1000;
  for (let i = 0; i < count; i++) await call();
  const after = cpuSplit(server.pid);
  const user = (after.user - before.user) / count;
  const system = (after.system - before.system) / count;
  console.log(
    `${name.padEnd(56)} ${Math.round(user + system)} µs CPU/request (user ${Math.round(user)})`,
  );
}
await server.stop();
await stack.destroy();
