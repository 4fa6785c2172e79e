import { devices } from "@playwright/test";
import { SESSION_COOKIE } from "@rhizome/protocol";
import {
  ChatPage,
  createBeing,
  createSpace,
  expect,
  openAs,
  post,
  test,
} from "../support/fixtures.ts";

/** What a new user tripped over (issue #13): focus, keys, confirmations, links, 404, members. */

test("focus lands in the composer, Tab reaches it past the messages, Escape leaves an edit", async ({
  browser,
  stack,
}) => {
  const ada = await createBeing(stack, "Ada Lovelace", "#3b5bdb");
  const spaceId = await createSpace(ada, { name: "Keyboard" });
  for (let i = 1; i <= 8; i++) await post(ada, spaceId, `note ${i}`);

  const page = await openAs(browser, stack, ada);
  const chat = new ChatPage(page);
  await chat.open(spaceId);
  await expect(chat.messages).toHaveCount(8);
  await expect(chat.input, "opening a space puts focus in the composer").toBeFocused();

  // From the members button, Tab reaches the composer through one message, not all eight.
  await chat.membersToggle.focus();
  let presses = 0;
  while (presses < 30 && !(await chat.input.evaluate((node) => node === document.activeElement))) {
    await page.keyboard.press("Tab");
    presses++;
  }
  await expect(chat.input).toBeFocused();
  expect(presses, "8 messages × 2 buttons would be 17 or more").toBeLessThanOrEqual(6);

  // Shift+Tab from the composer lands on a message; arrows move between messages.
  await page.keyboard.press("Shift+Tab");
  const last = chat.byContent("note 8");
  await expect(last).toBeFocused();
  await page.keyboard.press("ArrowUp");
  await expect(chat.byContent("note 7")).toBeFocused();

  // Escape leaves an edit, with focus back on the message.
  // By id: while editing, the message shows an editor instead of its content.
  const seventh = chat.message((await chat.byContent("note 7").getAttribute("data-id")) as string);
  await seventh.hover();
  await seventh.getByTestId("message-edit").click();
  await expect(seventh.getByTestId("message-edit-input")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(seventh.getByTestId("message-edit-input")).toHaveCount(0);
  await expect(seventh).toBeFocused();

  // Creating a space from the list also lands in its composer.
  await page.goto("/");
  await page.getByLabel("Name", { exact: true }).fill("Fresh start");
  await page.getByTestId("space-create").click();
  await expect(page).toHaveURL(/\/spaces\//);
  await expect(chat.input).toBeFocused();
  await page.context().close();
});

test("edits and the composer say why they cannot be saved or sent", async ({
  browser,
  stack,
}, info) => {
  const ada = await createBeing(stack, "Ada Lovelace", "#3b5bdb");
  const spaceId = await createSpace(ada, { name: "Limits" });
  await post(ada, spaceId, "short");
  const page = await openAs(browser, stack, ada);
  const chat = new ChatPage(page);
  await chat.open(spaceId);

  const message = chat.message((await chat.byContent("short").getAttribute("data-id")) as string);
  await message.hover();
  await message.getByTestId("message-edit").click();
  const editor = message.getByTestId("message-edit-input");
  await editor.fill("   ");
  await expect(message).toContainText("A message cannot be empty. To remove it, delete it.");
  await expect(message.getByTestId("message-save")).toBeDisabled();
  await editor.fill("x".repeat(4010));
  await expect(message).toContainText("remove 10 to save");
  await expect(message.getByTestId("message-save")).toBeDisabled();
  await page.keyboard.press("Escape");

  await chat.input.fill("y".repeat(4050));
  const counter = page.getByTestId("composer-count");
  await expect(counter).toHaveText(/^50 too many: messages are limited to 4,000 characters$/);
  await expect(chat.sendButton).toBeDisabled();
  // The counter sits under the field, never over it.
  const field = await chat.input.boundingBox();
  const count = await counter.boundingBox();
  expect(field && count && count.y >= field.y + field.height).toBe(true);
  await page.screenshot({ path: info.outputPath("composer-counter.png") });
  await page.context().close();
});

test("delete asks first; a space's owner removes a member and deletes their message", async ({
  browser,
  stack,
}, info) => {
  const ada = await createBeing(stack, "Ada Lovelace", "#3b5bdb");
  const grace = await createBeing(stack, "Grace Hopper", "#2b8a3e");
  const spaceId = await createSpace(ada, {
    name: "Owners",
    visibility: "private",
    members: [grace],
  });
  await post(ada, spaceId, "mine to delete");
  await post(grace, spaceId, "grace was here");

  const page = await openAs(browser, stack, ada);
  const chat = new ChatPage(page);
  await chat.open(spaceId);

  // Delete, then Cancel: nothing is deleted. Delete, then Delete: gone.
  const mine = chat.byContent("mine to delete");
  await mine.hover();
  await mine.getByTestId("message-delete").click();
  const dialog = page.getByRole("dialog", { name: "Delete this message?" });
  await expect(dialog).toBeVisible();
  await expect(
    dialog.getByRole("button", { name: "Cancel" }),
    "the harmless choice first",
  ).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(mine).toHaveCount(1);
  await chat.deleteMessage(mine);
  await expect(chat.byContent("mine to delete")).toHaveCount(0);

  // The owner may delete someone else's message (but not edit it).
  const theirs = chat.byContent("grace was here");
  await theirs.hover();
  await expect(theirs.getByTestId("message-edit")).toHaveCount(0);
  await chat.deleteMessage(theirs);
  await expect(chat.byContent("grace was here")).toHaveCount(0);

  // The members button says what it is; the panel opens at the side; Escape closes it.
  await expect(page.getByText("Members", { exact: true }).first()).toBeVisible();
  await chat.membersToggle.click();
  const panel = page.getByRole("complementary", { name: "Members of Owners" });
  await expect(panel).toBeVisible();
  const box = await panel.boundingBox();
  const viewport = page.viewportSize();
  expect(
    box && viewport && box.x + box.width >= viewport.width - 1 && box.height > viewport.height / 2,
  ).toBe(true);
  await page.screenshot({ path: info.outputPath("members-panel.png") });
  await page.keyboard.press("Escape");
  await expect(panel).toHaveCount(0);
  await expect(chat.membersToggle).toHaveAttribute("aria-expanded", "false");

  // Remove Grace: asked first, then she is gone from the list, and the space is closed to her.
  await chat.membersToggle.click();
  await panel.getByRole("button", { name: "Remove Grace Hopper from the space" }).click();
  const confirm = page.getByRole("dialog", { name: "Remove Grace Hopper?" });
  await confirm.getByTestId("confirm-accept").click();
  await expect(panel.getByTestId("member")).toHaveCount(1);
  await expect(panel).not.toContainText("Grace Hopper");
  expect((await grace.api.api.spaces({ id: spaceId }).get()).status).toBe(404);
  await page.context().close();
});

test("links in messages open safely; javascript: stays text", async ({ browser, stack }) => {
  const ada = await createBeing(stack, "Ada Lovelace", "#3b5bdb");
  const spaceId = await createSpace(ada, { name: "Links" });
  await post(ada, spaceId, "read https://example.com/notes?id=1. then javascript:alert(1)");
  const page = await openAs(browser, stack, ada);
  const chat = new ChatPage(page);
  await chat.open(spaceId);
  const message = chat.messages.first();
  const links = message.getByRole("link");
  await expect(links).toHaveCount(1);
  await expect(links).toHaveAttribute("href", "https://example.com/notes?id=1");
  await expect(links).toHaveAttribute("rel", "noopener noreferrer");
  await expect(links).toHaveAttribute("target", "_blank");
  await expect(links).toHaveText("https://example.com/notes?id=1");
  await expect(message.getByTestId("message-content")).toHaveText(
    "read https://example.com/notes?id=1. then javascript:alert(1)",
  );
  await expect(page.getByTestId("day-divider").first()).toHaveText("Today");
  await page.context().close();
});

test("an unknown address shows a 404 page with a way back", async ({ browser, stack }, info) => {
  const ada = await createBeing(stack, "Ada Lovelace", "#3b5bdb");
  const page = await openAs(browser, stack, ada);
  await page.goto("/no/such/page");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(page.getByTestId("error-page")).toHaveAttribute("data-status", "404");
  await expect(page).toHaveTitle("Page not found · Rhizome");
  await page.screenshot({ path: info.outputPath("not-found.png") });
  await page.getByRole("link", { name: "Back to your spaces" }).click();
  await expect(page.getByRole("heading", { name: "Spaces", exact: true })).toBeVisible();
  // The favicon is served, and the page links it.
  expect((await page.request.get("/favicon.svg")).headers()["content-type"]).toContain("image/svg");
  await expect(page.locator('link[rel="icon"]')).toHaveAttribute("href", /favicon\.svg$/);
  await page.context().close();
});

test("sign-up takes capitals as lower case and says the rules in words", async ({ page }) => {
  const handle = `Alice_${Date.now().toString(36)}`;
  await page.goto("/signup");
  await expect(page.getByText("Capitals become lower case")).toBeVisible();
  await page.getByLabel("Handle").fill("ab");
  await page.getByLabel("Password").fill("          ");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByText("A handle needs at least 3 characters.")).toBeVisible();
  await expect(page.getByText("A password cannot be only spaces.")).toBeVisible();
  await page.getByLabel("Handle").fill("");
  await page.getByLabel("Handle").pressSequentially(handle);
  await expect(page.getByLabel("Handle")).toHaveValue(handle.toLowerCase());
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByRole("heading", { name: "Spaces", exact: true })).toBeVisible();
  await expect(page.getByTestId("profile-open")).toContainText(handle.toLowerCase());
});

