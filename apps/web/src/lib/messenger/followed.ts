import type { FollowedSpace } from "@rhizome/client";
import { DEFAULTS } from "@rhizome/protocol";

/** First-frame page sizes: a space on screen gets a chat page, the others their latest. */
export const VIEW_PAGE = DEFAULTS.pageSize;
export const LIST_PAGE = 1;

/** What the one stream follows: the member spaces and the ones on screen, minus the refused. */
export function followedSpaces(
  memberIds: Iterable<string>,
  viewedIds: Iterable<string>,
  lost: ReadonlySet<string>,
): FollowedSpace[] {
  const viewed = new Set(viewedIds);
  return [...new Set([...memberIds, ...viewed])]
    .filter((spaceId) => !lost.has(spaceId))
    .map((spaceId) => ({ spaceId, page: viewed.has(spaceId) ? VIEW_PAGE : LIST_PAGE }));
}
