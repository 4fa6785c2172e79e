import { describe, expect, test } from "bun:test";
import { intention, stamp } from "@rhizome/protocol/testing";
import { listed } from "../testing/messenger-fakes.ts";
import {
  buildEntries,
  compareEntries,
  latestIntention,
  previewIntention,
  previewText,
  type SidebarEntry,
} from "./sidebar.ts";
import { titleWithUnread } from "./title.ts";

const entry = (name: string, role: "owner" | "member", activeAt: number): SidebarEntry => ({
  space: listed(`00000000-0000-4000-8000-0000000000${name.charCodeAt(0)}`, { name, role }),
  unread: 0,
  latest: null,
  activeAt: stamp(activeAt),
});

describe("the sidebar", () => {
  test("own spaces first, then the latest activity first, then by name", () => {
    const entries = [
      entry("a", "member", 5),
      entry("b", "owner", 1),
      entry("c", "member", 9),
      entry("d", "owner", 3),
      entry("e", "member", 9),
    ];
    expect(entries.sort(compareEntries).map((one) => one.space.name)).toEqual([
      "d",
      "b",
      "c",
      "e",
      "a",
    ]);
  });

  test("a space where the being wrote a message not yet synced moves up with it", () => {
    const quiet = listed("00000000-0000-4000-8000-000000000001", { name: "quiet", role: "member" });
    const busy = {
      ...listed("00000000-0000-4000-8000-000000000002", { name: "busy", role: "member" }),
      lastIntention: intention(5),
    };
    const order = (writes?: Map<string, string>) =>
      buildEntries([quiet, busy], new Map(), new Map(), "me", writes).map((e) => e.space.name);
    expect(order()).toEqual(["busy", "quiet"]);
    expect(order(new Map([[quiet.id, stamp(9)]]))).toEqual(["quiet", "busy"]);
    // An older own message (stored, its delta on the way) does not move it back.
    const entries = buildEntries(
      [busy],
      new Map(),
      new Map(),
      "me",
      new Map([[busy.id, stamp(1)]]),
    );
    expect(entries[0]?.activeAt).toBe(intention(5).createdAt);
  });

  test("the latest intention: the window's once synced, the listing's when newer or alone", () => {
    const listedLast = intention(5);
    expect(latestIntention(listedLast, [], new Set())).toBe(listedLast);
    expect(latestIntention(listedLast, [intention(4)], new Set())).toBe(listedLast);
    const edited = { ...intention(5), content: "edited" };
    expect(latestIntention(listedLast, [edited], new Set())).toBe(edited);
    expect(latestIntention(listedLast, [intention(3)], new Set([listedLast.id]))?.id).toBe(
      intention(3).id,
    );
    expect(latestIntention(null, [], new Set())).toBeNull();
  });

  test("a preview shows the being's own unsent message over the latest synced one", () => {
    const synced = intention(3);
    const pending = { ...intention(9), content: "offline", status: "pending" as const };
    expect(previewIntention(synced, [])).toEqual({ ...synced, status: "sent" });
    expect(previewIntention(synced, [pending])).toBe(pending);
    expect(previewIntention(null, [pending])).toBe(pending);
    expect(previewIntention(null, [])).toBeNull();
  });

  test("a preview is one line, cut with an ellipsis", () => {
    expect(previewText("hello\n  world")).toBe("hello world");
    expect(previewText("x".repeat(10), 5)).toBe("xxxx…");
  });

  test("the tab title leads with the total unread", () => {
    expect(titleWithUnread("Rhizome", 3)).toBe("(3) Rhizome");
    expect(titleWithUnread("General · Rhizome", 3)).toBe("(3) Rhizome");
    expect(titleWithUnread("General · Rhizome", 0)).toBe("General · Rhizome");
  });
});
