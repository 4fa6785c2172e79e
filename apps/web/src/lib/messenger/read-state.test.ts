import { describe, expect, test } from "bun:test";
import { AUTHORS, intention, stamp } from "@rhizome/protocol/testing";
import {
  badgeText,
  firstUnread,
  fromListing,
  markedRead,
  mergeListing,
  observeWindow,
  UNKNOWN_READ,
  unreadCount,
} from "./read-state.ts";

const [ME, BOB] = AUTHORS;
const by = (n: number, authorId: string) => intention(n, { authorId });

describe("unread counting", () => {
  test("nothing known: every intention by others in the window", () => {
    const window = [by(1, BOB), by(2, ME), by(3, BOB)];
    expect(unreadCount(UNKNOWN_READ, window, ME)).toBe(2);
  });

  test("the server's count covers what the window does not hold, without counting twice", () => {
    const listed = fromListing({ readAt: stamp(1), unread: 5, lastIntention: by(6, BOB) });
    const window = [by(5, BOB), by(6, BOB), by(7, BOB), by(8, ME)];
    const seen = observeWindow(listed, window, 0, ME);
    expect(seen.seen.size).toBe(2);
    // Three counted outside the window, #5 and #6 in it, #7 new: six.
    expect(unreadCount(seen, window, ME)).toBe(6);
    // #6 deleted: it leaves the window and the count.
    expect(
      unreadCount(
        observeWindow(seen, [by(5, BOB), by(7, BOB)], 0, ME),
        [by(5, BOB), by(7, BOB)],
        ME,
      ),
    ).toBe(5);
  });

  test("a new epoch (a reset) starts the seen set over", () => {
    const listed = fromListing({ readAt: stamp(1), unread: 2, lastIntention: by(3, BOB) });
    const first = observeWindow(listed, [by(2, BOB), by(3, BOB)], 0, ME);
    const reset = observeWindow(first, [by(3, BOB)], 1, ME);
    expect(unreadCount(reset, [by(3, BOB)], ME)).toBe(2);
  });

  test("a read here wins over an older listing; a further one from elsewhere replaces it", () => {
    const read = markedRead(UNKNOWN_READ, stamp(5));
    expect(unreadCount(read, [by(4, BOB), by(6, BOB)], ME)).toBe(1);
    expect(mergeListing(read, { readAt: stamp(2), unread: 4 })).toBe(read);
    expect(mergeListing(read, { readAt: null, unread: 4 })).toBe(read);
    expect(mergeListing(read, { readAt: stamp(7), unread: 0 }).readAt).toBe(stamp(7));
    expect(markedRead(read, stamp(3))).toBe(read);
  });

  test("the divider goes above the first intention by another after the marker", () => {
    const items = [by(1, BOB), by(2, ME), by(3, BOB)];
    expect(firstUnread(stamp(1), items, ME)).toBe(by(3, BOB).id);
    expect(firstUnread(null, items, ME)).toBe(by(1, BOB).id);
    expect(firstUnread(stamp(3), items, ME)).toBeUndefined();
  });

  test("badges cap their text at 99+", () => {
    expect(badgeText(7)).toBe("7");
    expect(badgeText(99)).toBe("99");
    expect(badgeText(100)).toBe("99+");
  });
});
