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

test("after a network cut the page catches up to exactly the database's state", async ({
  browser,
  stack,
}) => {
  const ada = await createBeing(stack, "Ada Lovelace", "#3b5bdb");
  const grace = await createBeing(stack, "Grace Hopper", "#2f9e44");
  const spaceId = await createSpace(ada, { members: [grace] });
  const before = [];
  for (let i = 1; i <= 3; i++) before.push(await post(grace, spaceId, `before the cut ${i}`));

  const page = await openAs(browser, stack, ada);
  const chat = new ChatPage(page);
  await chat.open(spaceId);
  await chat.expectExactly(await databaseState(ada, spaceId));

  // The network goes down: open connections are reset and new ones refused.
  stack.proxy.blocked = true;
  stack.proxy.cutAll();
  await chat.expectState("reconnecting");

  // Meanwhile Grace writes through the API: ten posts, an edit and a delete
  // (of intentions the page has seen and of ones it has not).
  const missed = [];
  for (let i = 1; i <= 10; i++) missed.push(await post(grace, spaceId, `while cut ${i}`));
  const edited = await grace.api.api.intentions({ id: before[1]?.id as string }).patch({
    content: "before the cut 2, edited while cut",
  });
  expect(edited.error).toBeNull();
  expect((await grace.api.api.intentions({ id: missed[4]?.id as string }).delete()).status).toBe(
    204,
  );
  expect((await grace.api.api.intentions({ id: before[0]?.id as string }).delete()).status).toBe(
    204,
  );

  // The network is back: the page resumes from its cursor.
  stack.proxy.blocked = false;
  await chat.expectState("live");
  const db = await databaseState(ada, spaceId);
  expect(db.length).toBe(3 + 10 - 2);
  await chat.expectExactly(db);
  await expect(chat.message(before[1]?.id as string)).toContainText("(edited)");
  await page.context().close();
});
