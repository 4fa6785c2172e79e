import { describe, expect, test } from "bun:test";
import { type CloseReason, Subscriber } from "./subscriber.ts";

const INFO = { spaceIds: ["s"], beingId: "b", sessionKey: "k", address: "127.0.0.1" };

describe("Subscriber", () => {
  test("a reader that never reads is cut off once more than the limit is queued", () => {
    const subscriber = new Subscriber(INFO, 1000);
    const reasons: CloseReason[] = [];
    subscriber.onClose((reason) => reasons.push(reason));
    const frame = new Uint8Array(300);
    const results = Array.from({ length: 6 }, () => subscriber.send(frame, "c"));
    // 900 bytes wait after three frames; with 1200 waiting, the fifth one is refused.
    expect(results).toEqual(["sent", "sent", "sent", "sent", "overflow", "closed"]);
    expect(subscriber.closed).toBe(true);
    expect(reasons).toEqual(["slow-consumer"]);
  });

  test("one frame larger than the limit does not cut off a reader with nothing waiting", () => {
    const subscriber = new Subscriber(INFO, 1000);
    expect(subscriber.send(new Uint8Array(5000), "big reset")).toBe("sent");
    expect(subscriber.closed).toBe(false);
  });

  test("a reader that keeps up is never cut off", async () => {
    const subscriber = new Subscriber(INFO, 1000);
    const reader = subscriber.stream.getReader();
    let received = 0;
    for (let n = 0; n < 50; n++) {
      expect(subscriber.send(new Uint8Array(300), `c${n}`)).toBe("sent");
      received += (await reader.read()).value?.byteLength ?? 0;
    }
    expect(received).toBe(15_000);
    expect(subscriber.cursor).toBe("c49");
  });

  test("closing ends the stream after what is queued; the close is reported once", async () => {
    const subscriber = new Subscriber(INFO, 1000);
    const reasons: CloseReason[] = [];
    subscriber.onClose((reason) => reasons.push(reason));
    subscriber.send(new Uint8Array([1, 2, 3]), "c");
    subscriber.close("shutdown");
    subscriber.close("shutdown");
    const chunks = [];
    for await (const chunk of subscriber.stream) chunks.push(chunk);
    expect(chunks).toEqual([new Uint8Array([1, 2, 3])]);
    expect(reasons).toEqual(["shutdown"]);
  });
});
