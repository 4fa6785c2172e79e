import {
  ChatPage,
  createBeing,
  createSpace,
  expect,
  openAs,
  post,
  test,
} from "../support/fixtures.ts";

test("Bob renames himself; Alice sees the new name without reloading", async ({
  browser,
  stack,
}) => {
  const alice = await createBeing(stack, "Alice", "#3b5bdb");
  const bob = await createBeing(stack, "Bob", "#2f9e44");
  const spaceId = await createSpace(alice, { members: [bob] });
  await post(bob, spaceId, "hello from Bob");
  const alicePage = await openAs(browser, stack, alice);
  const aliceChat = new ChatPage(alicePage);
  await aliceChat.open(spaceId);
  const authors = alicePage.getByTestId("message-author");
  await expect(authors.filter({ hasText: "Bob" })).toBeVisible();

  // Bob renames himself in his own browser.
  const bobPage = await openAs(browser, stack, bob);
  await new ChatPage(bobPage).open(spaceId);
  await bobPage.getByTestId("profile-open").click();
  await bobPage.getByLabel("Display name").fill("Robert");
  await bobPage.getByRole("button", { name: "Save" }).click();
  await expect(bobPage.getByTestId("message-author").filter({ hasText: "Robert" })).toBeVisible();

  // Alice comes back to her window: the beings are read again, no reload.
  const navigations: string[] = [];
  alicePage.on("framenavigated", (frame) => navigations.push(frame.url()));
  await alicePage.evaluate(() => window.dispatchEvent(new Event("focus")));
  await expect(authors.filter({ hasText: "Robert" })).toBeVisible();
  await expect(authors.filter({ hasText: /^Bob$/ })).toHaveCount(0);
  expect(navigations).toEqual([]);
  await alicePage.context().close();
  await bobPage.context().close();
});
