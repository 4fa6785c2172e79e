import { fileURLToPath } from "node:url";
import { ConfigError, loadConfig } from "./config.ts";
import { fileDescriptorLimit, raiseFileDescriptorLimit } from "./os/fd-limit.ts";
import { soloRole, workerRole } from "./os/instance.ts";
import { describeStartupFailure } from "./os/startup-failure.ts";
import { isWorker, superviseWorkers, workerIndex } from "./os/workers.ts";
import { startServer } from "./server.ts";

// Raised first: the limit sizes the default stream capacity.
raiseFileDescriptorLimit();
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env, fileDescriptorLimit());
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
config.webDir ??= fileURLToPath(new URL("../../web/build", import.meta.url));

const workers =
  config.workers > 1 && !isWorker() ? superviseWorkers(config.workers - 1) : undefined;
const role = workers?.role ?? (isWorker() ? workerRole(workerIndex()) : soloRole());
const server = await startServer(config, { reusePort: config.workers > 1, role }).catch((error) => {
  // A known cause gets one sentence to act on; anything else keeps its stack trace.
  const reason = describeStartupFailure(error, config);
  if (reason === undefined) throw error;
  console.error(`rhizome could not start: ${reason}`);
  process.exit(1);
});
if (!isWorker()) {
  console.log(
    `rhizome listening on http://localhost:${server.port} (database: ${server.database.kind}${
      server.database.kind === "pglite" ? ` in ${config.dataDir}` : ""
    }${config.workers > 1 ? `, ${config.workers} processes` : ""})`,
  );
}

// Once: systemd's control-group stop signals every process, and `bun run start`'s wrappers
// pass it on too; a second signal must not cut the graceful stop short.
let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    if (!isWorker()) console.log(`${signal}: ending streams and closing the database`);
    const forced = setTimeout(() => process.exit(1), 10_000);
    await Promise.all([
      workers?.stop(signal),
      server.stop().catch((error) => console.error("shutdown failed:", error)),
    ]);
    clearTimeout(forced);
    process.exit(0);
  });
}
