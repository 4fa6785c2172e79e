import { markerContent } from "./load/deliveries.ts";
import type { Kind } from "./load/protocol.ts";
import { wallMs } from "./proc.ts";

/** Where and as whom the writer posts: our API, or a peer's `/post/<space>`. */
export type WriteTarget = { kind: Kind; url: string; token: string; authorId: string };

/** Posts one intention; resolves with the HTTP status (0 on a network error). */
export function post(target: WriteTarget, space: string, content: string): Promise<number> {
  const ours = target.kind === "ours";
  const url = ours ? `${target.url}/api/spaces/${space}/intentions` : `${target.url}/post/${space}`;
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(ours ? { authorization: `Bearer ${target.token}` } : {}),
    },
    body: JSON.stringify(ours ? { content } : { content, authorId: target.authorId }),
  })
    .then(async (response) => {
      await response.arrayBuffer();
      return response.status;
    })
    .catch(() => 0);
}

/**
 * Warms a server's write path in every process and every database connection before it is
 * measured: rounds of concurrent posts, over as many client connections (the kernel spreads
 * them over the processes sharing the port). A pool connection's first post plans its
 * statement and fills that backend's catalog caches, ~8 ms once (`probe/talk-trace.ts`); a
 * warm-up of serial posts warms one connection only, and the others are met later, measured.
 */
export async function warmWritePath(
  writers: readonly WriteTarget[],
  space: string,
  { rounds = 6, concurrency = 16 } = {},
): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    await Promise.all(
      Array.from({ length: concurrency }, (_, i) =>
        post(writers[i % writers.length] as WriteTarget, space, `warm-up ${round}.${i}`),
      ),
    );
  }
}

/** A marked message: the subscriber reads its sequence, phase and send time from the content. */
export function postMarked(target: WriteTarget, space: string, seq: number, phase: string) {
  return post(target, space, markerContent(seq, phase, wallMs()));
}

export type Schedule =
  /** Messages alone in their batch window: one every `spacingMs`, each awaited. */
  | { kind: "lone"; count: number; spacingMs: number }
  /** A chat-like steady rate, not awaiting each post. */
  | { kind: "steady"; count: number; perSecond: number }
  /** As fast as `concurrency` writers can post. */
  | { kind: "burst"; count: number; concurrency: number };

/** Runs a schedule from sequence `firstSeq`; resolves with how many posts failed. */
export async function runSchedule(
  target: WriteTarget,
  space: string,
  phase: string,
  firstSeq: number,
  schedule: Schedule,
): Promise<number> {
  let failed = 0;
  const one = async (i: number) => {
    const status = await postMarked(target, space, firstSeq + i, phase);
    if (status !== 200 && status !== 201) failed++;
  };
  if (schedule.kind === "lone") {
    for (let i = 0; i < schedule.count; i++) {
      const started = performance.now();
      await one(i);
      const rest = schedule.spacingMs - (performance.now() - started);
      if (i < schedule.count - 1 && rest > 0) await Bun.sleep(rest);
    }
  } else if (schedule.kind === "steady") {
    const started = performance.now();
    const posts: Promise<void>[] = [];
    for (let i = 0; i < schedule.count; i++) {
      const due = started + (i * 1000) / schedule.perSecond;
      const wait = due - performance.now();
      if (wait > 0) await Bun.sleep(wait);
      posts.push(one(i));
    }
    await Promise.all(posts);
  } else {
    let next = 0;
    const lane = async () => {
      while (next < schedule.count) await one(next++);
    };
    await Promise.all(Array.from({ length: schedule.concurrency }, lane));
  }
  return failed;
}
