import {
  ChatPage,
  createBeing,
  createSpace,
  expect,
  openAs,
  post,
  test,
} from "../support/fixtures.ts";

test("unread badges rise live in the sidebar, clear when the space is read, and stay cleared", async ({
  browser,
  stack,
}) => {
  const alice = await createBeing(stack, "Alice", "#3b5bdb");
  const bob = await createBeing(stack, "Bob", "#2f9e44");
  const tag = Date.now().toString(36);
  const desk = await createSpace(alice, { name: `Desk ${tag}`, members: [bob] });
  const garden = await createSpace(bob, { name: `Garden ${tag}`, members: [alice] });
  const study = await createSpace(bob, {
    name: `Study ${tag}`,
    visibility: "private",
    members: [alice],
  });

  const page = await openAs(browser, stack, alice);
  const chat = new ChatPage(page);
  await chat.open(desk);
  const item = (spaceId: string) =>
    page.locator(`[data-testid="space-item"][data-space-id="${spaceId}"]`);
  for (const spaceId of [desk, garden, study]) {
    await expect(item(spaceId)).toHaveAttribute("data-unread", "0");
  }
  // A second tab of the same browser, on the list.
  const list = await page.context().newPage();
  await list.goto("/");
  const listed = (spaceId: string) =>
    list.locator(`[data-testid="space-item"][data-space-id="${spaceId}"]`);
  await expect(listed(study)).toHaveAttribute("data-unread", "0");

  // Bob writes where Alice is not looking: two in the garden, then three in the study.
  await post(bob, garden, "Tomatoes are in");
  await post(bob, garden, "Come and see");
  for (const content of ["Chapter one", "Chapter two", "Who has the notes?"]) {
    await post(bob, study, content);
  }
  await expect(item(garden)).toHaveAttribute("data-unread", "2");
  await expect(item(study)).toHaveAttribute("data-unread", "3");
  await expect(item(garden).getByTestId("space-preview")).toHaveText("Bob: Come and see");
  await expect(item(study).getByTestId("space-preview")).toHaveText("Bob: Who has the notes?");
  await expect(item(desk)).toHaveAttribute("data-unread", "0");
  await expect(page).toHaveTitle(/^\(5\) /);
  await expect(listed(study)).toHaveAttribute("data-unread", "3");
  // Her own space first, then the latest activity.
  await expect
    .poll(() =>
      page
        .getByTestId("space-item")
        .evaluateAll((nodes) => nodes.map((node) => (node as HTMLElement).dataset.spaceId)),
    )
    .toEqual([desk, study, garden]);

  // She opens the study: its badge clears, here and in the other tab; a divider marks the news.
  await item(study).getByTestId("space-link").click();
  await expect(page).toHaveURL(`/spaces/${study}`);
  await expect(chat.messages).toHaveCount(3);
  await expect(page.getByTestId("unread-divider")).toHaveCount(1);
  await expect(item(study)).toHaveAttribute("data-unread", "0");
  await expect(listed(study)).toHaveAttribute("data-unread", "0");
  await expect(item(garden)).toHaveAttribute("data-unread", "2");
  await expect(page).toHaveTitle(/^\(2\) /);

  // The marker reached the server: a reload (and the API) agree.
  await expect
    .poll(async () => {
      const { data } = await alice.api.api.spaces.get();
      return data?.spaces.find((space) => space.id === study)?.unread;
    })
    .toBe(0);
  await page.reload();
  await chat.expectState("live");
  await expect(item(study)).toHaveAttribute("data-unread", "0");
  await expect(item(garden)).toHaveAttribute("data-unread", "2");
  await page.context().close();
});

test("scrolled up, new intentions offer a jump to the latest", async ({ browser, stack }) => {
  const alice = await createBeing(stack, "Alice", "#3b5bdb");
  const bob = await createBeing(stack, "Bob", "#2f9e44");
  const space = await createSpace(bob, { name: `Long talk ${Date.now()}`, members: [alice] });
  for (let n = 1; n <= 40; n++) await post(bob, space, `line ${n}`);

  const page = await openAs(browser, stack, alice);
  const chat = new ChatPage(page);
  await chat.open(space);
  await expect(chat.byContent("line 40")).toBeVisible();
  const jump = page.getByTestId("jump-to-latest");
  await expect(jump).toHaveCount(0);

  await page.getByRole("region", { name: /^Messages in/ }).evaluate((node) => {
    node.scrollTop = 0;
  });
  await expect(chat.byContent("line 40")).not.toBeInViewport();
  await post(bob, space, "line 41");
  await expect(chat.byContent("line 41")).toHaveCount(1);
  await expect(jump).toBeVisible();
  await jump.click();
  await expect(chat.byContent("line 41")).toBeInViewport();
  await expect(jump).toHaveCount(0);
  await page.context().close();
});

test("a space list that answers after the stream still has the open space read", async ({
  browser,
  stack,
}) => {
  const alice = await createBeing(stack, "Alice", "#3b5bdb");
  const bob = await createBeing(stack, "Bob", "#2f9e44");
  const space = await createSpace(bob, { name: `Slow list ${Date.now()}`, members: [alice] });
  await post(bob, space, "one");
  await post(bob, space, "two");

  const page = await openAs(browser, stack, alice);
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route(
    (url) => url.pathname === "/api/spaces",
    async (route) => {
      await released;
      await route.continue();
    },
    { times: 1 },
  );
  const chat = new ChatPage(page);
  await chat.open(space);
  await expect(chat.messages).toHaveCount(2);
  release();
  await expect(
    page.locator(`[data-testid="space-item"][data-space-id="${space}"]`),
  ).toHaveAttribute("data-unread", "0");
  await expect
    .poll(async () => {
      const { data } = await alice.api.api.spaces.get();
      return data?.spaces.find((one) => one.id === space)?.unread;
    })
    .toBe(0);
  await page.context().close();
});
