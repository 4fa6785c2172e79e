import { expect, test } from "bun:test";
import { followedSpaces, LIST_PAGE, VIEW_PAGE } from "./followed.ts";

test("the stream follows members and the spaces on screen (with a chat page), not the refused", () => {
  expect(followedSpaces(["a", "b", "c"], ["c", "d", "e"], new Set(["b", "e"]))).toEqual([
    { spaceId: "a", page: LIST_PAGE },
    { spaceId: "c", page: VIEW_PAGE },
    { spaceId: "d", page: VIEW_PAGE },
  ]);
});
