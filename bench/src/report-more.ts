import type { Results } from "./results.ts";

const f = (value: number | undefined, digits = 1) =>
  value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits);
export const table = (head: string[], rows: (string | number)[][]) =>
  [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");

/** The scenarios added for the same-run ratios: conversation, storms beside Socket.IO, reload. */
export function ratioScenarios(results: Results): string {
  const talk = results.conversation.length
    ? table(
        [
          "server",
          "subscribers",
          "writers",
          "turn ms",
          "delivered",
          "p50 / p95 / p99 ms",
          "CPU µs/delivery",
        ],
        results.conversation.map((c) => [
          c.peer,
          c.subscribers,
          c.writers,
          c.turnMs,
          `${c.deliveries}/${c.expected}`,
          `${f(c.latencyMs.p50)} / ${f(c.latencyMs.p95)} / ${f(c.latencyMs.p99)}`,
          f(c.cpuMicrosPerDelivery, 1),
        ]),
      )
    : "not run";
  const cold = results.storm.find((s) => s.variant === "cold");
  const connect = results.connectStorm.length
    ? table(
        ["what", "clients", "live", "all live ms", "errors"],
        [
          ...(cold
            ? [
                [
                  "ours, cold storm (resume with cursors)",
                  cold.subscribers,
                  cold.live,
                  cold.allLiveMs,
                  JSON.stringify(cold.errors),
                ],
              ]
            : []),
          ...results.connectStorm.map((s) => [
            `${s.peer}, connect storm (a fresh connect each)`,
            s.subscribers,
            s.live,
            s.allLiveMs,
            JSON.stringify(s.errors),
          ]),
        ],
      )
    : "not run";
  const r = results.reload;
  const reload = r
    ? table(
        [
          "clients × spaces",
          "history/space",
          "bytes with cursors",
          "bytes without",
          "ratio",
          "missed change delivered",
        ],
        [
          [
            `${r.clients} × ${r.spaces}`,
            r.history,
            r.withCursorsBytes,
            r.withoutCursorsBytes,
            f(r.ratio, 4),
            `${r.missedDelivered}/${r.clients}`,
          ],
        ],
      )
    : "not run";
  const st = results.multi?.storm;
  const multiStorm = st
    ? table(
        [
          "streams live",
          "all live ms",
          "resume queries",
          "ring / db catch-ups",
          "resets",
          "missed delivered",
          "errors",
        ],
        [
          [
            `${st.live}/${results.multi?.streams}`,
            st.allLiveMs,
            st.resumeDbQueries,
            `${st.catchupsFromRing} / ${st.catchupsFromDb}`,
            st.resets,
            `${st.deliveries}/${st.expectedDeliveries}`,
            JSON.stringify(st.errors),
          ],
        ],
      )
    : "not run";
  return `## Conversation

A few subscribers, two writers taking turns (posts not awaited). Ours adapts its batch
window to the audience (\`SYNC_BATCH_MS × min(1, subscribers / SYNC_BATCH_AUDIENCE)\`), so a
conversation is not held back by batching.

${talk}

## Reconnect storm beside Socket.IO's connect storm

The same number of clients, all at once, against a fresh process: ours resumes each from its
cursor (the cold storm above), Socket.IO connects each anew.

${connect}

## Multi-space reconnect storm

Every multi-space stream drops, one change lands in a few spaces, and all resume at once
with their per-space cursors (warm: the server kept its channels).

${multiStorm}

## Reload: bytes to resume

A client following spaces over one multi-space stream reloads after missing one message in
one space: with its cursors it gets catch-ups, without them a reset (the latest page) per
space. Bytes the client read, per client, HTTP head and chunk framing included.

${reload}
`;
}

/** The load average at the start of each scenario (1/5/15 min). */
export function loadSection(results: Results): string {
  const by = (results.meta.loadAverageByScenario ?? {}) as Record<string, string>;
  const rows = Object.entries(by).map(([scenario, load]) => [scenario, load]);
  return rows.length ? table(["scenario", "load average at its start"], rows) : "";
}
