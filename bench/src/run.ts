/**
 * `bun src/run.ts [--quick] [--only=fanout,conversation,catchup,storm,writes,multi,reload]
 *   [--peers=ours,sio,full,bare]
 *   [--sio-runtime=node|bun] [--out=DIR]`; BENCH_SERVER_MAIN=<main.ts> runs another server
 *   build in place of apps/server (A/B experiments of a proposed change).
 * Runs every scenario against one throw-away Postgres, writes results/latest.json,
 * results/report.md and results/chart.svg, and ends with `bench: N of M targets met`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { renderChart } from "./chart.ts";
import { FULL_ARRAY_PHASES, OUR_BATCH, sizesFor } from "./config.ts";
import { raiseFdLimit } from "./limits.ts";
import { Fleet } from "./load/fleet.ts";
import type { Kind } from "./load/protocol.ts";
import { renderReport, targetsTable } from "./report.ts";
import { emptyResults, type Results } from "./results.ts";
import { runCapacity } from "./scenarios/capacity.ts";
import { runCatchup } from "./scenarios/catchup.ts";
import { runConnectStorm } from "./scenarios/connect-storm.ts";
import { runConversation } from "./scenarios/conversation.ts";
import { runTier } from "./scenarios/fanout.ts";
import { runMulti } from "./scenarios/multi.ts";
import { runReload } from "./scenarios/reload.ts";
import { runStorm } from "./scenarios/storm.ts";
import { runWriteCeiling } from "./scenarios/write-ceiling.ts";
import { runWrites } from "./scenarios/writes.ts";
import { launch, type Running } from "./servers.ts";
import { logStatements, SERVER_ENV, type Stack, startStack } from "./stack.ts";
import { computeTargets } from "./targets.ts";

// Bun's fetch allows 256 concurrent requests unless told otherwise, read at start-up.
if (!process.env.BUN_CONFIG_MAX_HTTP_REQUESTS) {
  const child = Bun.spawn(["bun", ...process.argv.slice(1)], {
    env: { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: "4096" },
    stdio: ["inherit", "inherit", "inherit"],
  });
  process.exit(await child.exited);
}

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args
  .find((a) => a.startsWith("--only="))
  ?.slice(7)
  .split(",");
const sioRuntime = args.find((a) => a.startsWith("--sio-runtime="))?.slice(14) ?? "node";
const peers = args
  .find((a) => a.startsWith("--peers="))
  ?.slice(8)
  .split(",") ?? ["ours", "sio", "full", "bare"];
const out = args.find((a) => a.startsWith("--out="))?.slice(6);
const wanted = (name: string) => !only || only.includes(name);
const sizes = sizesFor(quick);
const RESULTS = out
  ? `${out.replace(/\/$/, "")}/`
  : fileURLToPath(new URL("../results/", import.meta.url));
const started = performance.now();
const elapsed = () => `${Math.round((performance.now() - started) / 1000)}`.padStart(4);
const log = (line: string) => console.log(`${elapsed()}s ${line}`);
const durations: Record<string, number> = {};
const loadByScenario: Record<string, string> = {};
const loadavg = () => sh(["cat", "/proc/loadavg"]).split(" ").slice(0, 3).join(" ");
async function timed<T>(name: string, body: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  // The machine is shared: what else ran is part of every figure of the scenario.
  loadByScenario[name] = loadavg();
  log(`  (load average ${loadByScenario[name]})`);
  try {
    return await body();
  } finally {
    durations[name] = Math.round((performance.now() - t0) / 1000);
  }
}

const sh = (cmd: string[]) => Bun.spawnSync(cmd).stdout.toString().trim();
const results: Results = emptyResults({
  date: new Date().toISOString(),
  loadAverageAtStart: sh(["cat", "/proc/loadavg"]),
  loadAverageByScenario: loadByScenario,
  mode: sizes.mode,
  machine: `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${sh(["uname", "-r"])}`,
  bun: Bun.version,
  node: sh(["node", "--version"]),
  commit: sh(["git", "rev-parse", "--short", "HEAD"]),
  // Others edit the server concurrently: what the measured server had beyond the commit.
  serverUncommittedFiles: sh(["git", "status", "--short", "--", "../apps/server", "../packages"])
    .split("\n")
    .filter(Boolean).length,
  fdLimit: raiseFdLimit(),
  serverEnv: SERVER_ENV,
  ourBatch: OUR_BATCH,
  socketIoRuntime: sioRuntime,
  serverMain: process.env.BENCH_SERVER_MAIN ?? "apps/server/src/main.ts",
  sizes,
});

async function withServer<T>(
  kind: Kind,
  stack: Stack,
  body: (server: Running) => Promise<T>,
): Promise<T> {
  const server = await launch(kind, stack, sioRuntime);
  try {
    return await body(server);
  } finally {
    await server.stop();
  }
}

log(`bench (${sizes.mode}): starting a throw-away Postgres and ${sizes.workers} load workers`);
const stack = await startStack();
const fleet = await Fleet.start(sizes.workers);
try {
  if (wanted("fanout")) {
    log("1–2. fan-out, side by side");
    await timed("fanout", async () => {
      for (const n of sizes.fanout.tiers) {
        for (const kind of ["ours", "sio", "full", "bare"] as const) {
          if (!peers.includes(kind)) continue;
          if (kind === "full" && !sizes.fanout.fullArrayTiers.includes(n)) continue;
          const phases =
            kind === "full"
              ? sizes.fanout.phases.filter((p) => FULL_ARRAY_PHASES.includes(p.name))
              : sizes.fanout.phases;
          const fanout = { ...sizes.fanout, phases };
          results.fanout.push(await runTier(stack, fleet, kind, n, fanout, log, sioRuntime));
        }
      }
    });
  }
  if (wanted("conversation")) {
    const c = sizes.conversation;
    log(`conversation: ${c.subscribers} subscribers, ${c.writers} writers every ${c.turnMs} ms`);
    await timed("conversation", async () => {
      for (const kind of ["ours", "sio"] as const) {
        if (!peers.includes(kind)) continue;
        results.conversation.push(await runConversation(stack, fleet, kind, c, log, sioRuntime));
      }
    });
  }
  if (wanted("catchup")) {
    log("3. catch-up scaling");
    results.catchup = await timed("catchup", () =>
      withServer("ours", stack, (ours) =>
        withServer("full", stack, (full) =>
          runCatchup(stack, fleet, ours, full, sizes.catchup, log),
        ),
      ),
    );
  }
  if (wanted("storm")) {
    // The storm's server first holds `capacity` streams: its 5k subscribers plus bystanders.
    // Statement logging for the storm server's connections (its pool opens them lazily).
    await logStatements(stack, true);
    results.storm = await timed("capacity+storm", () =>
      withServer("ours", stack, async (server) => {
        log(`capacity: ${sizes.capacity} streams held by one process`);
        const extra = await Fleet.start(sizes.workers);
        try {
          const { figures, held } = await runCapacity(
            stack,
            fleet,
            extra,
            server,
            sizes.capacity,
            sizes.storm,
            log,
          );
          results.capacity = figures;
          log("4. reconnect storm");
          return await runStorm(stack, fleet, server, sizes.storm, log, held);
        } finally {
          await extra.stop();
        }
      }),
    );
    await logStatements(stack, false);
    if (peers.includes("sio")) {
      log(
        `4b. Socket.IO's connect storm of ${sizes.storm.subscribers}, for the cold storm's ratio`,
      );
      results.connectStorm.push(
        await timed("connect-storm", () =>
          runConnectStorm(stack, fleet, "sio", sizes.storm, log, sioRuntime),
        ),
      );
    }
  }
  if (wanted("writes")) {
    log("5. write throughput");
    const { writes, floor } = await timed("writes", () =>
      withServer("ours", stack, (s) => runWrites(stack, s, sizes.writes, log)),
    );
    results.writes = writes;
    results.writeFloor = floor;
    results.writeCeiling = await timed("writeCeiling", () =>
      runWriteCeiling(stack, sizes.writes.seconds * 3, log),
    );
  }
  if (wanted("multi")) {
    const m = sizes.multi;
    log(
      `6. multi-space: ${m.streams} streams × ${m.spacesPerStream}–${m.maxSpacesPerStream} spaces held by one process`,
    );
    results.multi = await timed("multi", () =>
      withServer("ours", stack, (s) => runMulti(stack, fleet, s, m, log)),
    );
  }
  if (wanted("reload")) {
    const r = sizes.reload;
    log(
      `7. reload: ${r.clients} clients × ${r.spaces} spaces, one missed, with and without cursors`,
    );
    results.reload = await timed("reload", () =>
      withServer("ours", stack, (s) => runReload(stack, fleet, s, r, log)),
    );
  }
} finally {
  await fleet.stop();
  await stack.destroy();
}

results.meta.seconds = Math.round((performance.now() - started) / 1000);
results.meta.scenarioSeconds = durations;
results.meta.loadAverageAtEnd = sh(["cat", "/proc/loadavg"]);
const targets = computeTargets(results, sizes);
mkdirSync(RESULTS, { recursive: true });
writeFileSync(`${RESULTS}latest.json`, `${JSON.stringify({ targets, ...results }, null, 2)}\n`);
const readme = relative(RESULTS, fileURLToPath(new URL("../README.md", import.meta.url)));
writeFileSync(`${RESULTS}report.md`, renderReport(results, sizes, targets, readme));
writeFileSync(`${RESULTS}chart.svg`, renderChart(results, sizes));
console.log(`\n${targetsTable(targets)}\n`);
const shown = relative(process.cwd(), RESULTS) || ".";
console.log(`results: ${shown}/latest.json, report.md, chart.svg (${results.meta.seconds} s)`);
console.log(
  `load average (1/5/15 min): ${String(results.meta.loadAverageAtStart).split(" ").slice(0, 3).join(" ")} at start, ${loadavg()} at end`,
);
console.log(`bench: ${targets.filter((t) => t.met).length} of ${targets.length} targets met`);
