import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";

/** The reverse proxies the browser suite runs deploy/'s configs in. */
export type ProxyKind = "nginx" | "caddy";

export type BinaryLookup = { ok: true; path: string } | { ok: false; message: string };

/** Where Debian's packages put them, and the variable that points elsewhere. */
const BINARIES: Record<ProxyKind, { envVar: string; debianPath: string }> = {
  nginx: { envVar: "NGINX_PATH", debianPath: "/usr/sbin/nginx" },
  caddy: { envVar: "CADDY_PATH", debianPath: "/usr/bin/caddy" },
};

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The proxy binary a scenario runs, the way support/chromium.ts finds Chromium: `NGINX_PATH`
 * or `CADDY_PATH` when set (pointing nowhere is an error), else Debian's path, else the PATH.
 * The message is one line saying how to get it.
 */
export function findProxyBinary(
  kind: ProxyKind,
  env: Record<string, string | undefined> = process.env,
): BinaryLookup {
  const { envVar, debianPath } = BINARIES[kind];
  const hint = `install it with \`bun run setup:proxy\` (or \`sudo apt-get install -y ${kind}\`)`;
  const configured = env[envVar]?.trim();
  if (configured) {
    return executable(configured)
      ? { ok: true, path: configured }
      : {
          ok: false,
          message: `e2e: ${envVar}=${configured} is not an executable file: point it at the ${kind} binary, or unset it and ${hint}`,
        };
  }
  if (executable(debianPath)) return { ok: true, path: debianPath };
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir && executable(join(dir, kind))) return { ok: true, path: join(dir, kind) };
  }
  return {
    ok: false,
    message: `e2e: no ${kind} found (not at ${debianPath}, none on the PATH): ${hint}, or set ${envVar} to the ${kind} binary`,
  };
}
