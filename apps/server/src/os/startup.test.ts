import { describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { PrimaryStartup, soloStartup } from "./startup.ts";

/** A stand-in worker: it records what the primary tells it. */
function fakeWorker() {
  const heard: string[] = [];
  const worker = { send: (message: string) => heard.push(message) } as unknown as Subprocess;
  return { worker, heard };
}

const settled = async (promise: Promise<void>) => {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  // Let the primary's own awaits run: it is woken by reports, not by time.
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return done;
};

describe("the start of an instance's processes", () => {
  test("one process alone may listen at once and is ready once it does", async () => {
    const startup = soloStartup();
    expect(await settled(startup.mayListen())).toBe(true);
    expect(startup.ready).toBe(false);
    startup.listening();
    expect(startup.ready).toBe(true);
  });

  test("no one listens until every worker is prepared; the primary listens last", async () => {
    const a = fakeWorker();
    const b = fakeWorker();
    const startup = new PrimaryStartup(() => [a.worker, b.worker], 60_000);
    const turn = startup.mayListen();
    startup.received(a.worker, "prepared");
    expect(await settled(turn)).toBe(false);
    expect(a.heard).toEqual([]);
    startup.received(b.worker, "prepared");
    await settled(turn);
    expect(a.heard).toEqual(["listen"]);
    expect(b.heard).toEqual(["listen"]);
    startup.received(a.worker, "listening");
    expect(await settled(turn)).toBe(false);
    startup.received(b.worker, "listening");
    expect(await settled(turn)).toBe(true);
    expect(startup.ready).toBe(false);
    startup.listening();
    expect(startup.ready).toBe(true);
    expect(a.heard).toEqual(["listen", "ready"]);
    expect(b.heard).toEqual(["listen", "ready"]);
  });

  test("a worker that does not come up is waited for only until the timeout", async () => {
    const up = fakeWorker();
    const late = fakeWorker();
    const startup = new PrimaryStartup(() => [up.worker, late.worker], 20);
    const turn = startup.mayListen();
    startup.received(up.worker, "prepared");
    startup.received(up.worker, "listening");
    await turn;
    startup.listening();
    expect(up.heard).toEqual(["listen", "ready"]);
    // The late one (or a worker started again after a crash) is let in at once.
    startup.received(late.worker, "prepared");
    expect(late.heard).toEqual(["listen"]);
    startup.received(late.worker, "listening");
    expect(late.heard).toEqual(["listen", "ready"]);
  });

  test("a worker that ends while the others start is not waited for", async () => {
    const a = fakeWorker();
    const gone = fakeWorker();
    let workers = [a.worker, gone.worker];
    const startup = new PrimaryStartup(() => workers, 60_000);
    const turn = startup.mayListen();
    startup.received(a.worker, "prepared");
    workers = [a.worker];
    startup.ended(gone.worker);
    await settled(turn);
    expect(a.heard).toEqual(["listen"]);
    startup.received(a.worker, "listening");
    expect(await settled(turn)).toBe(true);
  });
});
