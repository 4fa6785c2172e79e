import type { Subprocess } from "bun";
import { isSiblingMessage, type SiblingLink, type SiblingMessage } from "../sync/siblings.ts";
import { tellPrimary, tellWorker } from "./startup.ts";

/** A worker: tells the primary (see PrimarySiblings), and hears what the primary tells. */
export function workerSiblings(): SiblingLink {
  return {
    tell: (message) => tellPrimary(message),
    hear: (handler) => {
      process.on("message", (message: unknown) => {
        if (isSiblingMessage(message)) handler(message);
      });
    },
  };
}

/**
 * The primary: the hub of its instance's processes, which hear what it tells. What a worker
 * tells reaches the primary, and its changes reach the other workers too. Only changes: a
 * worker holds its notifications for a post of its primary or of itself, never for one
 * passed on by a primary that may be busy (a broadcast to thousands takes tens of ms).
 */
export class PrimarySiblings implements SiblingLink {
  #handler: (message: SiblingMessage) => void = () => {};

  constructor(private readonly workers: () => Subprocess[]) {}

  tell(message: SiblingMessage): void {
    for (const worker of this.workers()) tellWorker(worker, message);
  }

  hear(handler: (message: SiblingMessage) => void): void {
    this.#handler = handler;
  }

  /** A message from a worker (the supervisor's `ipc` handler); false if not a sibling one. */
  received(from: Subprocess, message: unknown): boolean {
    if (!isSiblingMessage(message)) return false;
    if (message.event === "committed") {
      for (const worker of this.workers()) if (worker !== from) tellWorker(worker, message);
    }
    this.#handler(message);
    return true;
  }
}
