import {
  ChatPage,
  createBeing,
  createSpace,
  databaseState,
  expect,
  openAs,
  test,
} from "../support/fixtures.ts";

test("offline: messages wait as pending, survive a reload, and are stored exactly once", async ({
  browser,
  stack,
}) => {
  const ada = await createBeing(stack, "Ada Lovelace", "#3b5bdb");
  const spaceId = await createSpace(ada);
  // Created later, so listed first until Ada writes in the other one.
  const newer = await createSpace(ada, { name: "Orchard" });
  const page = await openAs(browser, stack, ada);
  const chat = new ChatPage(page);
  await chat.open(spaceId);
  // The service worker has cached the app shell, so the app can load without a network.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);

  // Offline: the browser knows it (`navigator.onLine`, the offline event), and the network
  // really is down, so that no request can reach the server whatever the emulation lets by.
  await page.context().setOffline(true);
  stack.proxy.blocked = true;
  stack.proxy.cutAll();
  await chat.expectState("offline");
  const sidebarOrder = () =>
    page
      .getByTestId("space-item")
      .evaluateAll((nodes) => nodes.map((node) => (node as HTMLElement).dataset.spaceId));
  await expect.poll(sidebarOrder).toEqual([newer, spaceId]);
  const contents = ["first, offline", "second, offline", "third, offline"];
  for (const content of contents) await chat.send(content);
  await expect(chat.messages).toHaveCount(3);
  for (const content of contents) {
    await expect(chat.byContent(content)).toHaveAttribute("data-status", "pending");
  }
  // The sidebar previews the newest of them, as the being's own, not "No messages yet".
  const preview = page
    .locator(`[data-testid="space-item"][data-space-id="${spaceId}"]`)
    .getByTestId("space-preview");
  await expect(preview).toHaveText("You: third, offline");
  // The space written in moves up, though nothing of it has reached the server yet.
  await expect.poll(sidebarOrder).toEqual([spaceId, newer]);
  const ids = await chat.messages.evaluateAll((nodes) =>
    nodes.map((node) => (node as HTMLElement).dataset.id),
  );

  // A reload while offline: the app boots from the service worker's cache, the outbox
  // from localStorage, the space from this device's copy.
  await page.reload();
  await chat.expectState("offline");
  await expect(chat.messages).toHaveCount(3);
  expect(await chat.shown()).toEqual(
    contents.map((content, i) => ({ id: ids[i], status: "pending", content })),
  );
  expect(await databaseState(ada, spaceId)).toEqual([]);
  await expect(preview).toHaveText("You: third, offline");

  // Back online: each one is stored once, in order, and turns sent.
  stack.proxy.blocked = false;
  await page.context().setOffline(false);
  await chat.expectState("live");
  await expect
    .poll(() => databaseState(ada, spaceId), { timeout: 30_000 })
    .toEqual(contents.map((content, i) => ({ id: ids[i], content })));
  await chat.expectExactly(await databaseState(ada, spaceId));
  await expect(
    page.getByTestId("message").and(page.locator('[data-status="pending"]')),
  ).toHaveCount(0);
  await page.context().close();
});
