import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.ts";

const BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";

/**
 * A throw-away Postgres cluster of its own (initdb in a temp dir, own port), so that a
 * test may restart or kill it. Postgres refuses to run as root: then it runs as `nobody`.
 */
export class PostgresCluster {
  readonly #dir: string;
  readonly #data: string;
  readonly port: number;

  private constructor(dir: string, port: number) {
    this.#dir = dir;
    this.#data = join(dir, "data");
    this.port = port;
  }

  /** The superuser URL of database `name`. */
  url(name = "postgres"): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${name}`;
  }

  static async start(options: { port?: number } = {}): Promise<PostgresCluster> {
    const dir = mkdtempSync(join(tmpdir(), "rz-pg-"));
    const cluster = new PostgresCluster(dir, options.port ?? freePort());
    if (process.getuid?.() === 0) {
      const nobody = Number(Bun.spawnSync(["id", "-u", "nobody"]).stdout.toString().trim());
      chownSync(dir, nobody, nobody);
    }
    await cluster.#run([
      `${BIN}/initdb`,
      "-D",
      cluster.#data,
      "-U",
      "postgres",
      "--auth=trust",
      "-E",
      "UTF8",
      "--no-sync",
    ]);
    await cluster.startServer();
    return cluster;
  }

  async startServer(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      `-k ${this.#dir}`,
      "-c listen_addresses=127.0.0.1",
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c max_connections=300",
    ].join(" ");
    await this.#run([
      `${BIN}/pg_ctl`,
      "-D",
      this.#data,
      "-l",
      join(this.#dir, "log"),
      "-o",
      options,
      "-w",
      "-t",
      "60",
      "start",
    ]);
  }

  /** `pg_ctl stop` in the given mode; connections drop. */
  async stopServer(mode: "fast" | "immediate" = "fast"): Promise<void> {
    await this.#run([`${BIN}/pg_ctl`, "-D", this.#data, "-m", mode, "-w", "-t", "60", "stop"]);
  }

  async restart(mode: "fast" | "immediate" = "fast"): Promise<void> {
    await this.stopServer(mode);
    await this.startServer();
  }

  async destroy(): Promise<void> {
    try {
      await this.stopServer("immediate");
    } catch {
      // Already stopped.
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }

  /** Runs a Postgres tool (as `nobody` when we are root) without blocking the event loop. */
  async #run(command: string[]): Promise<void> {
    const asRoot = process.getuid?.() === 0;
    const full = asRoot ? ["runuser", "-u", "nobody", "--", ...command] : command;
    const child = Bun.spawn(full, { cwd: this.#dir, stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, exitCode] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    if (exitCode !== 0) {
      throw new Error(`${command.slice(0, 2).join(" ")} failed (${exitCode}): ${stderr}${stdout}`);
    }
  }
}
