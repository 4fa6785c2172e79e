/** The coordinator → load worker commands (each answered once, matched by id). */
/** ours; the peers Socket.IO and the full-array design; the bare SSE send loop (the floor). */
export type Kind = "ours" | "sio" | "full" | "bare";

export type OpenCommand = {
  type: "open";
  kind: Kind;
  host: string;
  port: number;
  token?: string;
  /** One entry per subscriber: the space it follows. */
  spaces: string[];
  /**
   * Ours only: one entry per multi-space subscriber, the spaces it follows over one
   * `POST /api/stream` (PROTOCOL.md §4.1). Opened after `spaces`' subscribers.
   */
  streams?: string[][];
  /** The `page` of each multi-space entry (the server's default when absent). */
  page?: number;
  /** Resume cursors by space (ours only). */
  since?: Record<string, string>;
  /** At most this many connections waiting for their first frame at once. */
  maxPending?: number;
};

export type Command =
  | OpenCommand
  | { type: "status" }
  | {
      type: "wait";
      phase: string;
      perConn: number;
      timeoutMs: number;
      /** Count only the subscribers following one of these spaces, once per such space. */
      inSpaces?: string[];
    }
  | { type: "drop" }
  | {
      type: "resume";
      maxPending?: number;
      /** Forget every cursor first: each space resumes with a reset (a reload without cursors). */
      fresh?: boolean;
    }
  | { type: "integrity"; expected: number }
  | { type: "bytes" }
  | { type: "close" };
