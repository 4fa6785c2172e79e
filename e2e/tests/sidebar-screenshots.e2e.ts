import { copyFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  ChatPage,
  createBeing,
  createSpace,
  expect,
  openAs,
  post,
  test,
} from "../support/fixtures.ts";

const DOCS_SCREENSHOTS = fileURLToPath(new URL("../../docs/screenshots/", import.meta.url));

test("messenger screenshots: the sidebar on a desktop, the list and the chat on a phone", async ({
  browser,
  stack,
}, info) => {
  const ada = await createBeing(stack, "Ada Lovelace", "#3b5bdb");
  const grace = await createBeing(stack, "Grace Hopper", "#2f9e44");
  const alan = await createBeing(stack, "Alan Turing", "#e8590c");
  const engines = await createSpace(ada, {
    name: "Analytical engines",
    members: [grace, alan],
  });
  const moths = await createSpace(grace, { name: "Moth hunting", members: [ada, alan] });
  const halting = await createSpace(alan, {
    name: "Halting problems",
    visibility: "private",
    members: [ada],
  });
  const tea = await createSpace(grace, { name: "Tea at four", members: [ada] });
  await post(grace, tea, "Scones today, I promise.");
  await post(alan, halting, "Does this program ever stop? Asking for a friend.");
  const lines: [typeof ada, string][] = [
    [ada, "Morning all! The new loom cards arrived."],
    [grace, "Did the Bernoulli program run on the first try?"],
    [ada, "It did, once I fixed a loop that never ended."],
    [alan, "A loop that never ends... I may have a paper about that."],
  ];
  for (const [being, content] of lines) await post(being, engines, content);
  for (const content of [
    "Found one in relay 70!",
    "Taping it into the log book.",
    "First actual case of a bug being found.",
  ]) {
    await post(grace, moths, content);
  }

  const page = await openAs(browser, stack, ada);
  await page.setViewportSize({ width: 1280, height: 800 });
  const chat = new ChatPage(page);
  await chat.open(engines);
  await expect(chat.messages).toHaveCount(lines.length);
  const item = (spaceId: string) =>
    page.locator(`[data-testid="space-item"][data-space-id="${spaceId}"]`);
  await expect(item(moths)).toHaveAttribute("data-unread", "3");
  await expect(item(halting)).toHaveAttribute("data-unread", "1");
  await chat.input.fill("Shall we meet at the Analytical Society on Thursday?");
  const shots = {
    desktop: info.outputPath("messenger-desktop.png"),
    phoneList: info.outputPath("messenger-phone-list.png"),
    phoneChat: info.outputPath("messenger-phone-chat.png"),
  };
  await page.screenshot({ path: shots.desktop });

  // A phone: the list is one screen, the chat another.
  await page.setViewportSize({ width: 375, height: 740 });
  await page.goto("/");
  await expect(page.getByTestId("space-list").getByTestId("space-item")).toHaveCount(4);
  // Read on the desktop just before the reload: still read.
  await expect(item(engines)).toHaveAttribute("data-unread", "0");
  await page.screenshot({ path: shots.phoneList });
  await page.getByTestId("space-list").locator(`[data-space-id="${moths}"] a`).click();
  await chat.expectState("live");
  await expect(chat.messages).toHaveCount(3);
  await expect(page.getByTestId("space-item").first()).toBeHidden();
  // No hover left over from the tap.
  await page.mouse.move(0, 0);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await page.screenshot({ path: shots.phoneChat });

  for (const [name, path] of Object.entries(shots)) {
    await info.attach(name, { path, contentType: "image/png" });
  }
  // The README's pictures are tracked files: they change only when asked to.
  if (process.env.UPDATE_SCREENSHOTS === "1") {
    mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
    for (const path of Object.values(shots)) {
      copyFileSync(path, `${DOCS_SCREENSHOTS}${path.split("/").at(-1)}`);
    }
  }
  await page.context().close();
});
