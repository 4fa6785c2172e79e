// Peer 1: Socket.IO 4.8, as a chat backend is usually written with it. WebSocket transport
// only, a room per space, connectionStateRecovery on. A write is persisted to the same
// Postgres, then emitted to the space's room. Runs under Node (its native runtime).
import { createServer } from "node:http";
import postgres from "postgres";
import { Server } from "socket.io";
import { persist, readJson } from "./persist.mjs";

const port = Number(process.env.PORT);
const sql = postgres(process.env.DATABASE_URL, { max: 10, onnotice: () => {} });

const http = createServer(async (request, response) => {
  if (request.method === "GET" && request.url === "/health") {
    response.writeHead(200).end("ok");
    return;
  }
  const match = request.method === "POST" && request.url?.match(/^\/post\/([0-9a-f-]{36})$/);
  if (!match) {
    response.writeHead(404).end();
    return;
  }
  try {
    const body = await readJson(request);
    const row = await persist(sql, match[1], body.authorId, body.content);
    io.to(match[1]).emit("intention", row);
    response.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify(row));
  } catch (error) {
    response.writeHead(500).end(String(error));
  }
});

const io = new Server(http, {
  transports: ["websocket"],
  serveClient: false,
  connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: true },
});
io.on("connection", (socket) => {
  socket.join(String(socket.handshake.query.space));
});

http.listen(port, "127.0.0.1", () => console.log(`socket.io peer on ${port}`));
process.on("SIGTERM", () => {
  io.close();
  sql.end({ timeout: 1 }).finally(() => process.exit(0));
});
