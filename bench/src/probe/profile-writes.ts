// Dev probe: runs our server under `bun --cpu-prof-md` while 64 writers post over 100 spaces
// for a few seconds, then stops it so the profile is written. `bun src/probe/profile-writes.ts`
import { fileURLToPath } from "node:url";
import { freePort } from "@rhizome/testkit";
import { measureWrites } from "../scenarios/writes.ts";
import { createSpaces, SERVER_ENV, startStack } from "../stack.ts";

const MAIN = fileURLToPath(new URL("../../../apps/server/src/main.ts", import.meta.url));
const dir = process.env.PROF_DIR ?? "/tmp/rhizome-prof";
const seconds = Number(process.argv[2] ?? 4);
const stack = await startStack();
const spaces = await createSpaces(stack, 100, "profile");
const port = freePort();
const server = Bun.spawn(["bun", "--cpu-prof-md", `--cpu-prof-dir=${dir}`, MAIN], {
  env: { ...process.env, ...SERVER_ENV, DATABASE_URL: stack.databaseUrl, PORT: String(port) },
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
const target = { kind: "ours" as const, url, token: stack.being.token, authorId: stack.being.id };
const figures = await measureWrites(target, () => 0, spaces, { concurrency: 64, seconds });
console.log(`${figures.perSecond}/s accepted, ${figures.failed} failed`);
server.kill("SIGTERM");
await server.exited;
await stack.destroy();
console.log(`profile in ${dir}`);
