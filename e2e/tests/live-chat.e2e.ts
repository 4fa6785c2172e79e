import { copyFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SESSION_COOKIE } from "@rhizome/protocol";
import {
  ChatPage,
  createBeing,
  createSpace,
  databaseState,
  expect,
  holdStream,
  openAs,
  post,
  test,
} from "../support/fixtures.ts";

const DOCS_SCREENSHOTS = fileURLToPath(new URL("../../docs/screenshots/", import.meta.url));

test("two beings chat live, edit and delete, in two browser contexts", async ({
  page,
  browser,
  stack,
}) => {
  // Ada signs up through the UI and creates the space through the UI.
  const handle = `ada_${Date.now().toString(36)}`;
  await page.goto("/");
  await expect(page).toHaveURL(/\/signin/);
  await page.getByRole("link", { name: "Create an account" }).click();
  await expect(page.getByRole("heading", { name: "Create an account" })).toBeVisible();
  await page.getByLabel("Handle").fill(handle);
  await page.getByLabel("Display name").fill("Ada Lovelace");
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByRole("heading", { name: "Spaces", exact: true })).toBeVisible();
  await page.getByTestId("space-name").fill("Analytical engines");
  await page.getByTestId("space-create").click();
  await expect(page).toHaveURL(/\/spaces\/[0-9a-f-]{36}$/);
  const spaceId = page.url().split("/").at(-1) as string;
  const ada = new ChatPage(page);
  await ada.expectState("live");

  // Grace joins the public space from her own browser.
  const grace = await createBeing(stack, "Grace Hopper", "#2f9e44");
  const gracePage = await openAs(browser, stack, grace);
  const graceChat = new ChatPage(gracePage);
  // Until the server answers the stream request, the page says it is connecting.
  const stream = await holdStream(gracePage);
  await gracePage.goto(`/spaces/${spaceId}`);
  await stream.requested;
  await graceChat.expectState("connecting");
  stream.release();
  await graceChat.expectState("live");
  await expect(graceChat.input).toHaveCount(0);
  await gracePage.getByTestId("space-join").click();
  await expect(graceChat.input).toBeVisible();
  await expect(graceChat.beings.getByRole("img")).toHaveCount(2);

  // Live both ways.
  await ada.send("Hello Grace, the engine weaves algebraic patterns.");
  const first = graceChat.byContent("Hello Grace, the engine weaves algebraic patterns.");
  await expect(first).toHaveAttribute("data-status", "sent");
  await expect(ada.byContent("Hello Grace, the engine weaves algebraic patterns.")).toHaveAttribute(
    "data-status",
    "sent",
  );
  await graceChat.sendWithButton("Nice. I found a moth in mine.");
  await expect(ada.byContent("Nice. I found a moth in mine.")).toBeVisible();
  // A message from a being Ada's member list did not have yet brings them into it.
  await expect(ada.beings.getByRole("img")).toHaveCount(2);
  await expect(
    page.getByTestId("message-author").filter({ hasText: "Grace Hopper" }),
  ).toBeVisible();

  // Shift+Enter is a new line, Enter sends.
  await ada.input.fill("Two");
  await ada.input.press("Shift+Enter");
  await ada.input.pressSequentially("lines");
  await ada.input.press("Enter");
  await expect(graceChat.byContent("Two\nlines")).toBeVisible();

  // Ada edits her first message: Grace sees the new words, marked edited.
  const firstId = (await ada
    .byContent("Hello Grace, the engine weaves algebraic patterns.")
    .getAttribute("data-id")) as string;
  const adaFirst = ada.message(firstId);
  await adaFirst.hover();
  await adaFirst.getByTestId("message-edit").click();
  await adaFirst.getByTestId("message-edit-input").fill("Hello Grace, the engine weaves patterns.");
  await adaFirst.getByTestId("message-edit-input").press("Enter");
  await expect(graceChat.message(firstId)).toContainText(
    "Hello Grace, the engine weaves patterns.",
  );
  await expect(graceChat.message(firstId)).toContainText("(edited)");
  // Only one's own messages can be changed.
  await expect(
    graceChat.message(firstId).getByTestId("message-edit"),
    "Grace cannot edit Ada's message",
  ).toHaveCount(0);

  // Ada deletes "Two lines": it disappears for Grace.
  await ada.deleteMessage(ada.byContent("Two\nlines"));
  await expect(graceChat.byContent("Two\nlines")).toHaveCount(0);

  // Both show exactly what the database holds.
  const db = await databaseState(grace, spaceId);
  expect(db.map((item) => item.content)).toEqual([
    "Hello Grace, the engine weaves patterns.",
    "Nice. I found a moth in mine.",
  ]);
  await ada.expectExactly(db);
  await graceChat.expectExactly(db);

  // Ada renames herself in the profile editor: her header and her messages follow at once.
  await page.getByTestId("profile-open").click();
  const profile = page.getByRole("dialog", { name: "Your profile" });
  await expect(profile.getByTestId("profile-id")).toHaveText(/^[0-9a-f-]{36}$/);
  await profile.getByLabel("Display name").fill("Ada King");
  await profile.getByRole("button", { name: "Save" }).click();
  await expect(profile).toHaveCount(0);
  await expect(page.getByTestId("profile-open")).toContainText("Ada King");
  await expect(page.getByTestId("message-author").filter({ hasText: "Ada King" })).toBeVisible();

  // Signing out ends the session: the app goes back to the sign-in screen.
  await gracePage.getByRole("button", { name: "Sign out" }).click();
  await expect(gracePage).toHaveURL(/\/signin/);
  const cookies = await gracePage.context().cookies();
  expect(cookies.find((cookie) => cookie.name === SESSION_COOKIE)?.value ?? "").toBe("");
  await gracePage.context().close();
});

