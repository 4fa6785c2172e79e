import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DATA_DIR_LOCKED, lockDataDir } from "./data-dir-lock.ts";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "rz-lock-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const MAIN = join(import.meta.dir, "..", "main.ts");

/** A server process on `dataDir`; `said` is all it has written so far. */
function serverOn(dataDir: string) {
  const child = Bun.spawn(["bun", MAIN], {
    env: { ...process.env, DATABASE_URL: "", DATA_DIR: dataDir, PORT: "0", LOG_REQUESTS: "" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const server = { child, said: "", listening: async () => {} };
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) server.said += decoder.decode(chunk);
  };
  const done = Promise.all([collect(child.stdout), collect(child.stderr)]);
  server.listening = async () => {
    while (!server.said.includes("rhizome listening")) {
      const ended = await Promise.race([done.then(() => true), Bun.sleep(50).then(() => false)]);
      if (ended && !server.said.includes("rhizome listening")) {
        throw new Error(`the server ended before listening: ${server.said}`);
      }
    }
  };
  return server;
}

describe("the PGlite directory lock", () => {
  test("a directory held by a live process is refused, and free again once released", () => {
    const dir = tempDir();
    const holder = Bun.spawn(["sleep", "60"]);
    try {
      writeFileSync(join(dir, "rhizome.pid"), String(holder.pid));
      let thrown: unknown;
      try {
        lockDataDir(dir);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({ code: DATA_DIR_LOCKED, pid: holder.pid });
      // Refused: the holder's file is untouched.
      expect(readFileSync(join(dir, "rhizome.pid"), "utf8")).toBe(String(holder.pid));
    } finally {
      holder.kill();
    }
  });

  test("a lock left by a process that is gone is taken over, and removed on release", async () => {
    const dir = tempDir();
    const gone = Bun.spawn(["true"]);
    await gone.exited;
    writeFileSync(join(dir, "rhizome.pid"), String(gone.pid));
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, "rhizome.pid"), "utf8")).toBe(String(process.pid));
    release();
    expect(existsSync(join(dir, "rhizome.pid"))).toBe(false);
    // Released: it can be taken again.
    lockDataDir(dir)();
  });

  test("a killed holder not yet reaped by its parent (a zombie) counts as gone", async () => {
    const dir = tempDir();
    // `sleep 5` (the exec'd shell) never reaps its child `sleep 0`, which stays a zombie.
    const parent = Bun.spawn(["sh", "-c", "sleep 0 & echo $!; exec sleep 5"], { stdout: "pipe" });
    try {
      const reader = parent.stdout.getReader();
      const zombie = Number.parseInt(new TextDecoder().decode((await reader.read()).value), 10);
      const isZombie = () => / Z /.test(readFileSync(`/proc/${zombie}/stat`, "utf8"));
      while (!isZombie()) await Bun.sleep(10);
      writeFileSync(join(dir, "rhizome.pid"), String(zombie));
      lockDataDir(dir)();
    } finally {
      parent.kill();
    }
  });

  test("garbage in the lock file is taken over", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "rhizome.pid"), "not a pid");
    lockDataDir(dir)();
  });

  test("a second server on the same DATA_DIR stops with one sentence; the first releases the directory when it stops", async () => {
    const dir = tempDir();
    const first = serverOn(dir);
    try {
      await first.listening();
      const second = serverOn(dir);
      expect(await second.child.exited).toBe(1);
      await Bun.sleep(0);
      const said = second.said;
      expect(said).toContain("rhizome could not start:");
      expect(said).toContain(`in use by another Rhizome (process ${first.child.pid})`);
      expect(said).not.toContain("    at ");
    } finally {
      first.child.kill("SIGTERM");
      await first.child.exited;
    }
    // The first one's graceful stop released the directory.
    expect(existsSync(join(dir, "rhizome.pid"))).toBe(false);
  }, 60_000);
});
