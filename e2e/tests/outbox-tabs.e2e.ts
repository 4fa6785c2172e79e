import {
  ChatPage,
  createBeing,
  createSpace,
  databaseState,
  expect,
  openAs,
  test,
} from "../support/fixtures.ts";

test("two tabs write offline: both show every pending message; one is closed, the other sends them all, each once", async ({
  browser,
  stack,
}) => {
  const ada = await createBeing(stack, "Ada Lovelace", "#3b5bdb");
  const spaceId = await createSpace(ada);
  const first = await openAs(browser, stack, ada);
  const second = await first.context().newPage();
  const chats = [new ChatPage(first), new ChatPage(second)];
  for (const chat of chats) {
    await chat.open(spaceId);
    await chat.expectState("live");
  }

  // Offline in the browser and on the wire: nothing reaches the server.
  await first.context().setOffline(true);
  stack.proxy.blocked = true;
  stack.proxy.cutAll();
  for (const chat of chats) await chat.expectState("offline");
  const [a, b] = chats as [ChatPage, ChatPage];
  await a.send("from the first tab");
  await b.send("from the second tab");
  await a.send("the first tab again");
  // Each tab shows all three as pending, wherever they were written.
  for (const chat of chats) {
    for (const content of ["from the first tab", "from the second tab", "the first tab again"]) {
      await expect(chat.byContent(content)).toHaveAttribute("data-status", "pending");
    }
  }

  // The first tab goes with its messages unsent; the second adopts them.
  await first.close();
  await expect(b.byContent("from the first tab")).toHaveAttribute("data-status", "pending");
  expect(await databaseState(ada, spaceId)).toEqual([]);

  stack.proxy.blocked = false;
  await second.context().setOffline(false);
  await b.expectState("live");
  await expect
    .poll(async () => (await databaseState(ada, spaceId)).map((row) => row.content).sort(), {
      timeout: 30_000,
    })
    .toEqual(["from the first tab", "from the second tab", "the first tab again"]);
  // Each one once, in the order each tab wrote them.
  const stored = (await databaseState(ada, spaceId)).map((row) => row.content);
  expect(stored.indexOf("from the first tab")).toBeLessThan(stored.indexOf("the first tab again"));
  await b.expectExactly(await databaseState(ada, spaceId));
  await expect(
    second.getByTestId("message").and(second.locator('[data-status="pending"]')),
  ).toHaveCount(0);
  await second.context().close();
});
