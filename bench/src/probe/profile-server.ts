// Dev probe: runs our server under `bun --cpu-prof-md` while `n` subscribers receive lone
// messages, then stops it so the profile is written. `bun src/probe/profile-server.ts [n] [messages]`
import { Fleet } from "../load/fleet.ts";
import { createSpaces, fillSpace, startStack } from "../stack.ts";
import { runSchedule } from "../writer.ts";
import { startProfiledServer } from "./profiled-server.ts";

const n = Number(process.argv[2] ?? 5000);
const messages = Number(process.argv[3] ?? 15);
const dir = process.env.PROF_DIR ?? "/tmp/rhizome-prof";
const stack = await startStack();
const [space] = await createSpaces(stack, 1, "profile");
await fillSpace(stack, space as string, 500);
const { url, port, server } = await startProfiledServer(stack.databaseUrl, dir);
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
