import { describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { Counter, Registry } from "prom-client";
import { PrimaryMetrics } from "./instance-metrics.ts";

/** A process's registry holding one counter at `value`. */
async function share(value: number) {
  const registry = new Registry();
  new Counter({ name: "frames_total", help: "frames", registers: [registry] }).inc(value);
  return { registry, snapshot: await registry.getMetricsAsJSON() };
}

/** A stand-in worker: it records what the primary asks of it. */
function fakeWorker() {
  const asked: { kind: string; id: number }[] = [];
  const worker = {
    send: (message: { kind: string; id: number }) => asked.push(message),
  } as unknown as Subprocess;
  return { worker, asked };
}

/** Waits for the primary's async steps, by what they leave behind rather than by time. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await Bun.sleep(1);
}

const framesIn = (text: string) =>
  Number(
    text
      .split("\n")
      .find((line) => line.startsWith("frames_total "))
      ?.split(" ")[1],
  );

describe("a scrape of an instance of several processes", () => {
  test("answers the sum of every process's share", async () => {
    const a = fakeWorker();
    const b = fakeWorker();
    const primary = new PrimaryMetrics(() => [a.worker, b.worker], 60_000);
    primary.serve((await share(1)).registry);
    const text = primary.text();
    await Promise.resolve();
    const [askA, askB] = [a.asked[0], b.asked[0]];
    expect(askA?.kind).toBe("collect");
    expect(askB?.kind).toBe("collect");
    primary.received(a.worker, {
      kind: "collected",
      id: askA?.id,
      metrics: (await share(2)).snapshot,
    });
    primary.received(b.worker, {
      kind: "collected",
      id: askB?.id,
      metrics: (await share(4)).snapshot,
    });
    expect(framesIn(await text)).toBe(7);
  });

  test("a worker that does not answer is left out once the scrape times out", async () => {
    const up = fakeWorker();
    const stuck = fakeWorker();
    const primary = new PrimaryMetrics(() => [up.worker, stuck.worker], 20);
    primary.serve((await share(1)).registry);
    const text = primary.text();
    await Promise.resolve();
    const id = up.asked[0]?.id;
    primary.received(up.worker, { kind: "collected", id, metrics: (await share(2)).snapshot });
    // A late or repeated answer after the scrape is over changes nothing.
    expect(framesIn(await text)).toBe(3);
    primary.received(up.worker, { kind: "collected", id, metrics: (await share(50)).snapshot });
  });

  test("a worker's scrape is gathered by the primary and answered back to it", async () => {
    const asking = fakeWorker();
    const primary = new PrimaryMetrics(() => [asking.worker], 60_000);
    primary.serve((await share(1)).registry);
    expect(primary.received(asking.worker, { kind: "gather", id: 7 })).toBe(true);
    await until(() => asking.asked.length > 0);
    const collect = asking.asked.find((message) => message.kind === "collect");
    primary.received(asking.worker, {
      kind: "collected",
      id: collect?.id,
      metrics: (await share(5)).snapshot,
    });
    await until(() => asking.asked.some((message) => message.kind === "gathered"));
    const answer = asking.asked.find((message) => message.kind === "gathered") as
      | { kind: string; id: number; text: string }
      | undefined;
    expect(answer?.id).toBe(7);
    expect(framesIn(answer?.text ?? "")).toBe(6);
    // Startup's messages are not the metrics' business.
    expect(primary.received(asking.worker, "prepared")).toBe(false);
  });
});
