import { describe, expect, test } from "bun:test";
import { PendingAction } from "./pending-action.svelte.ts";

describe("PendingAction", () => {
  test("busy while the action runs; true and no error when it succeeds", async () => {
    const action = new PendingAction();
    let finish!: () => void;
    const running = action.run(() => new Promise<void>((resolve) => (finish = resolve)));
    expect(action.busy).toBe(true);
    finish();
    expect(await running).toBe(true);
    expect(action.busy).toBe(false);
    expect(action.error).toBeNull();
  });

  test("a failure is kept for the user (as a sentence), and cleared when it runs again", async () => {
    const action = new PendingAction();
    expect(await action.run(() => Promise.reject(new Error("the handle is taken")))).toBe(false);
    expect(action.error).toBe("The handle is taken.");
    expect(action.busy).toBe(false);
    let seen: string | null = "not yet";
    await action.run(async () => {
      seen = action.error;
    });
    expect(seen).toBeNull();
    expect(action.error).toBeNull();
  });
});
