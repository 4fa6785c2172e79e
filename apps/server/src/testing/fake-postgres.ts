import type { Socket, TCPSocketListener } from "bun";

/**
 * What the fake does with one connection, by its number (0 first): answers it as a healthy
 * server would, or closes it cleanly (FIN, no error message) at startup or at its first query.
 */
export type ConnectionScript = "healthy" | "close-at-startup" | "close-at-first-query";

type State = { buffered: Buffer; started: boolean; script: ConnectionScript };

/**
 * Just enough of the Postgres wire protocol to drive postgres.js through the ways a server
 * can go away that a real one produces only by chance (a restart's timing). Every query gets
 * an empty result.
 */
export class FakePostgres {
  /** Connections accepted so far. */
  connections = 0;
  /** Runs when the fake has closed a connection as its script says. */
  onScriptedClose: () => void = () => {};
  readonly #listener: TCPSocketListener<State>;

  constructor(script: (connection: number) => ConnectionScript) {
    this.#listener = Bun.listen<State>({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open: (socket) => {
          socket.data = {
            buffered: Buffer.alloc(0),
            started: false,
            script: script(this.connections++),
          };
        },
        data: (socket, chunk) => {
          socket.data.buffered = Buffer.concat([socket.data.buffered, chunk]);
          if (answer(socket) === "closed") this.onScriptedClose();
        },
      },
    });
  }

  get url(): string {
    return `postgres://fake@127.0.0.1:${this.#listener.port}/fake`;
  }

  /** Stops listening: later connects are refused (open ones stay). */
  stop(): void {
    this.#listener.stop();
  }
}

function answer(socket: Socket<State>): "closed" | undefined {
  const state = socket.data;
  for (;;) {
    // The startup message has no type byte; every later message starts with one.
    const offset = state.started ? 1 : 0;
    if (state.buffered.length < offset + 4) return;
    const size = offset + state.buffered.readInt32BE(offset);
    if (state.buffered.length < size) return;
    const type = state.started ? String.fromCharCode(state.buffered[0] as number) : "startup";
    state.buffered = state.buffered.subarray(size);
    if (type === "startup") {
      state.started = true;
      if (state.script === "close-at-startup") return close(socket);
      socket.write(Buffer.concat([message("R", int32(0)), message("Z", Buffer.from("I"))]));
      continue;
    }
    if (state.script === "close-at-first-query") return close(socket);
    const reply = REPLIES[type];
    if (reply === "end") return void socket.end();
    if (reply) socket.write(reply);
  }
}

/** A clean close (FIN), with no error message before it. */
function close(socket: Socket<State>): "closed" {
  socket.end();
  return "closed";
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
}

function message(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);
}

const SELECT_NONE = message("C", Buffer.from("SELECT 0\0"));
const READY = message("Z", Buffer.from("I"));

/** The reply to each extended- or simple-protocol message: an empty result. */
const REPLIES: Record<string, Buffer | "end"> = {
  P: message("1"),
  B: message("2"),
  D: message("n"),
  E: SELECT_NONE,
  C: message("3"),
  S: READY,
  Q: Buffer.concat([SELECT_NONE, READY]),
  X: "end",
};
