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
  withoutSharedWorker,
} from "../support/fixtures.ts";

type StreamBody = { spaces: { spaceId: string; since?: string; page?: number }[] };

for (const mode of ["SharedWorker", "Web Locks"] as const)
  test(`a reload paints from the local copy while the server is down, then resumes with a catch-up (${mode})`, async ({
    browser,
    stack,
  }) => {
    const alice = await createBeing(stack, "Alice", "#3b5bdb");
    const bob = await createBeing(stack, "Bob", "#2f9e44");
    const spaceId = await createSpace(alice, { members: [bob] });
    for (let i = 1; i <= 3; i++) await post(bob, spaceId, `kept ${i}`);
    const page = await openAs(browser, stack, alice);
    // With Web Locks the page holds the stream itself, so that its requests can be read here.
    if (mode === "Web Locks") await withoutSharedWorker(page);
    const chat = new ChatPage(page);
    await chat.open(spaceId);
    await chat.expectExactly(await databaseState(alice, spaceId));
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);

    // The server is out of reach: the shell comes from the service worker, the messages from
    // IndexedDB.
    stack.proxy.blocked = true;
    stack.proxy.cutAll();
    const bodies: StreamBody[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST" && new URL(request.url()).pathname === ROUTES.stream) {
        bodies.push(request.postDataJSON() as StreamBody);
      }
    });
    await page.reload();
    await expect(chat.messages).toHaveCount(3);
    expect((await chat.shown()).map((item) => item.content)).toEqual([
      "kept 1",
      "kept 2",
      "kept 3",
    ]);
    await expect(chat.status).not.toHaveAttribute("data-state", "live");
    // The sidebar is painted from what was kept too; older history waits, it has not failed.
    const item = page.locator(`[data-testid="space-item"][data-space-id="${spaceId}"]`).first();
    await expect(item).toBeVisible();
    // The preview names its author from this device's cache, not "…".
    await expect(item.getByTestId("space-preview")).toHaveText("Bob: kept 3");
    await expect(page.getByText("Older messages load once the server is back.")).toBeVisible();
    await expect(page.getByText("Could not load older messages.")).toHaveCount(0);

    // Bob posts while the page is away; the server comes back.
    const missed = await post(bob, spaceId, "while away");
    stack.proxy.blocked = false;
    await chat.expectState("live");
    const db = await databaseState(alice, spaceId);
    await chat.expectExactly(db);
    expect(db.at(-1)?.id).toBe(missed.id);
    // A catch-up, not a reset: the stream was asked from the kept cursor of the space.
    // (Playwright cannot see a SharedWorker's requests: there, the copy shown says as much.)
    if (mode === "Web Locks") {
      const asked = bodies.at(-1)?.spaces.find((entry) => entry.spaceId === spaceId);
      expect(asked?.since).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    }
    await page.context().close();
  });

test("sign-out clears the local copy", async ({ browser, stack }) => {
  const alice = await createBeing(stack, "Alice", "#3b5bdb");
  const spaceId = await createSpace(alice);
  await post(alice, spaceId, "private words");
  const page = await openAs(browser, stack, alice);
  const chat = new ChatPage(page);
  await chat.open(spaceId);
  await expect(chat.messages).toHaveCount(1);
  const database = `rhizome-local:${alice.id}`;
  const kept = () =>
    page.evaluate(
      (name) =>
        new Promise<number>((resolve) => {
          const open = indexedDB.open(name);
          open.onsuccess = () => {
            const db = open.result;
            if (!db.objectStoreNames.contains("spaces")) return resolve(0);
            const count = db.transaction("spaces").objectStore("spaces").count();
            count.onsuccess = () => {
              resolve(count.result);
              db.close();
            };
          };
        }),
      database,
    );
  await expect.poll(kept).toBe(1);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await expect.poll(kept).toBe(0);
  await page.context().close();
});
