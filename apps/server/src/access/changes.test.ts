import { describe, expect, test } from "bun:test";
import { parseAccessChange } from "./changes.ts";
import { mayRead, readKey } from "./rule.ts";

const SPACE = "5f0c8a52-2b8e-4a43-9d57-3c7a4a0e9f11";
const BEING = "0b6f1d2e-8c3a-4f5b-a1d2-e3f4a5b6c7d8";

describe("access-change payloads", () => {
  test("a member removal names canonical ids, whatever case it was sent in", () => {
    const payload = JSON.stringify({
      kind: "member-removed",
      spaceId: SPACE.toUpperCase(),
      beingId: BEING.toUpperCase(),
    });
    expect(parseAccessChange(payload)).toEqual({
      kind: "member-removed",
      spaceId: SPACE,
      beingId: BEING,
    });
  });

  test("a session revocation passes as it is", () => {
    const change = { kind: "session-revoked", sessionKey: "ab12" } as const;
    expect(parseAccessChange(JSON.stringify(change))).toEqual(change);
  });

  test.each([
    ["not JSON", "{"],
    ["an unknown kind", JSON.stringify({ kind: "space-deleted", spaceId: SPACE })],
    ["a bad id", JSON.stringify({ kind: "member-removed", spaceId: "x", beingId: BEING })],
    ["a missing field", JSON.stringify({ kind: "member-removed", spaceId: SPACE })],
    ["an empty session key", JSON.stringify({ kind: "session-revoked", sessionKey: "" })],
    ["not an object", "42"],
  ])("%s is refused with a reason, never trusted", (_, payload) => {
    const parsed = parseAccessChange(payload);
    expect(parsed).toHaveProperty("invalid");
    expect((parsed as { invalid: string }).invalid.length).toBeGreaterThan(0);
  });
});

describe("the read rule and its key", () => {
  test("public spaces to anyone, private ones to members only", () => {
    expect(mayRead("public", null)).toBe(true);
    expect(mayRead("private", null)).toBe(false);
    expect(mayRead("private", "member")).toBe(true);
    expect(mayRead("private", "owner")).toBe(true);
  });

  test("every spelling of a pair is one key", () => {
    expect(readKey(SPACE.toUpperCase(), BEING)).toBe(readKey(SPACE, BEING.toUpperCase()));
    expect(readKey(SPACE, BEING)).not.toBe(readKey(BEING, SPACE));
  });
});
