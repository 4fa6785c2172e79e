import { expect, test } from "bun:test";
import { AdmissionGate, BUSY, hashCapacity } from "./admission.ts";

test("the gate admits up to its capacity and refuses the rest at once; a finished task frees a place", async () => {
  const gate = new AdmissionGate(2, 3);
  let release = () => {};
  const held = new Promise<string>((resolve) => {
    release = () => resolve("done");
  });
  const first = gate.run(() => held);
  const second = gate.run(() => held);
  expect(gate.inFlight).toBe(2);
  expect(await gate.run(async () => "third")).toBe(BUSY);
  release();
  expect(await Promise.all([first, second])).toEqual(["done", "done"]);
  expect(gate.inFlight).toBe(0);
  expect(await gate.run(async () => "fourth")).toBe("fourth");
});

test("a failed task frees its place too", async () => {
  const gate = new AdmissionGate(1, 3);
  await expect(gate.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  expect(await gate.run(async () => "next")).toBe("next");
});

test("capacity: what the pool serves in the window, never less than the pool", () => {
  expect(hashCapacity(100, 3, 2)).toBe(60);
  expect(hashCapacity(10_000, 3, 4)).toBe(4);
  expect(hashCapacity(0, 3, 1)).toBe(3000);
});
