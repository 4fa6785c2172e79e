import { auditWrites, diffWindow, explainDiff, liveIntentions, type readSpace } from "./audit.ts";
import type { Ledger } from "./ledger.ts";
import { MB, type MemorySampler } from "./memory.ts";
import type { FaultKind } from "./schedule.ts";
import type { StallResult } from "./stalled-run.ts";
import type { AuditedSubscriber } from "./subscriber.ts";

/** A server using more than this (resident) is a finding. */
export const RSS_BOUND_BYTES = 512 * MB;

export type ChaosResult = {
  lost: number;
  duplicated: number;
  diverged: number;
  acknowledged: number;
  faults: number;
  /** Other findings that fail the run (refused writes, no cutoff, memory). */
  failures: string[];
  /** Everything else worth printing. */
  report: string[];
};

export type AuditInput = {
  ledger: Ledger;
  space: Awaited<ReturnType<typeof readSpace>>;
  subscribers: AuditedSubscriber[];
  stallResult: StallResult | undefined;
  memory: MemorySampler;
  faults: number;
  schedule: { fault: { kind: FaultKind } }[];
};

/** Checks everything the run recorded against the database and builds the report. */
export function audit(input: AuditInput): ChaosResult {
  const { ledger, space, subscribers, stallResult, memory, faults, schedule } = input;
  const report: string[] = [];
  const failures: string[] = [];
  const writes = auditWrites(ledger, space.rows);
  const live = liveIntentions(space.rows);
  let diverged = 0;
  let lost = writes.lost;
  let duplicated = writes.duplicated;
  const totals = {
    frames: 0,
    resets: 0,
    deltas: 0,
    heartbeats: 0,
    gaps: 0,
    stale: 0,
    rejected: 0,
    opens: 0,
  };
  const chainProblems: string[] = [];
  let pages = 0;
  for (const subscriber of subscribers) {
    subscriber.audit.finish();
    lost += subscriber.audit.lost;
    duplicated += subscriber.audit.duplicated;
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) {
      totals[key] += subscriber.audit.counts[key];
    }
    chainProblems.push(...subscriber.audit.problems);
    pages += subscriber.historyPages;
    const window = subscriber.client.intentions;
    const diff = diffWindow(window, live);
    if (!subscriber.caughtUp(space) || diff) {
      diverged++;
      report.push(`diverged: ${subscriber.describe()}`);
      if (diff) {
        const lines = explainDiff(diff, window, space.rows);
        report.push(...lines.map((line) => `  ${line}`));
        const first = [...diff.missing, ...diff.different, ...diff.extra][0];
        if (first) {
          report.push(`  trace of ${first}:`);
          report.push(
            ...subscriber.audit
              .trace(first)
              .slice(-60)
              .map((line) => `    ${line}`),
          );
        }
      }
    }
    if (subscriber.failure) failures.push(`subscriber ${subscriber.index}: ${subscriber.failure}`);
  }
  report.push(...writes.problems, ...chainProblems.slice(0, 10));

  const kinds = new Map<string, number>();
  for (const { fault } of schedule.slice(0, faults)) {
    kinds.set(fault.kind, (kinds.get(fault.kind) ?? 0) + 1);
  }
  const { post, edit, delete: deletes } = ledger.acknowledgedBy;
  report.push(
    `faults: ${[...kinds].map(([kind, count]) => `${kind} ${count}`).join(", ")}`,
    `writes acknowledged: ${post} posts, ${edit} edits, ${deletes} deletes (${ledger.retries} retries)`,
    `database: ${space.rows.length} intentions, ${live.length} live, head ${space.head}`,
    `stream: ${totals.opens} streams opened, ${totals.frames} frames (${totals.resets} resets, ${totals.deltas} deltas, ${totals.heartbeats} heartbeats), ${pages} history pages`,
    `chain: ${totals.gaps} gaps resumed from the client's cursor, ${totals.stale} stale frames ignored, ${totals.rejected} frames rejected`,
  );
  if (ledger.rejections.length > 0) {
    failures.push(`${ledger.rejections.length} writes refused against the contract`);
    report.push(...ledger.rejections.slice(0, 5));
  }
  if (!stallResult) failures.push("the stalled subscriber never ran");
  else {
    const { ended, leftOpen, cutoffs, floodBytes, floodWrites, floodRetries, seconds } =
      stallResult;
    const outcome = ended
      ? "cut off"
      : leftOpen
        ? "cut off but its connection LEFT OPEN"
        : "NOT cut off";
    report.push(
      `stalled subscriber: ${outcome} after ${(floodBytes / MB).toFixed(1)} MB of flood ` +
        `(${floodWrites} writes, ${floodRetries} retries, ${seconds.toFixed(1)} s); ` +
        `slow-consumer cutoffs on its server: ${cutoffs}`,
    );
    if (ended) report.push(`  ${describeClose(stallResult)}`);
    if (stallResult.error) failures.push(`stalled subscriber: ${stallResult.error}`);
    else if (leftOpen) {
      failures.push("the server stopped writing to the stalled subscriber but left it open");
    } else if (!ended) failures.push("the server never cut off the stalled subscriber");
    else if (stallResult.closedUnreadAfterMs === undefined) {
      failures.push(
        `the server kept the cut-off connection open for over ${stallResult.closeWatchMs / 1000} s while its reader did not read`,
      );
    }
  }
  const peaks = memory.maxBytes.map(
    (bytes, index) => `server ${index} ${Math.round(bytes / MB)} MB`,
  );
  report.push(
    `memory: max RSS ${peaks.join(", ")} (bound ${RSS_BOUND_BYTES / MB} MB, ${memory.samples} samples)`,
  );
  memory.maxBytes.forEach((bytes, index) => {
    if (bytes > RSS_BOUND_BYTES) failures.push(`server ${index} used ${Math.round(bytes / MB)} MB`);
  });
  return {
    lost,
    duplicated,
    diverged,
    acknowledged: ledger.acknowledged,
    faults,
    failures,
    report,
  };
}

/** What the stalled socket saw between its cutoff and its first read after it. */
function describeClose(stall: StallResult): string {
  const watched = `${(stall.closeWatchMs / 1000).toFixed(0)} s`;
  if (stall.closedUnreadAfterMs === undefined) {
    return `the connection stayed open for the ${watched} watched after the cutoff; it ended only once the reader read again`;
  }
  return `the server closed the connection ${(stall.closedUnreadAfterMs / 1000).toFixed(1)} s after the cutoff, the reader still not reading`;
}
