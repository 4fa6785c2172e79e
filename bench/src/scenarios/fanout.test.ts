import { expect, test } from "bun:test";
import { type Histogram, percentiles, record } from "../hist.ts";
import { medianMessage } from "./fanout.ts";

const latencies = (ms: number[]): Histogram => {
  const hist: Histogram = {};
  for (const value of ms) record(hist, value);
  return hist;
};

test("the median message is the typical one, where the pooled p99 follows the worst", () => {
  const fast = Array.from({ length: 100 }, (_, i) => 10 + i / 10);
  const slow = Array.from({ length: 100 }, (_, i) => 80 + i / 10);
  const messages = [latencies(fast), latencies(fast), latencies(fast), latencies(slow)];
  const typical = medianMessage(messages);
  expect(typical.p99).toBeGreaterThan(19);
  expect(typical.p99).toBeLessThan(21);
  expect(typical.p50).toBeGreaterThan(14);
  expect(typical.p50).toBeLessThan(16);
  // The same deliveries pooled: one slow message of four sets the p99.
  const pooled = latencies([...fast, ...fast, ...fast, ...slow]);
  expect(percentiles(pooled).p99).toBeGreaterThan(85);
  expect(medianMessage([])).toEqual({ p50: 0, p99: 0 });
});
