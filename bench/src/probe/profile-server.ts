// Dev probe: runs our server under `bun --cpu-prof-md` while `n` subscribers receive lone
// messages, then stops it so the profile is written. `bun src/probe/profile-server.ts [n] [messages]`
import { fileURLToPath } from "node:url";
import { freePort } from "@rhizome/testkit";
import { Fleet } from "../load/fleet.ts";
import { createSpaces, fillSpace, SERVER_ENV, startStack } from "../stack.ts";
import { runSchedule } from "../writer.ts";

const MAIN = fileURLToPath(new URL("../../../apps/server/src/main.ts", import.meta.url));
const n = Number(process.argv[2] ?? 5000);
const messages = Number(process.argv[3] ?? 15);
const dir = process.env.PROF_DIR ?? "/tmp/rhizome-prof";
const stack = await startStack();
const [space] = await createSpaces(stack, 1, "profile");
await fillSpace(stack, space as string, 500);
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
const fleet = await Fleet.start(2);
await fleet.open({
  kind: "ours",
  host: "127.0.0.1",
  port,
  token: stack.being.token,
  spaces: Array(n).fill(space),
  maxPending: 256,
});
console.log("live", (await fleet.waitLive(60_000)).live);
const target = { kind: "ours" as const, url, token: stack.being.token, authorId: stack.being.id };
await runSchedule(target, space as string, "p", 1, {
  kind: "lone",
  count: messages,
  spacingMs: 1100,
});
console.log("delivered", (await fleet.waitPhase("p", messages, 30_000)).deliveries);
server.kill("SIGTERM");
await server.exited;
await fleet.stop();
await stack.destroy();
console.log(`profile in ${dir}`);