test("chat view screenshots at desktop and phone widths", async ({ browser, stack }, info) => {
  const ada = await createBeing(stack, "Ada Lovelace", "#3b5bdb");
  const grace = await createBeing(stack, "Grace Hopper", "#2f9e44");
  const alan = await createBeing(stack, "Alan Turing", "#e8590c");
  const spaceId = await createSpace(ada, { name: "Analytical engines", members: [grace, alan] });
  const lines: [typeof ada, string][] = [
    [ada, "Morning all! The new loom cards arrived."],
    [ada, "I punched the Bernoulli numbers program onto them last night."],
    [grace, "Did it run on the first try?"],
    [ada, "It did, once I fixed a loop that never ended."],
    [alan, "A loop that never ends... I may have a paper about that."],
    [grace, "Careful, there might be a moth in the mill."],
    [alan, "Let me write that down:\n1. check for moths\n2. then for halting"],
  ];
  for (const [being, content] of lines) await post(being, spaceId, content);

  const desktop = await openAs(browser, stack, ada);
  await desktop.setViewportSize({ width: 1280, height: 800 });
  const chat = new ChatPage(desktop);
  await chat.open(spaceId);
  await expect(chat.messages).toHaveCount(lines.length);
  await expect(chat.beings.getByRole("img")).toHaveCount(3);
  await chat.input.fill("Shall we meet at the Analytical Society on Thursday?");
  const desktopShot = info.outputPath("chat-desktop.png");
  await desktop.screenshot({ path: desktopShot });
  await info.attach("chat-desktop", { path: desktopShot, contentType: "image/png" });

  await desktop.setViewportSize({ width: 375, height: 740 });
  await expect(chat.messages.last()).toBeInViewport();
  // Nothing sideways at 375 px: the page is exactly as wide as the screen.
  expect(await desktop.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
    375,
  );
  // The connection reads as a person says it, on a phone too.
  await expect(chat.status).toBeVisible();
  await expect(chat.status).toContainText("Up to date");
  const mobileShot = info.outputPath("chat-mobile.png");
  await desktop.screenshot({ path: mobileShot });
  await info.attach("chat-mobile", { path: mobileShot, contentType: "image/png" });

  // The README's pictures are tracked files: they change only when asked to.
  if (process.env.UPDATE_SCREENSHOTS === "1") {
    mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
    copyFileSync(desktopShot, `${DOCS_SCREENSHOTS}chat-desktop.png`);
    copyFileSync(mobileShot, `${DOCS_SCREENSHOTS}chat-mobile.png`);
  }
  await desktop.context().close();
});
