import { describe, expect, test } from "bun:test";
import { clientAddress } from "./client-address.ts";

describe("clientAddress", () => {
  test("without trusted proxies it is the peer, whatever the headers say", () => {
    expect(clientAddress("10.0.0.9", "1.2.3.4", 0)).toBe("10.0.0.9");
    expect(clientAddress(undefined, null, 0)).toBe("local");
  });

  test("behind one proxy it is the entry that proxy appended, not what the client sent", () => {
    expect(clientAddress("10.0.0.9", "6.6.6.6, 203.0.113.7", 1)).toBe("203.0.113.7");
    expect(clientAddress("10.0.0.9", "203.0.113.7", 1)).toBe("203.0.113.7");
  });

  test("behind two proxies it skips the nearest one's own entry", () => {
    expect(clientAddress("10.0.0.9", "6.6.6.6, 203.0.113.7, 10.0.0.2", 2)).toBe("203.0.113.7");
  });

  test("a chain shorter than the hops, or none, falls back to the peer", () => {
    expect(clientAddress("10.0.0.9", "203.0.113.7", 2)).toBe("10.0.0.9");
    expect(clientAddress("10.0.0.9", null, 1)).toBe("10.0.0.9");
    expect(clientAddress("10.0.0.9", " , ", 1)).toBe("10.0.0.9");
  });
});
