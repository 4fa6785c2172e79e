import { connect, type Socket } from "node:net";
import { BEARER_PREFIX, HEADERS, QUERY_PARAMS, ROUTES, SYNC_EVENT_TYPE } from "@rhizome/protocol";

/**
 * A subscriber that stops reading after its first frame. It is a raw TCP socket paused at
 * the kernel, not a `fetch` whose body is left unread: Bun's HTTP client keeps draining such
 * a body into a receive buffer that grows to tens of megabytes, so the server would never
 * see the pressure. A paused socket is what a stalled client looks like from the server.
 */
export class StalledSubscriber {
  bytesRead = 0;
  #lastDataAt = 0;
  #ended = false;
  readonly #endedWaiters: (() => void)[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.bytesRead += chunk.byteLength;
      this.#lastDataAt = performance.now();
    });
    const end = () => {
      this.#ended = true;
      for (const wake of this.#endedWaiters.splice(0)) wake();
    };
    socket.on("end", end);
    socket.on("close", end);
    socket.on("error", end);
  }

  /** Opens the stream on one server directly (a proxy in between would absorb the backlog). */
  static async open(port: number, spaceId: string, token: string): Promise<StalledSubscriber> {
    const socket = connect({ host: "127.0.0.1", port });
    const subscriber = new StalledSubscriber(socket);
    const first = new Promise<string>((resolve, reject) => {
      let text = "";
      const onData = (chunk: Buffer) => {
        text += chunk.toString("utf8");
        if (text.includes(`event: ${SYNC_EVENT_TYPE}`)) {
          socket.off("data", onData);
          resolve(text);
        }
      };
      socket.on("data", onData);
      socket.once("error", reject);
      socket.once("close", () =>
        reject(new Error(`stream closed before its first frame: ${text}`)),
      );
      setTimeout(() => reject(new Error("no first frame within 10 s")), 10_000).unref();
    });
    const query = `${QUERY_PARAMS.spaceId}=${spaceId}`;
    socket.write(
      `GET ${ROUTES.stream}?${query} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
        `${HEADERS.authorization}: ${BEARER_PREFIX}${token}\r\nAccept: text/event-stream\r\n\r\n`,
    );
    const text = await first;
    if (!text.startsWith("HTTP/1.1 200")) throw new Error(`stream refused: ${text.slice(0, 200)}`);
    // From here on the kernel buffers fill, then the server's queue for this subscriber.
    socket.pause();
    return subscriber;
  }

  /**
   * Reads again for `ms`: "ended" when the server closed the stream, "silent" when it left
   * the connection open but sent nothing (not even a heartbeat) for the last `silentMs`,
   * "alive" when frames still flow; then it stops reading again.
   */
  async probe(ms: number, silentMs: number): Promise<"ended" | "silent" | "alive"> {
    this.socket.resume();
    if (!this.#ended) {
      const ended = new Promise<void>((resolve) => this.#endedWaiters.push(resolve));
      await Promise.race([ended, Bun.sleep(ms)]);
    }
    if (this.#ended) return "ended";
    this.socket.pause();
    return performance.now() - this.#lastDataAt > silentMs ? "silent" : "alive";
  }

  /**
   * Whether the server has closed the connection, seen in the kernel's table without a read.
   * The server's end leaves ESTABLISHED as soon as it closes (its FIN may wait behind the
   * megabytes we never read); ours once the FIN arrives; both vanish after a reset.
   */
  async closedByServer(): Promise<boolean> {
    if (this.#ended) return true;
    const ours = this.socket.localPort;
    const theirs = this.socket.remotePort;
    if (ours === undefined || theirs === undefined) return true;
    const table = await tcpTable();
    const server = table.get(`${theirs}>${ours}`);
    const client = table.get(`${ours}>${theirs}`);
    return server !== TCP_ESTABLISHED || client !== TCP_ESTABLISHED;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

const TCP_ESTABLISHED = "01";

/** The kernel's IPv4 connections (Linux): "localPort>remotePort" to the state's hex code. */
async function tcpTable(): Promise<Map<string, string>> {
  const table = new Map<string, string>();
  const text = await Bun.file("/proc/net/tcp").text();
  for (const line of text.split("\n").slice(1)) {
    const [, from, to, state] = line.trim().split(/\s+/);
    if (!from || !to || !state) continue;
    const port = (address: string) => Number.parseInt(address.split(":")[1] ?? "", 16);
    table.set(`${port(from)}>${port(to)}`, state);
  }
  return table;
}

/** The slow-consumer cutoffs a server has counted (its /metrics), or undefined if unreachable. */
export async function slowConsumerCutoffs(baseUrl: string): Promise<number | undefined> {
  try {
    const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(2_000) });
    const match = (await response.text()).match(/^rhizome_slow_consumer_cutoffs_total (\d+)$/m);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
