import { fileURLToPath } from "node:url";
import { freePort } from "@rhizome/testkit";
import type { Subprocess } from "bun";
import { SERVER_ENV } from "../stack.ts";

const MAIN = fileURLToPath(new URL("../../../apps/server/src/main.ts", import.meta.url));

/** Our server under `bun --cpu-prof-md`, answering health; SIGTERM it to write the profile. */
export async function startProfiledServer(
  databaseUrl: string,
  dir: string,
): Promise<{ url: string; port: number; server: Subprocess }> {
  const port = freePort();
  const server = Bun.spawn(["bun", "--cpu-prof-md", `--cpu-prof-dir=${dir}`, MAIN], {
    env: { ...process.env, ...SERVER_ENV, DATABASE_URL: databaseUrl, PORT: String(port) },
    stdout: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  while (
    !(await fetch(`${url}/api/health`).then(
      (r) => r.ok,
      () => false,
    ))
  )
    await Bun.sleep(50);
  return { url, port, server };
}