test.describe("on a phone", () => {
  const { defaultBrowserType: _, ...phone } = devices["Pixel 7"];

  test("edit and delete hide behind one menu per message", async ({ stack, browser }, info) => {
    const ada = await createBeing(stack, "Ada Lovelace", "#3b5bdb");
    const spaceId = await createSpace(ada, { name: "Pocket" });
    await post(ada, spaceId, "first");
    await post(ada, spaceId, "second");
    const context = await browser.newContext({ ...phone, baseURL: stack.url });
    await context.addCookies([{ name: SESSION_COOKIE, value: ada.token, url: stack.url }]);
    const page = await context.newPage();
    const chat = new ChatPage(page);
    await chat.open(spaceId);
    await expect(chat.messages).toHaveCount(2);
    await expect(page.getByTestId("message-edit").first()).toBeHidden();
    await expect(page.getByTestId("message-delete").first()).toBeHidden();
    const second = chat.byContent("second");
    await second.getByRole("button", { name: "Message actions" }).tap();
    await expect(second.getByTestId("message-edit")).toBeVisible();
    await expect(chat.byContent("first").getByTestId("message-edit")).toBeHidden();
    await page.screenshot({ path: info.outputPath("touch-menu.png") });
    await second.getByTestId("message-delete").tap();
    await page
      .getByRole("dialog", { name: "Delete this message?" })
      .getByTestId("confirm-accept")
      .tap();
    await expect(chat.byContent("second")).toHaveCount(0);
    await context.close();
  });
});
