import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";

/** Debian's Chromium, where `apt-get install chromium` puts it. */
export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

export type ChromiumLookup = { ok: true; path: string } | { ok: false; message: string };

const INSTALL_HINT =
  "install it with `bun run setup:browser` (or `sudo apt-get install -y chromium`)";

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The Chromium the browser suite drives, the one rule for playwright.config.ts and the
 * preflight: `CHROMIUM_PATH` when set (pointing nowhere is an error, not a fallback), else
 * /usr/bin/chromium, else `chromium` on the PATH.
 */
export function findChromium(
  env: Record<string, string | undefined> = process.env,
): ChromiumLookup {
  const configured = env.CHROMIUM_PATH?.trim();
  if (configured) {
    return executable(configured)
      ? { ok: true, path: configured }
      : {
          ok: false,
          message: `e2e: CHROMIUM_PATH=${configured} is not an executable file: point it at a Chromium binary, or unset it and ${INSTALL_HINT}`,
        };
  }
  if (executable(DEFAULT_CHROMIUM)) return { ok: true, path: DEFAULT_CHROMIUM };
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir && executable(join(dir, "chromium"))) return { ok: true, path: join(dir, "chromium") };
  }
  return {
    ok: false,
    message: `e2e: no Chromium found (not at ${DEFAULT_CHROMIUM}, none on the PATH): ${INSTALL_HINT}, or set CHROMIUM_PATH to a Chromium binary`,
  };
}
