import { type Percentiles, percentiles } from "../hist.ts";
import type { Fleet } from "../load/fleet.ts";
import type { Kind } from "../load/protocol.ts";
import { cpuSplit, wallMs } from "../proc.ts";
import { FANOUT_WORKERS, launch, streamTarget } from "../servers.ts";
import { addSecondWriter, createSpaces, fillSpace, type Stack } from "../stack.ts";
import { postMarked, type WriteTarget, warmWritePath } from "../writer.ts";

export type ConversationSizes = {
  subscribers: number;
  /** Writers taking turns, one post every `turnMs` in all. */
  writers: number;
  turnMs: number;
  messages: number;
  history: number;
  /** Turns taken before the measured ones, with everyone live: a freshly started server is cold. */
  warmupTurns: number;
};

export type ConversationFigures = {
  peer: Kind;
  subscribers: number;
  writers: number;
  turnMs: number;
  messages: number;
  failedPosts: number;
  deliveries: number;
  expected: number;
  latencyMs: Percentiles;
  cpuMicrosPerDelivery: number;
};

/**
 * A conversation: a few subscribers, writers alternating every `turnMs` (each post not
 * awaited by the next). Ours adapts its batch window to the small audience, so a turn
 * should reach everyone about as fast as Socket.IO's emit.
 */
export async function runConversation(
  stack: Stack,
  fleet: Fleet,
  kind: Kind,
  sizes: ConversationSizes,
  log: (line: string) => void,
  sioRuntime = "node",
): Promise<ConversationFigures> {
  // The write path is warmed in a space of its own: the measured one keeps its history.
  const [space, warmSpace] = (await createSpaces(stack, 2, `conversation ${kind}`)) as [
    string,
    string,
  ];
  await fillSpace(stack, space, sizes.history);
  for (const id of [space, warmSpace]) await addSecondWriter(stack, id);
  const server = await launch(kind, stack, sioRuntime, { workers: FANOUT_WORKERS });
  try {
    // Two beings take turns (more writers share the second one's identity).
    const second = { ...server.target, token: stack.second.token, authorId: stack.second.id };
    const writers: WriteTarget[] = Array.from({ length: sizes.writers }, (_, i) =>
      i % 2 === 0 ? server.target : second,
    );
    await warmWritePath(writers, warmSpace);
    await Bun.sleep(300);
    await fleet.open({
      ...streamTarget(server),
      spaces: Array(sizes.subscribers).fill(space),
    });
    await fleet.waitLive(30_000);
    // The same turns, unmeasured, so that both peers are measured warm (JIT, pools, caches):
    // ours has more code on the path than an emit, and it is all cold at launch.
    const turns = { writers, space, turnMs: sizes.turnMs };
    const warm = await takeTurns(turns, "warm", sizes.messages + 1, sizes.warmupTurns);
    await fleet.waitPhase("warm", warm.stored, 30_000);
    const cpu0 = cpuSplit(server.pid);
    const talk = await takeTurns(turns, "talk", 1, sizes.messages);
    const failedPosts = sizes.messages - talk.stored;
    const result = await fleet.waitPhase("talk", talk.stored, 30_000);
    const cpu1 = cpuSplit(server.pid);
    const cpu = cpu1.user + cpu1.system - cpu0.user - cpu0.system;
    await fleet.closeAll();
    const figures: ConversationFigures = {
      peer: kind,
      subscribers: sizes.subscribers,
      writers: writers.length,
      turnMs: sizes.turnMs,
      messages: sizes.messages,
      failedPosts,
      deliveries: result.deliveries,
      expected: sizes.messages * sizes.subscribers,
      latencyMs: percentiles(result.hist),
      cpuMicrosPerDelivery: cpu / Math.max(1, result.deliveries),
    };
    log(
      `  ${kind}: p50 ${figures.latencyMs.p50} p99 ${figures.latencyMs.p99} ms, ` +
        `${figures.deliveries}/${figures.expected} delivered, ${figures.failedPosts} failed posts`,
    );
    return figures;
  } finally {
    await server.stop();
  }
}

/**
 * Writers alternating, one post every `turnMs` (each not awaited by the next), marked
 * `phase` with sequence numbers from `firstSeq`.
 */
async function takeTurns(
  { writers, space, turnMs }: { writers: readonly WriteTarget[]; space: string; turnMs: number },
  phase: string,
  firstSeq: number,
  count: number,
): Promise<{ stored: number }> {
  const started = wallMs();
  const posts: Promise<number>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = started + i * turnMs - wallMs();
    if (wait > 0) await Bun.sleep(wait);
    posts.push(postMarked(writers[i % writers.length] as WriteTarget, space, firstSeq + i, phase));
  }
  const statuses = await Promise.all(posts);
  return { stored: statuses.filter((s) => s === 200 || s === 201).length };
}
