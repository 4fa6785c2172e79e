import { expect, type Locator, type Page } from "@playwright/test";
import { ROUTES } from "@rhizome/protocol";

export type ShownMessage = { id: string; status: string; content: string };

/** The chat view of one space, through its stable test hooks. */
export class ChatPage {
  readonly messages: Locator;
  readonly status: Locator;
  readonly input: Locator;
  readonly sendButton: Locator;
  readonly beings: Locator;
  /** Opens and closes the members panel (it covers the avatars of `space-beings`). */
  readonly membersToggle: Locator;

  constructor(readonly page: Page) {
    this.messages = page.getByTestId("message");
    this.status = page.getByTestId("connection-status");
    this.input = page.getByTestId("composer-input");
    this.sendButton = page.getByTestId("composer-send");
    this.beings = page.getByTestId("space-beings");
    this.membersToggle = page.getByRole("button", { name: "Members", exact: true });
  }

  async open(spaceId: string): Promise<void> {
    await this.page.goto(`/spaces/${spaceId}`);
    await this.expectState("live");
  }

  async expectState(state: "live" | "connecting" | "reconnecting" | "offline", timeout = 30_000) {
    await expect(this.status).toHaveAttribute("data-state", state, { timeout });
  }

  /** Types and sends with Enter, as a person would. */
  async send(content: string): Promise<void> {
    await this.input.fill(content);
    await this.input.press("Enter");
    await expect(this.input).toHaveValue("");
  }

  /** Types and sends with the Send button (`composer-send`), as a pointer user would. */
  async sendWithButton(content: string): Promise<void> {
    await this.input.fill(content);
    await this.sendButton.click();
    await expect(this.input).toHaveValue("");
    await expect(this.sendButton, "nothing left to send").toBeDisabled();
  }

  message(id: string): Locator {
    return this.page.locator(`[data-testid="message"][data-id="${id}"]`);
  }

  byContent(content: string): Locator {
    return this.messages.filter({
      has: this.page.getByTestId("message-content").getByText(content, { exact: true }),
    });
  }

  /**
   * Deletes a message as a pointer user does: Delete on its hover toolbar, then Delete in
   * the confirmation dialog (which names what is about to happen).
   */
  async deleteMessage(message: Locator): Promise<void> {
    await message.hover();
    await message.getByTestId("message-delete").click();
    const dialog = this.page.getByRole("dialog", { name: "Delete this message?" });
    await expect(dialog).toBeVisible();
    await dialog.getByTestId("confirm-accept").click();
    await expect(dialog).toHaveCount(0);
  }

  /** Every message on the page, top to bottom. */
  async shown(): Promise<ShownMessage[]> {
    return this.messages.evaluateAll((nodes) =>
      nodes.map((node) => ({
        id: (node as HTMLElement).dataset.id ?? "",
        status: (node as HTMLElement).dataset.status ?? "",
        content: node.querySelector('[data-testid="message-content"]')?.textContent ?? "",
      })),
    );
  }

  /** The page converges on `expected` (ids and contents, in order), all sent, none twice. */
  async expectExactly(expected: { id: string; content: string }[], timeout = 30_000) {
    await expect
      .poll(
        async () =>
          (await this.shown()).map(({ id, status, content }) => ({ id, status, content })),
        { timeout, message: "the page shows exactly the database's intentions" },
      )
      .toEqual(expected.map(({ id, content }) => ({ id, status: "sent", content })));
  }
}

/**
 * Takes SharedWorker away from the page's next documents, so that the browser's one stream is
 * held by an elected tab (the Web Locks fallback) and its requests are the page's own.
 */
export async function withoutSharedWorker(page: Page): Promise<void> {
  await page.addInitScript(() => {
    Reflect.deleteProperty(globalThis, "SharedWorker");
  });
}

/**
 * Holds the page's next stream request until `release()`, so that the state before the
 * server answers (`connecting`) can be asserted without racing it. Playwright cannot route a
 * SharedWorker's requests, so the page holds its stream itself (the Web Locks fallback).
 */
export async function holdStream(page: Page) {
  await withoutSharedWorker(page);
  let arrived = () => {};
  let release = () => {};
  const requested = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route(
    (url) => url.pathname === ROUTES.stream,
    async (route) => {
      arrived();
      await released;
      await route.continue();
    },
    { times: 1 },
  );
  return { requested, release };
}
