import type { Socket } from "bun";
import { wallMs } from "../proc.ts";
import type { Conn, Ledger } from "./deliveries.ts";

/** Gets each complete SSE frame's `data:` line of one connection. */
export type FrameHandler = (conn: Conn, data: string, now: number) => void;

type State = {
  conn: Conn;
  request: string;
  head: string;
  body: boolean;
  chunked: boolean;
  remaining: number;
  skip: number;
  sizeLine: string;
  sse: string;
  onFrame: FrameHandler;
  ledger: Ledger;
};

/** Decodes HTTP/1.1 chunked transfer coding incrementally; returns the payload so far. */
function dechunk(state: State, text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    if (state.remaining > 0) {
      const take = Math.min(state.remaining, text.length - i);
      out += text.slice(i, i + take);
      i += take;
      state.remaining -= take;
      if (state.remaining === 0) state.skip = 2;
    } else if (state.skip > 0) {
      i++;
      state.skip--;
    } else {
      const newline = text.indexOf("\n", i);
      if (newline < 0) {
        state.sizeLine += text.slice(i);
        break;
      }
      const size = Number.parseInt(state.sizeLine + text.slice(i, newline), 16);
      state.sizeLine = "";
      i = newline + 1;
      if (size > 0) state.remaining = size;
      else state.skip = 2;
    }
  }
  return out;
}

function onBody(state: State, text: string, now: number): void {
  const payload = state.chunked ? dechunk(state, text) : text;
  const searchFrom = Math.max(0, state.sse.length - 1);
  state.sse += payload;
  let end = state.sse.indexOf("\n\n", searchFrom);
  while (end >= 0) {
    const frame = state.sse.slice(0, end);
    state.sse = state.sse.slice(end + 2);
    const dataAt = frame.startsWith("data: ") ? 0 : frame.indexOf("\ndata: ") + 1;
    if (dataAt > 0 || frame.startsWith("data: ")) {
      state.conn.frames++;
      state.onFrame(state.conn, frame.slice(dataAt + 6), now);
    }
    end = state.sse.indexOf("\n\n");
  }
}

const handlers = {
  open(socket: Socket<State>) {
    socket.write(socket.data.request);
  },
  data(socket: Socket<State>, chunk: Buffer) {
    const state = socket.data;
    const now = wallMs();
    state.ledger.bytes += chunk.byteLength;
    let text = chunk.toString("latin1");
    if (!state.body) {
      state.head += text;
      const end = state.head.indexOf("\r\n\r\n");
      if (end < 0) return;
      const status = Number(state.head.slice(9, 12));
      if (status !== 200) {
        state.ledger.error(`http-${status}`);
        socket.end();
        return;
      }
      state.chunked = /\r\ntransfer-encoding:\s*chunked/i.test(state.head.slice(0, end));
      text = state.head.slice(end + 4);
      state.head = "";
      state.body = true;
    }
    if (text.length > 0) onBody(state, text, now);
  },
  close(socket: Socket<State>) {
    socket.data.conn.open = false;
  },
  error(socket: Socket<State>) {
    socket.data.ledger.error("socket-error");
  },
  connectError(socket: Socket<State>) {
    socket.data.ledger.error("connect-error");
    socket.data.conn.open = false;
  },
};

/** The HTTP/1.1 request opening a stream: a GET, or a POST with a JSON body. */
export function streamRequest(target: {
  host: string;
  port: number;
  path: string;
  token?: string;
  body?: string;
}): string {
  const auth = target.token ? `Authorization: Bearer ${target.token}\r\n` : "";
  const head = `HTTP/1.1\r\nHost: ${target.host}:${target.port}\r\n${auth}Accept: text/event-stream\r\n`;
  if (target.body === undefined) return `GET ${target.path} ${head}\r\n`;
  const length = Buffer.byteLength(target.body);
  return `POST ${target.path} ${head}Content-Type: application/json\r\nContent-Length: ${length}\r\n\r\n${target.body}`;
}

/**
 * Opens one SSE stream over a raw TCP socket: the cheapest client the kernel allows. With a
 * `body`, the stream is opened by a POST of that JSON (the multi-space stream).
 */
export function openSse(
  ledger: Ledger,
  conn: Conn,
  target: { host: string; port: number; path: string; token?: string; body?: string },
  onFrame: FrameHandler,
): void {
  const request = streamRequest(target);
  const state: State = {
    conn,
    request,
    head: "",
    body: false,
    chunked: false,
    remaining: 0,
    skip: 0,
    sizeLine: "",
    sse: "",
    onFrame,
    ledger,
  };
  conn.open = true;
  conn.startedAt = wallMs();
  conn.liveAt = 0;
  let socket: Socket<State> | undefined;
  let closeRequested = false;
  conn.close = () => {
    closeRequested = true;
    socket?.end();
    conn.open = false;
  };
  Bun.connect<State>({ hostname: target.host, port: target.port, data: state, socket: handlers })
    .then((opened) => {
      socket = opened;
      if (closeRequested) opened.end();
    })
    .catch(() => {
      ledger.error("connect-failed");
      conn.open = false;
    });
}
