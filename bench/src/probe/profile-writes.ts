// Dev probe: runs our server under `bun --cpu-prof-md` while 64 writers post over 100 spaces
// for a few seconds, then stops it so the profile is written. `bun src/probe/profile-writes.ts`

import { measureWrites } from "../scenarios/writes.ts";
import { createSpaces, startStack } from "../stack.ts";
import { startProfiledServer } from "./profiled-server.ts";

const dir = process.env.PROF_DIR ?? "/tmp/rhizome-prof";
const seconds = Number(process.argv[2] ?? 4);
const stack = await startStack();
const spaces = await createSpaces(stack, 100, "profile");
const { url, server } = await startProfiledServer(stack.databaseUrl, dir);
const target = { kind: "ours" as const, url, token: stack.being.token, authorId: stack.being.id };
const figures = await measureWrites(target, () => 0, spaces, { concurrency: 64, seconds });
console.log(`${figures.perSecond}/s accepted, ${figures.failed} failed`);
server.kill("SIGTERM");
await server.exited;
await stack.destroy();
console.log(`profile in ${dir}`);
