import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ServerProcess } from "@rhizome/testkit";
import { RawStream } from "../testing/raw-stream.ts";
import { beingWithSpace } from "../testing/test-server.ts";

describe("graceful shutdown", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "rz-shutdown-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test("SIGTERM with open streams ends them cleanly and the process exits 0", async () => {
    // The process as deployed, on PGlite in a directory (the drain itself is tested on both
    // drivers in shutdown-drain.test.ts).
    const server = await ServerProcess.start({ env: { DATABASE_URL: "", DATA_DIR: dataDir } });
    const owner = await beingWithSpace(server.url);
    const streams = await Promise.all(
      [0, 1, 2].map(() => RawStream.open(server.url, owner.token, { spaceId: owner.space.id })),
    );
    for (const stream of streams) await stream.event(0);
    expect(await server.kill("SIGTERM")).toBe(0);
    for (const stream of streams) {
      await stream.untilEnded();
      expect(stream.failed).toBe(false);
    }
  }, 120_000);
});
