import { QUERY_PARAMS, ROUTES } from "@rhizome/protocol";
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

test("a private space does not open to an outsider, and opens once they are invited", async ({
  browser,
  stack,
}) => {
  const ada = await createBeing(stack, "Ada Lovelace", "#3b5bdb");
  const mallory = await createBeing(stack, "Mallory", "#c92a2a");
  const spaceId = await createSpace(ada, { name: "Secret plans", visibility: "private" });
  await post(ada, spaceId, "the secret is 42");

  const outsider = await openAs(browser, stack, mallory);
  const streamStatuses: number[] = [];
  outsider.on("response", (response) => {
    if (response.url().includes(ROUTES.stream)) streamStatuses.push(response.status());
  });
  await outsider.goto(`/spaces/${spaceId}`);
  await expect(outsider.getByTestId("space-not-found")).toBeVisible();
  await expect(outsider.getByRole("heading", { name: "Space not found" })).toBeVisible();
  await expect(outsider.getByTestId("message")).toHaveCount(0);
  await expect(outsider.getByText("the secret is 42")).toHaveCount(0);
  await expect(outsider.getByText("Secret plans")).toHaveCount(0);
  // Not in the space list either; the API answers 404 to every door.
  await outsider.goto("/");
  await expect(outsider.getByRole("heading", { name: "Spaces", exact: true })).toBeVisible();
  await expect(outsider.getByText("Secret plans")).toHaveCount(0);
  const stream = await outsider.request.get(`${ROUTES.stream}?${QUERY_PARAMS.spaceId}=${spaceId}`);
  expect(stream.status()).toBe(404);
  expect((await mallory.api.api.spaces({ id: spaceId }).intentions.get({ query: {} })).status).toBe(
    404,
  );
  expect((await mallory.api.api.spaces({ id: spaceId }).join.post()).status).toBe(404);
  expect(streamStatuses.every((status) => status === 404)).toBe(true);

  // Ada invites Mallory by handle, through the members panel.
  const owner = await openAs(browser, stack, ada);
  const ownerChat = new ChatPage(owner);
  await ownerChat.open(spaceId);
  // The members panel opens from the keyboard.
  await ownerChat.membersToggle.press("Enter");
  await expect(ownerChat.membersToggle).toHaveAttribute("aria-expanded", "true");
  await owner.getByLabel("Invite a being by handle").fill("nobody_of_that_name");
  await owner.getByRole("button", { name: "Invite", exact: true }).click();
  await expect(owner.getByText('No being is called "nobody_of_that_name".')).toBeVisible();
  await owner.getByLabel("Invite a being by handle").fill(mallory.handle);
  await owner.getByRole("button", { name: "Invite", exact: true }).click();
  await expect(owner.getByText(`Added ${mallory.handle} to the space.`)).toBeVisible();
  await expect(ownerChat.beings.getByRole("img")).toHaveCount(2);
  // A click on the avatars closes the panel again.
  await ownerChat.membersToggle.click();
  await expect(owner.getByLabel("Invite a being by handle")).toHaveCount(0);

  const chat = new ChatPage(outsider);
  await chat.open(spaceId);
  await chat.expectExactly(await databaseState(ada, spaceId));
  await chat.send("thanks for the invite");
  await expect(ownerChat.byContent("thanks for the invite")).toBeVisible();
  await owner.context().close();
  await outsider.context().close();
});
