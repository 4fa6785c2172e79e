import type { Sizes } from "./config.ts";
import { loadSection, ratioScenarios } from "./report-more.ts";
import { writeFloorAndCeiling } from "./report-writes.ts";
import type { Results } from "./results.ts";
import { PEER_LABEL } from "./servers.ts";
import type { Target } from "./targets.ts";

const f = (value: number | undefined, digits = 1) =>
  value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits);
const table = (head: string[], rows: (string | number)[][]) =>
  [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");

export function targetsTable(targets: Target[]): string {
  return table(
    ["target", "goal", "value", "unit", "met"],
    targets.map((t) => [
      t.name,
      t.goal,
      f(t.value, t.unit === "ratio" ? 4 : 2),
      t.unit,
      t.met ? "yes" : "**no**",
    ]),
  );
}

function fanoutSection(results: Results): string {
  const rows = results.fanout.flatMap((tier) =>
    tier.phases.map((p) => [
      PEER_LABEL[tier.peer],
      tier.subscribers,
      p.phase,
      `${p.deliveries}/${p.expected}`,
      `${f(p.latencyMs.p50)} / ${f(p.latencyMs.p95)} / ${f(p.latencyMs.p99)}`,
      p.deliveriesPerSec,
      `${f(p.cpuMicrosPerDelivery, 2)} (${f(p.userMicrosPerDelivery, 2)})`,
      f(p.bytesPerDelivery, 0),
      f(p.framesPerSubscriber, 0),
    ]),
  );
  const conns = results.fanout.map((t) => [
    PEER_LABEL[t.peer],
    t.subscribers,
    `${t.live}/${t.subscribers}`,
    t.connectMs,
    f(t.rssPerConnBytes / 1024),
    f((t.rssConnectedBytes - t.rssBaselineBytes) / 1024 / Math.max(1, t.live)),
    `${t.integrity.duplicates} / ${t.integrity.gaps} / ${t.integrity.missing}`,
  ]);
  return `## 1–2. Fan-out, side by side

One space with history, N subscribers, a writer posting lone messages (one per batch window),
a steady 20/s, then a burst (10 concurrent writers). Latency is post (before the HTTP request)
→ the subscriber's socket read, across processes on one wall clock. CPU is the server process'
utime+stime over the phase, per delivered change (user-space share in brackets; on loopback
the kernel also charges the receiver's TCP work to the sender). Bytes are TCP payload bytes
the server sent (\`ss -tin\` bytes_acked on its port) per delivered change.

${table(["server", "N", "phase", "delivered", "p50 / p95 / p99 ms", "deliveries/s", "CPU µs/delivery (user)", "bytes/delivery", "frames/sub"], rows)}

${table(["server", "N", "live", "connect ms", "RSS/conn KB (settled)", "RSS/conn KB (just after connect)", "dup / gaps / missing"], conns)}
`;
}

function ratiosSection(results: Results, sizes: Sizes): string {
  const rows: (string | number)[][] = [];
  for (const n of sizes.fanout.tiers) {
    for (const phase of sizes.fanout.phases.map((p) => p.name)) {
      const get = (peer: string) =>
        results.fanout
          .find((t) => t.peer === peer && t.subscribers === n)
          ?.phases.find((p) => p.phase === phase);
      const ours = get("ours");
      if (!ours) continue;
      const sio = get("sio");
      const full = get("full");
      const bare = get("bare");
      // Runs committed before per-message figures existed have none.
      const typical = (of: typeof sio) => of?.medianMessageMs?.p99;
      const ratio = (a: number | undefined, b: number | undefined) => (a && b ? f(a / b, 2) : "–");
      rows.push([
        n,
        phase,
        bare ? f(ours.latencyMs.p99 / bare.latencyMs.p99, 2) : "–",
        ratio(typical(ours), typical(bare)),
        bare ? f(ours.cpuMicrosPerDelivery / bare.cpuMicrosPerDelivery, 2) : "–",
        sio ? f(sio.cpuMicrosPerDelivery / ours.cpuMicrosPerDelivery, 2) : "–",
        sio ? f(sio.bytesPerDelivery / ours.bytesPerDelivery, 2) : "–",
        sio ? f(sio.latencyMs.p99 / ours.latencyMs.p99, 2) : "–",
        ratio(typical(sio), typical(ours)),
        full ? f(full.cpuMicrosPerDelivery / ours.cpuMicrosPerDelivery, 2) : "–",
        full ? f(full.bytesPerDelivery / ours.bytesPerDelivery, 0) : "–",
      ]);
    }
  }
  return `### Ratios (peer ÷ ours; > 1 means ours is cheaper or faster)

Our steady and burst latencies include the batch window by design (\`SYNC_BATCH_MS\`, 1 s by
default): a change that is not the first after a quiet second waits for the window's end,
and the whole batch then costs one frame per subscriber.

The first two columns are the other way round: ours ÷ the bare Bun SSE send loop (the
floor: no database, no authentication, one shared frame per post, as many processes as ours),
so 1 means ours costs what sending costs.

"Median message" divides each side's median over its messages of the message's own p99: the
pooled p99 follows a run's worst message or two, this one a typical message.

${table(["N", "phase", "ours ÷ floor p99", "… median message", "ours ÷ floor CPU", "Socket.IO CPU", "Socket.IO bytes", "Socket.IO p99", "… median message", "full-array CPU", "full-array bytes"], rows)}
`;
}

function otherSections(results: Results): string {
  const cap = results.capacity;
  const capacity = cap
    ? table(
        [
          "streams",
          "live",
          "got a live change",
          "connect ms",
          "server fds / limit",
          "RSS/stream KB",
        ],
        [
          [
            cap.streams,
            cap.live,
            cap.delivered,
            cap.connectMs,
            `${cap.serverFds} / ${cap.serverFdLimit}`,
            f(cap.rssPerConnBytes / 1024),
          ],
        ],
      )
    : "not run";
  const catchup = table(
    [
      "intentions",
      "load s",
      "resume ms (db)",
      "resume ms (ring)",
      "changes",
      "catch-up stmt ms",
      "EXPLAIN ms",
      "index scan",
      "full-array resume ms",
      "MB",
      "full scan stmt ms",
      "EXPLAIN ms",
      "speed-up",
    ],
    results.catchup.map((c) => [
      c.intentions,
      f(c.loadSeconds),
      f(c.resumeDbMs, 2),
      f(c.resumeRingMs, 2),
      c.changesInFrame,
      f(c.catchupStatementMs, 2),
      f(c.catchupExplainMs, 3),
      c.indexScan ? "yes" : "NO",
      f(c.fullResumeMs),
      f(c.fullFrameBytes / 1e6),
      f(c.fullScanStatementMs),
      f(c.fullScanExplainMs),
      `${f(c.speedup, 0)}×`,
    ]),
  );
  const largest = results.catchup.at(-1);
  const storm = table(
    [
      "variant",
      "subscribers",
      "spaces",
      "live",
      "all live ms",
      "resume queries",
      "sync queries",
      "ring / db catch-ups",
      "resets",
      "db statements",
      "server CPU µs/resume",
      "dup / gaps / missing",
    ],
    results.storm.map((s) => [
      s.variant,
      s.subscribers,
      s.spaces,
      s.live,
      s.allLiveMs,
      s.resumeDbQueries,
      s.syncDbQueries,
      `${s.catchupsFromRing} / ${s.catchupsFromDb}`,
      s.resets,
      s.dbStatements,
      Math.round(s.serverCpuMicrosPerResume),
      `${s.integrity.duplicates} / ${s.integrity.gaps} / ${s.integrity.missing}`,
    ]),
  );
  const writes = table(
    ["spaces", "writers", "accepted/s", "failed", "p50 / p99 ms", "server CPU µs/write"],
    results.writes.map((w) => [
      w.spaces,
      w.concurrency,
      w.perSecond,
      w.failed,
      `${f(w.latencyMs.p50)} / ${f(w.latencyMs.p99)}`,
      Math.round(w.serverCpuMicrosPerWrite),
    ]),
  );
  const mu = results.multi;
  const multi = mu
    ? table(
        [
          "streams × spaces",
          "pool",
          "live",
          "first frames",
          "connect ms",
          "live deliveries",
          "RSS MB (before / connected / settled)",
          "RSS/position B",
          "RSS/stream KB",
          "dup / gaps",
        ],
        [
          [
            `${mu.streams} × ${mu.spacesPerStream}–${mu.maxSpacesPerStream}`,
            mu.pool,
            `${mu.live}/${mu.streams}`,
            `${mu.firstFrames}/${mu.positions}`,
            mu.connectMs,
            `${mu.deliveries}/${mu.expectedDeliveries} (${mu.posted} spaces, ${mu.deliveryMs} ms)`,
            [mu.rssBaselineBytes, mu.rssConnectedBytes, mu.rssSettledBytes]
              .map((b) => f(b / 2 ** 20, 0))
              .join(" / "),
            f(mu.rssPerPositionBytes, 0),
            f(mu.rssPerConnBytes / 1024),
            `${mu.duplicates} / ${mu.gaps}`,
          ],
        ],
      )
    : "not run";
  return `## Capacity: concurrent streams in one process

${capacity}

## 3. Catch-up scaling

Resume = a request with \`since\` 50 changes back → the catch-up frame read, median of the
repeats, through the real server (a pinned channel whose ring does not cover the cursor, so
each resume is a database read: see the db catch-up counter). The full-array design's resume
is its connect → the whole array. Statement times are the same SQL through postgres.js.

${catchup}

Catch-up plan (${largest?.intentions} intentions):

\`\`\`
${largest?.catchupPlan ?? ""}
\`\`\`

Full-array plan:

\`\`\`
${largest?.fullScanPlan ?? ""}
\`\`\`

## 4. Reconnect storm

Warm: the clients drop, the server keeps its channels. Cold: the server restarts. Both:
${results.storm[0]?.spaces ?? "?"} spaces, a few changes missed per space, every subscriber resumes at once with its cursor.
"resume queries" are the database catch-ups and resets (\`rhizome_catchups_db_total\` +
\`rhizome_resets_total\`); "sync queries" is every sync-engine query meanwhile
(\`rhizome_sync_db_queries_total\`, the 10 s safety poll and flushes included); "db statements" counts every statement the
database ran during the storm, from its log (\`log_statement = all\` is set for the storm
server's connections only): it includes each request's authentication and access check.

${storm}

## 5. Write throughput

${writes}

${writeFloorAndCeiling(results)}

## 6. Multi-space streams

One process holds multi-space streams (\`POST /api/stream\`, each entry \`page: 1\` as a sidebar
asks), each following consecutive spaces of a shared pool. RSS is the server's, before
opening and 2 s after a live change in a few spaces reached every follower of them;
per position = settled growth ÷ first frames received.

${multi}
`;
}

export function renderReport(
  results: Results,
  sizes: Sizes,
  targets: Target[],
  readme = "../README.md",
): string {
  const met = targets.filter((t) => t.met).length;
  const meta = results.meta;
  return `# Rhizome benchmarks (${sizes.mode})

${String(meta.date)} · ${String(meta.machine)} · bun ${String(meta.bun)} · node ${String(meta.node)} · commit ${String(meta.commit)} · ${String(meta.seconds)} s

Load average (1/5/15 min) at start ${String(meta.loadAverageAtStart).split(" ").slice(0, 3).join(" ")}, at end ${String(meta.loadAverageAtEnd).split(" ").slice(0, 3).join(" ")}: the machine is shared, so compare runs made under similar load.

See [README](${readme}) for the method. Raw figures: [latest.json](latest.json).

![chart](chart.svg)

## Targets: ${met} of ${targets.length} met

${targetsTable(targets)}

${fanoutSection(results)}
${ratiosSection(results, sizes)}
${otherSections(results)}
${ratioScenarios(results)}
## Load average by scenario

${loadSection(results)}
`;
}
