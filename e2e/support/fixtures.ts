import { type Browser, test as base, type Page } from "@playwright/test";
import { SESSION_COOKIE } from "@rhizome/protocol";
import { type ApiClient, signupBeing } from "@rhizome/testkit";
import { Stack } from "./stack.ts";

export { expect } from "@playwright/test";
export { ChatPage, holdStream, withoutSharedWorker } from "./chat-page.ts";
export { Stack } from "./stack.ts";

export type TestBeing = {
  id: string;
  handle: string;
  name: string;
  token: string;
  /** API client authenticated as this being, talking to the first server directly. */
  api: ApiClient;
};

let sequence = 0;

/** Signs up a being with a readable name and its own colour. */
export async function createBeing(stack: Stack, name: string, color: string): Promise<TestBeing> {
  const handle = `${name.toLowerCase().replace(/[^a-z0-9]/g, "")}_${Date.now().toString(36)}${(sequence++).toString(36)}`;
  const { being, token, api } = await signupBeing(stack.apiUrl, handle.slice(0, 32));
  const { error } = await api.api.me.patch({ name, color });
  if (error) throw new Error(`profile update failed: ${JSON.stringify(error.value)}`);
  return { id: being.id, handle: being.handle, name, token, api };
}

/** A space with `members` joined (the first being owns it). */
export async function createSpace(
  owner: TestBeing,
  options: { name?: string; visibility?: "public" | "private"; members?: TestBeing[] } = {},
): Promise<string> {
  const { data, error } = await owner.api.api.spaces.post({
    name: options.name ?? "Garden",
    visibility: options.visibility ?? "public",
  });
  if (error || !data) throw new Error(`space creation failed: ${JSON.stringify(error?.value)}`);
  for (const member of options.members ?? []) {
    const added = await owner.api.api.spaces({ id: data.space.id }).members.post({
      beingId: member.id,
    });
    if (added.error)
      throw new Error(`adding a member failed: ${JSON.stringify(added.error.value)}`);
  }
  return data.space.id;
}

export async function post(being: TestBeing, spaceId: string, content: string) {
  const { data, error } = await being.api.api.spaces({ id: spaceId }).intentions.post({ content });
  if (error || !data) throw new Error(`post failed: ${JSON.stringify(error?.value)}`);
  return data.intention;
}

/** Every live intention of a space as the database has it, oldest first. */
export async function databaseState(being: TestBeing, spaceId: string) {
  const all: { id: string; content: string }[] = [];
  let before: string | undefined;
  while (true) {
    const { data, error } = await being.api.api.spaces({ id: spaceId }).intentions.get({
      query: before === undefined ? { limit: 100 } : { before, limit: 100 },
    });
    if (error || !data) throw new Error(`history failed: ${JSON.stringify(error?.value)}`);
    all.unshift(...data.intentions.map(({ id, content }) => ({ id, content })));
    const oldest = data.intentions[0]?.createdAt;
    if (!data.hasMore || oldest === undefined) return all;
    // Eden may hand timestamps over as Dates; the API wants the exact cursor string back.
    before = typeof oldest === "string" ? oldest : undefined;
    if (before === undefined) throw new Error("cannot page history without cursor strings");
  }
}

/**
 * A page in its own browser context, signed in as `being` through the session cookie,
 * reaching the app at `url` (the stack's proxy unless told otherwise).
 */
export async function openAs(
  browser: Browser,
  stack: Stack,
  being: TestBeing,
  url = stack.url,
): Promise<Page> {
  const context = await browser.newContext({ baseURL: url });
  await context.addCookies([{ name: SESSION_COOKIE, value: being.token, url }]);
  return context.newPage();
}

export const test = base.extend<{ restoreStack: undefined }, { stack: Stack }>({
  stack: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright's fixture signature.
    async ({}, use) => {
      const stack = await Stack.start();
      await use(stack);
      await stack.stop();
    },
    { scope: "worker", timeout: 120_000 },
  ],
  baseURL: async ({ stack }, use) => {
    await use(stack.url);
  },
  restoreStack: [
    async ({ stack }, use, testInfo) => {
      await use(undefined);
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach("server output", {
          body: stack.servers.map((server) => server.output.join("")).join("\n----\n"),
          contentType: "text/plain",
        });
      }
      await stack.restore();
    },
    { auto: true },
  ],
});
