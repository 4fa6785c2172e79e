import type { Socket, TCPSocketListener } from "bun";

export type Target = { host: string; port: number };

/** One side of a proxied connection, with the bytes it could not take yet. */
type Side = { socket?: Socket<Link>; backlog: Uint8Array[]; releaseAt: number };
type Pair = { client: Side; upstream: Side };
type Link = { pair: Pair; side: "client" | "upstream" };

/**
 * A TCP proxy that injects faults: cut every connection, refuse new ones, add latency.
 * Put it between clients and server instances (round robin over `targets`).
 */
export class FaultProxy {
  readonly #pairs = new Set<Pair>();
  #listener: TCPSocketListener<Link> | undefined;
  #next = 0;
  /** While true, new connections are closed at once (a network that is down). */
  blocked = false;
  /** Milliseconds added before every forwarded chunk. */
  latencyMs = 0;

  constructor(private targets: Target[]) {}

  get port(): number {
    if (!this.#listener) throw new Error("proxy not started");
    return this.#listener.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get openConnections(): number {
    return this.#pairs.size;
  }

  setTargets(targets: Target[]): void {
    this.targets = targets;
  }

  start(port = 0): this {
    this.#listener = Bun.listen<Link>({
      hostname: "127.0.0.1",
      port,
      socket: {
        open: (socket) => this.#accept(socket),
        data: (socket, data) => this.#relay(socket.data.pair, "upstream", data),
        drain: (socket) => this.#drain(socket.data.pair.client),
        close: (socket) => this.#drop(socket.data?.pair),
        error: (socket) => this.#drop(socket.data?.pair),
      },
    });
    return this;
  }

  /** Resets every open connection, as a network cut would. */
  cutAll(): number {
    const count = this.#pairs.size;
    for (const pair of [...this.#pairs]) this.#drop(pair);
    return count;
  }

  stop(): void {
    this.cutAll();
    this.#listener?.stop(true);
  }

  #accept(socket: Socket<Link>): void {
    const pair: Pair = {
      client: { socket, backlog: [], releaseAt: 0 },
      upstream: { backlog: [], releaseAt: 0 },
    };
    socket.data = { pair, side: "client" };
    if (this.blocked || this.targets.length === 0) {
      socket.terminate();
      return;
    }
    this.#pairs.add(pair);
    const target = this.targets[this.#next++ % this.targets.length] as Target;
    Bun.connect<Link>({
      hostname: target.host,
      port: target.port,
      data: { pair, side: "upstream" },
      socket: {
        open: (upstream) => {
          pair.upstream.socket = upstream;
          this.#drain(pair.upstream);
        },
        data: (upstream, data) => this.#relay(upstream.data.pair, "client", data),
        drain: (upstream) => this.#drain(upstream.data.pair.upstream),
        close: (upstream) => this.#drop(upstream.data.pair),
        error: (upstream) => this.#drop(upstream.data.pair),
        connectError: (upstream) => this.#drop(upstream.data.pair),
      },
    }).catch(() => this.#drop(pair));
  }

  #relay(pair: Pair, to: "client" | "upstream", data: Uint8Array): void {
    const copy = new Uint8Array(data);
    const side = pair[to];
    const send = () => {
      if (!this.#pairs.has(pair)) return;
      side.backlog.push(copy);
      this.#drain(side);
    };
    // Release times never go down, so a latency lowered mid-stream cannot reorder bytes.
    const now = performance.now();
    side.releaseAt = Math.max(side.releaseAt, now + this.latencyMs);
    const wait = side.releaseAt - now;
    if (wait > 0) setTimeout(send, wait);
    else send();
  }

  /** Writes what the socket will take; the rest waits for its next drain. */
  #drain(side: Side): void {
    const socket = side.socket;
    if (!socket) return;
    while (side.backlog.length > 0) {
      const chunk = side.backlog[0] as Uint8Array;
      const written = socket.write(chunk);
      if (written < chunk.byteLength) {
        side.backlog[0] = chunk.subarray(Math.max(written, 0));
        return;
      }
      side.backlog.shift();
    }
  }

  #drop(pair: Pair | undefined): void {
    if (!pair || !this.#pairs.delete(pair)) return;
    pair.client.socket?.terminate();
    pair.upstream.socket?.terminate();
  }
}
