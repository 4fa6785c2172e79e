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

test("more than 50 missed changes: a reset shows the latest page, scrolling up loads the rest", async ({
  browser,
  stack,
}) => {
  const ada = await createBeing(stack, "Ada Lovelace", "#3b5bdb");
  const grace = await createBeing(stack, "Grace Hopper", "#2f9e44");
  const spaceId = await createSpace(ada, { members: [grace] });
  for (let i = 1; i <= 5; i++) await post(grace, spaceId, `old ${i}`);

  const page = await openAs(browser, stack, ada);
  await page.setViewportSize({ width: 1000, height: 700 });
  const chat = new ChatPage(page);
  await chat.open(spaceId);
  await expect(chat.messages).toHaveCount(5);

  stack.proxy.blocked = true;
  stack.proxy.cutAll();
  await chat.expectState("reconnecting");
  // 70 changes: more than the catch-up limit of 50, so the server answers with a reset.
  for (let i = 1; i <= 70; i++) await post(grace, spaceId, `missed ${i}`);
  stack.proxy.blocked = false;
  await chat.expectState("live");

  // The window is replaced by the latest page: exactly the newest 50, in order.
  const db = await databaseState(ada, spaceId);
  expect(db.length).toBe(75);
  await chat.expectExactly(db.slice(-50));
  await expect(chat.messages.last()).toBeInViewport();

  // Scrolling up to the top loads older pages until the beginning of the space.
  await expect
    .poll(
      async () => {
        await chat.messages.first().hover();
        await page.mouse.wheel(0, -10_000);
        return chat.messages.count();
      },
      { timeout: 30_000, message: "older history loads on scroll" },
    )
    .toBe(75);
  await chat.expectExactly(db);
  await expect(page.getByText("This is the beginning of the space.")).toBeVisible();
  await page.context().close();
});
