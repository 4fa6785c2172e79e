import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@rhizome/testkit";
import type { Subprocess } from "bun";
import { findProxyBinary, type ProxyKind } from "./proxy-binaries.ts";

/** The files operators use: the scenarios run these, never copies of them. */
export const DEPLOY_DIR = fileURLToPath(new URL("../../deploy/", import.meta.url));
export const NGINX_CONF = join(DEPLOY_DIR, "nginx.conf");
export const CADDYFILE = join(DEPLOY_DIR, "Caddyfile");

/** The only values deploy/nginx.conf leaves to the site (its header's envsubst list). */
export const NGINX_PLACEHOLDERS = [
  "HTTP_PORT",
  "HTTPS_PORT",
  "UPSTREAM_1",
  "UPSTREAM_2",
  "TLS_CERT",
  "TLS_KEY",
  "TEMP_DIR",
  "LOG_DIR",
] as const;
export type NginxPlaceholder = (typeof NGINX_PLACEHOLDERS)[number];

/** Bun's fetch through the proxy, whose certificate is self-signed for the test. */
export const insecureTls = { tls: { rejectUnauthorized: false } } as const;

/**
 * deploy/nginx.conf with its `${NAME}` placeholders filled, as `envsubst` with a list of
 * names would; a placeholder left unfilled is an error, so the file and the test keep step.
 */
export function renderTemplate(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{([A-Z0-9_]+)\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for ${whole} in the template`);
    return value;
  });
}

/** A self-signed certificate for 127.0.0.1 and localhost, made now with openssl. */
export function selfSignedCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  const made = Bun.spawnSync(
    [
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  if (made.exitCode !== 0) {
    throw new Error(`e2e: openssl could not make a test certificate: ${made.stderr.toString()}`);
  }
  return { cert, key };
}

/** One running proxy in front of `upstreams`, from deploy/'s config, on free ports. */
export class ReverseProxy {
  readonly output: string[] = [];

  private constructor(
    readonly kind: ProxyKind,
    readonly prefix: string,
    readonly httpsPort: number,
    readonly httpPort: number,
    private readonly proc: Subprocess,
  ) {
    void this.#collect(proc.stdout as ReadableStream<Uint8Array>);
    void this.#collect(proc.stderr as ReadableStream<Uint8Array>);
  }

  /** What the browser opens: TLS, HTTP/2. */
  get url(): string {
    return `https://127.0.0.1:${this.httpsPort}`;
  }

  /** The plain-HTTP port, which only redirects to https. */
  get httpUrl(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  static async start(kind: ProxyKind, upstreams: [string, string]): Promise<ReverseProxy> {
    const binary = findProxyBinary(kind);
    if (!binary.ok) throw new Error(binary.message);
    const prefix = mkdtempSync(join(tmpdir(), `rz-${kind}-`));
    // nginx's workers drop root for `nobody`: they must reach the temporary directories.
    chmodSync(prefix, 0o755);
    const { cert, key } = selfSignedCertificate(prefix);
    const httpsPort = freePort();
    const httpPort = freePort();
    const proc =
      kind === "nginx"
        ? spawnNginx(binary.path, prefix, { httpsPort, httpPort, cert, key, upstreams })
        : spawnCaddy(binary.path, prefix, { httpsPort, httpPort, cert, key, upstreams });
    const proxy = new ReverseProxy(kind, prefix, httpsPort, httpPort, proc);
    try {
      await proxy.#waitServing();
    } catch (error) {
      await proxy.stop();
      throw error;
    }
    return proxy;
  }

  /** nginx's access log (deploy/nginx.conf's `rhizome` format), for the protocol used. */
  accessLog(): string {
    return readFileSync(join(this.prefix, "logs", "rhizome.access.log"), "utf8");
  }

  async stop(): Promise<void> {
    this.proc.kill("SIGTERM");
    await this.proc.exited;
    rmSync(this.prefix, { recursive: true, force: true });
  }

  /** Until the proxy answers /api/health over TLS (the instances are already up). */
  async #waitServing(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) {
        throw new Error(`${this.kind} exited with ${this.proc.exitCode}:\n${this.output.join("")}`);
      }
      const ok = await fetch(`${this.url}/api/health`, insecureTls)
        .then((response) => response.ok)
        .catch(() => false);
      if (ok) return;
      await Bun.sleep(50);
    }
    throw new Error(`${this.kind} not serving in ${timeoutMs} ms:\n${this.output.join("")}`);
  }

  async #collect(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      this.output.push(decoder.decode(chunk));
      if (this.output.length > 200) this.output.shift();
    }
  }
}

type Site = {
  httpsPort: number;
  httpPort: number;
  cert: string;
  key: string;
  upstreams: [string, string];
};

/** nginx unprivileged, in the foreground, everything it writes inside `prefix`. */
function spawnNginx(binary: string, prefix: string, site: Site): Subprocess {
  const logs = join(prefix, "logs");
  const temp = join(prefix, "temp");
  mkdirSync(logs);
  mkdirSync(temp);
  const conf = join(prefix, "nginx.conf");
  const values: Record<NginxPlaceholder, string> = {
    HTTP_PORT: String(site.httpPort),
    HTTPS_PORT: String(site.httpsPort),
    UPSTREAM_1: site.upstreams[0],
    UPSTREAM_2: site.upstreams[1],
    TLS_CERT: site.cert,
    TLS_KEY: site.key,
    TEMP_DIR: temp,
    LOG_DIR: logs,
  };
  writeFileSync(conf, renderTemplate(readFileSync(NGINX_CONF, "utf8"), values));
  const errorLog = join(logs, "error.log");
  return Bun.spawn(
    [
      binary,
      "-p",
      prefix,
      "-c",
      conf,
      "-e",
      errorLog,
      "-g",
      `daemon off; pid ${join(prefix, "nginx.pid")}; error_log ${errorLog};`,
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
}

/** Caddy reads deploy/Caddyfile itself; its `{$NAME}` values come from the environment. */
function spawnCaddy(binary: string, prefix: string, site: Site): Subprocess {
  return Bun.spawn([binary, "run", "--adapter", "caddyfile", "--config", CADDYFILE], {
    env: {
      ...process.env,
      // Its state (autosave, locks) stays in the prefix; no admin port to collide on.
      HOME: prefix,
      XDG_DATA_HOME: join(prefix, "data"),
      XDG_CONFIG_HOME: join(prefix, "config"),
      CADDY_ADMIN: "off",
      SITE_ADDRESS: `https://127.0.0.1:${site.httpsPort}`,
      HTTP_PORT: String(site.httpPort),
      HTTPS_PORT: String(site.httpsPort),
      UPSTREAM_1: site.upstreams[0],
      UPSTREAM_2: site.upstreams[1],
      TLS_CERT: site.cert,
      TLS_KEY: site.key,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
}
