/** The coordinator → load worker commands (each answered once, matched by id). */
export type Kind = "ours" | "sio" | "full";

export type OpenCommand = {
  type: "open";
  kind: Kind;
  host: string;
  port: number;
  token?: string;
  /** One entry per subscriber: the space it follows. */
  spaces: string[];
  /** Resume cursors by space (ours only). */
  since?: Record<string, string>;
  /** At most this many connections waiting for their first frame at once. */
  maxPending?: number;
};

export type Command =
  | OpenCommand
  | { type: "status" }
  | { type: "wait"; phase: string; perConn: number; timeoutMs: number }
  | { type: "drop" }
  | { type: "resume"; maxPending?: number }
  | { type: "integrity"; expected: number }
  | { type: "bytes" }
  | { type: "close" };
