import {
  ChatPage,
  createBeing,
  createSpace,
  databaseState,
  expect,
  openAs,
  Stack,
  test,
} from "../support/fixtures.ts";

/**
 * A batch window far longer than the waits below, for every space (SYNC_BATCH_AUDIENCE=1):
 * after the first change of a quiet space, deltas wait out the window, so only the server's
 * 201 can turn a message `sent` within the wait.
 */
const BATCH_MS = 40_000;
const SENT_WITHIN_MS = 15_000;

test("each sender's message is sent as soon as the server acknowledges it, not when its batch arrives", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const stack = await Stack.start({ SYNC_BATCH_MS: String(BATCH_MS), SYNC_BATCH_AUDIENCE: "1" });
  try {
    const alice = await createBeing(stack, "Alice", "#3b5bdb");
    const bob = await createBeing(stack, "Bob", "#2f9e44");
    const spaceId = await createSpace(alice, { members: [bob] });
    const chats = {
      alice: new ChatPage(await openAs(browser, stack, alice)),
      bob: new ChatPage(await openAs(browser, stack, bob)),
    };
    await chats.alice.open(spaceId);
    await chats.bob.open(spaceId);

    const turns = [
      ["alice", "Alice 1"],
      ["bob", "Bob 1"],
      ["alice", "Alice 2"],
      ["bob", "Bob 2"],
    ] as const;
    for (const [who, content] of turns) {
      await chats[who].send(content);
      await expect(chats[who].byContent(content)).toHaveAttribute("data-status", "sent", {
        timeout: SENT_WITHIN_MS,
      });
    }
    // The batch arrives in the end: both pages hold exactly the database's messages, once.
    const db = await databaseState(alice, spaceId);
    expect(db.map((item) => item.content)).toEqual(turns.map(([, content]) => content));
    await chats.alice.expectExactly(db, BATCH_MS * 2);
    await chats.bob.expectExactly(db, BATCH_MS * 2);
    await chats.alice.page.context().close();
    await chats.bob.page.context().close();
  } finally {
    await stack.stop();
  }
});
