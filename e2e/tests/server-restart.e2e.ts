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

test("the server is killed and restarted: the page reconnects, then goes live with nothing lost", async ({
  browser,
  stack,
}) => {
  const ada = await createBeing(stack, "Ada Lovelace", "#3b5bdb");
  const grace = await createBeing(stack, "Grace Hopper", "#2f9e44");
  const spaceId = await createSpace(ada, { members: [grace] });
  await post(grace, spaceId, "before the crash");

  const page = await openAs(browser, stack, ada);
  const chat = new ChatPage(page);
  await chat.open(spaceId);
  await chat.send("mine, before the crash");
  await expect(chat.byContent("mine, before the crash")).toHaveAttribute("data-status", "sent");

  // SIGKILL: no graceful shutdown, the streams just die.
  await stack.server.kill("SIGKILL");
  await chat.expectState("reconnecting");
  // Written while the server is down: it waits in the outbox.
  await chat.send("mine, while it was down");
  await expect(chat.byContent("mine, while it was down")).toHaveAttribute("data-status", "pending");

  // Same port, same database.
  await stack.server.launch();
  await chat.expectState("live");
  await expect(chat.byContent("mine, while it was down")).toHaveAttribute("data-status", "sent", {
    timeout: 30_000,
  });
  await post(grace, spaceId, "after the restart");
  await expect(chat.byContent("after the restart")).toBeVisible();
  const db = await databaseState(ada, spaceId);
  expect(db.map((item) => item.content)).toEqual([
    "before the crash",
    "mine, before the crash",
    "mine, while it was down",
    "after the restart",
  ]);
  await chat.expectExactly(db);
  await page.context().close();
});
