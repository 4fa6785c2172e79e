import { expect, test } from "bun:test";
import { warmWritePath } from "./writer.ts";

test("the write-path warm-up posts in concurrent rounds, over several client connections, as every writer", async () => {
  const ports = new Set<number>();
  const authors = new Set<string>();
  let inFlight = 0;
  let mostInFlight = 0;
  let posts = 0;
  const server = Bun.serve({
    port: 0,
    async fetch(request, self) {
      ports.add(self.requestIP(request)?.port ?? 0);
      posts++;
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      const body = (await request.json()) as { authorId: string };
      authors.add(body.authorId);
      // Held until its whole round has arrived: serial posts would never be answered.
      while (posts % 4 !== 0) await Bun.sleep(1);
      inFlight--;
      return new Response(null, { status: 201 });
    },
  });
  try {
    const writer = (authorId: string) => ({
      kind: "sio" as const,
      url: `http://127.0.0.1:${server.port}`,
      token: "",
      authorId,
    });
    await warmWritePath([writer("a"), writer("b")], "space", { rounds: 3, concurrency: 4 });
    expect(posts).toBe(12);
    expect(mostInFlight).toBe(4);
    expect(ports.size).toBeGreaterThanOrEqual(4);
    expect([...authors].sort()).toEqual(["a", "b"]);
  } finally {
    server.stop(true);
  }
});
