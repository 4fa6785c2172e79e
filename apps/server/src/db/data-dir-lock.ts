import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";

/** The error a second server on the same PGlite directory gets (os/startup-failure.ts). */
export const DATA_DIR_LOCKED = "EDATADIRLOCKED";

export type DataDirLockError = Error & { code: typeof DATA_DIR_LOCKED; pid: number };

const LOCK_FILE = "rhizome.pid";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as { code?: string }).code === "EPERM";
  }
  // A killed process its parent has not reaped yet still answers the signal (Linux).
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

/**
 * Takes the PGlite directory for this process: two processes on one directory corrupt it,
 * since PGlite has no locking of its own. A lock left by a process that is gone is taken
 * over; one held by a live process throws `DATA_DIR_LOCKED`. Returns the release.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, "utf8").trim() === String(process.pid)) unlinkSync(path);
        } catch {
          // Already gone.
        }
      };
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
    }
    const holder = Number.parseInt(readHolder(path), 10);
    if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
      const locked = new Error(`${dataDir} is in use by process ${holder}`) as DataDirLockError;
      locked.code = DATA_DIR_LOCKED;
      locked.pid = holder;
      throw locked;
    }
    // Left by a process that is gone (or by this one, restarted in place): take it over.
    try {
      unlinkSync(path);
    } catch {
      // Another starter took it over first: the next attempt sees whose it is.
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}

function readHolder(path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return "";
  }
}
