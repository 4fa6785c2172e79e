import { realTimers, type Timers } from "@rhizome/protocol";
import { HOLD_MS } from "./posts-in-flight.ts";
import type { LocalChange, WriteHooks } from "./source.ts";

/**
 * What one process of an instance (SERVER_WORKERS) tells the others of a write: a post
 * starts, a change committed (with the post's change and predecessor), the post ended.
 * `origin` names the process, so that the posts of two processes in one space stay apart.
 */
export type SiblingMessage = { kind: "sibling-write"; origin: number; spaceId: string } & (
  | { event: "writing" }
  | { event: "committed"; local?: LocalChange }
  | { event: "ended" }
);

/** The other processes of this instance: a process alone has none. */
export type SiblingLink = {
  tell(message: SiblingMessage): void;
  /** Calls `handler` with every message another process tells. */
  hear(handler: (message: SiblingMessage) => void): void;
};

export const NO_SIBLINGS: SiblingLink = { tell: () => {}, hear: () => {} };

export function isSiblingMessage(message: unknown): message is SiblingMessage {
  return (
    typeof message === "object" &&
    message !== null &&
    (message as { kind?: unknown }).kind === "sibling-write"
  );
}

/**
 * A sibling's post that never ends (its process died mid-post) stops holding this process's
 * notifications after this long: a post takes milliseconds, one slower than this only loses
 * its unread send.
 */
export const SIBLING_POST_MAX_MS = 20 * HOLD_MS;

/**
 * The write hooks of a process with siblings. Every post and change goes to this process's
 * fan-out and is told to the others, whose fan-outs take it as their own: a notification
 * that arrives while the post is in flight waits for it there too, and its change goes out
 * to their subscribers without a read (as the writer's own do), instead of after the
 * notification and a read of the database. The notification stays what every channel's
 * correctness rests on: a message lost or late costs the read it would have saved, or a
 * notification's hold (HOLD_MS at most, as for a post of this process that hangs).
 */
export function siblingWriteHooks(
  fanout: WriteHooks,
  link: SiblingLink,
  origin: number,
  timers: Timers = realTimers,
): WriteHooks {
  const posts = new SiblingPosts(fanout, timers);
  link.hear((message) => posts.heard(message));
  return {
    writing(spaceId) {
      link.tell({ kind: "sibling-write", origin, spaceId, event: "writing" });
      const end = fanout.writing(spaceId);
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        end();
        link.tell({ kind: "sibling-write", origin, spaceId, event: "ended" });
      };
    },
    // Told before the writer's answer, so that the others' sends need not wait for this
    // process's answer and its own send.
    stored(spaceId, local) {
      fanout.stored(spaceId, local);
      link.tell({ kind: "sibling-write", origin, spaceId, event: "committed", local });
    },
    committed(spaceId, local) {
      fanout.committed(spaceId, local);
    },
  };
}

/** The posts of other processes in flight, by process and space, oldest first. */
class SiblingPosts {
  readonly #inFlight = new Map<string, { end: () => void; expiry: unknown }[]>();

  constructor(
    private readonly fanout: WriteHooks,
    private readonly timers: Timers,
  ) {}

  heard(message: SiblingMessage): void {
    const key = `${message.origin} ${message.spaceId}`;
    if (message.event === "committed") {
      this.fanout.committed(message.spaceId, message.local);
    } else if (message.event === "writing") {
      const post = { end: this.fanout.writing(message.spaceId), expiry: undefined as unknown };
      post.expiry = this.timers.setTimeout(() => this.#end(key, post), SIBLING_POST_MAX_MS);
      const posts = this.#inFlight.get(key);
      if (posts) posts.push(post);
      else this.#inFlight.set(key, [post]);
    } else {
      // A process's messages arrive in its order: its oldest post in the space ended.
      const post = this.#inFlight.get(key)?.[0];
      if (post) this.#end(key, post);
    }
  }

  #end(key: string, post: { end: () => void; expiry: unknown }): void {
    this.timers.clearTimeout(post.expiry);
    const posts = this.#inFlight.get(key) ?? [];
    const at = posts.indexOf(post);
    if (at < 0) return;
    posts.splice(at, 1);
    if (posts.length === 0) this.#inFlight.delete(key);
    post.end();
  }
}
