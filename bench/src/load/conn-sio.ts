import { wallMs } from "../proc.ts";
import { type Conn, deliverAll, type Ledger } from "./deliveries.ts";

/**
 * A Socket.IO subscriber speaking the wire protocol (engine.io v4 over a WebSocket) with
 * Bun's native WebSocket, so the client costs little CPU on this shared 2-core machine.
 * The server does the same work as for socket.io-client: same handshake, packets, pings.
 */
export function openSio(ledger: Ledger, conn: Conn, target: { host: string; port: number }): void {
  const url = `ws://${target.host}:${target.port}/socket.io/?EIO=4&transport=websocket&space=${conn.space}`;
  const ws = new WebSocket(url);
  conn.open = true;
  conn.startedAt = wallMs();
  conn.liveAt = 0;
  conn.close = () => {
    ws.close();
    conn.open = false;
  };
  ws.onmessage = (event) => {
    const now = wallMs();
    const message = event.data as string;
    ledger.bytes += message.length;
    const type = message.charCodeAt(0);
    if (type === 50) {
      ws.send("3"); // engine.io ping → pong
    } else if (type === 48) {
      ws.send("40"); // engine.io open → connect to the main namespace
    } else if (type === 52 && message.charCodeAt(1) === 48) {
      if (conn.liveAt === 0) conn.liveAt = now; // namespace connected: in its room
    } else if (type === 52 && message.charCodeAt(1) === 50) {
      conn.frames++;
      deliverAll(ledger, conn, message, now);
    }
  };
  ws.onerror = () => ledger.error("ws-error");
  ws.onclose = () => {
    conn.open = false;
  };
}
