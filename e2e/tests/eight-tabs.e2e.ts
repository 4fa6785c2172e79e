import type { BrowserContext, Page } from "@playwright/test";
import { ROUTES } from "@rhizome/protocol";
import {
  ChatPage,
  createBeing,
  createSpace,
  databaseState,
  expect,
  openAs,
  post,
  test,
} from "../support/fixtures.ts";
import { openStreams } from "../support/metrics.ts";

const TABS = 8;

/** The stream requests each page made itself (a SharedWorker's are nobody's page's). */
const streamsOf = new Map<Page, number>();
function watchStreams(page: Page): void {
  streamsOf.set(page, 0);
  page.on("request", (request) => {
    if (request.method() === "POST" && new URL(request.url()).pathname === ROUTES.stream)
      streamsOf.set(page, (streamsOf.get(page) ?? 0) + 1);
  });
}
const holders = (chats: ChatPage[]) => chats.filter((chat) => (streamsOf.get(chat.page) ?? 0) > 0);

/** Opens `TABS` tabs of the app on one space in one browser context, each live. */
async function openTabs(context: BrowserContext, first: Page, spaceId: string) {
  const chats = [new ChatPage(first)];
  for (let i = 1; i < TABS; i++) chats.push(new ChatPage(await context.newPage()));
  for (const chat of chats) watchStreams(chat.page);
  // One after another, so that the first tab is the one elected where tabs elect a holder.
  for (const chat of chats) await chat.open(spaceId);
  for (const chat of chats) await chat.expectState("live");
  return chats;
}

for (const mode of ["SharedWorker", "Web Locks"] as const) {
  test(`eight tabs over HTTP/1.1 share one stream (${mode}): all live, all can post, all see every post`, async ({
    browser,
    stack,
  }) => {
    const alice = await createBeing(stack, "Alice", "#3b5bdb");
    const bob = await createBeing(stack, "Bob", "#2f9e44");
    const spaceId = await createSpace(alice, { members: [bob] });
    const first = await openAs(browser, stack, alice);
    const context = first.context();
    if (mode === "Web Locks")
      await context.addInitScript(() => {
        Reflect.deleteProperty(globalThis, "SharedWorker");
      });
    const chats = await openTabs(context, first, spaceId);
    // Six connections per origin on HTTP/1.1, yet eight tabs are live over one stream.
    await expect.poll(() => openStreams(stack)).toBe(1);

    // The last tab posts; every tab shows it, sent, once.
    await chats[TABS - 1]?.send("hello from the eighth tab");
    for (const chat of chats) {
      await expect(chat.byContent("hello from the eighth tab")).toHaveAttribute(
        "data-status",
        "sent",
      );
    }
    for (const chat of chats) await chat.expectExactly(await databaseState(alice, spaceId));

    // The holder goes: the one tab that opened the stream, or with a SharedWorker any tab.
    const holder = mode === "Web Locks" ? holders(chats) : [];
    expect(holder.length).toBe(mode === "Web Locks" ? 1 : 0);
    const leaving = holder[0] ?? (chats[0] as ChatPage);
    await leaving.page.close();
    const rest = chats.filter((chat) => chat !== leaving);
    // Another tab takes over: it opens the stream, resuming from its cursors.
    if (mode === "Web Locks") await expect.poll(() => holders(rest).length).toBe(1);
    const meanwhile = [];
    for (let i = 1; i <= 3; i++)
      meanwhile.push(await post(bob, spaceId, `while handing over ${i}`));
    const poster = rest[2] as ChatPage;
    await poster.send("from a remaining tab");
    // Stored (acknowledged), so that the database below holds it.
    await expect(poster.byContent("from a remaining tab")).toHaveAttribute("data-status", "sent");
    const db = await databaseState(alice, spaceId);
    expect(db.map((item) => item.content)).toEqual([
      "hello from the eighth tab",
      ...meanwhile.map((item) => item.content),
      "from a remaining tab",
    ]);
    for (const chat of rest) {
      await chat.expectState("live");
      await chat.expectExactly(db);
    }
    await expect.poll(() => openStreams(stack)).toBe(1);
    await context.close();
  });
}
