import { createBeing, createSpace, expect, openAs, test } from "../support/fixtures.ts";

test("from the space list: join a public space, invite a being by handle to one's own", async ({
  browser,
  stack,
}) => {
  const ada = await createBeing(stack, "Ada Lovelace", "#3b5bdb");
  const grace = await createBeing(stack, "Grace Hopper", "#2f9e44");
  const mallory = await createBeing(stack, "Mallory", "#c92a2a");
  // Names unique to this run: the list also shows every other test's public spaces.
  const tag = Date.now().toString(36);
  const gardenName = `Grace's garden ${tag}`;
  const studyName = `Ada's study ${tag}`;
  const garden = await createSpace(grace, { name: gardenName });
  const study = await createSpace(ada, { name: studyName, visibility: "private" });

  const page = await openAs(browser, stack, ada);
  await page.goto("/");
  const item = (name: string) => page.getByTestId("space-item").filter({ hasText: name });
  await expect(item(gardenName)).toBeVisible();
  await expect(item(studyName).getByTestId("space-join")).toHaveCount(0);

  // Join: the public space becomes one of Ada's, and opens (the sidebar lists it).
  await item(gardenName)
    .getByRole("button", { name: `Join ${gardenName}` })
    .click();
  await expect(page).toHaveURL(`/spaces/${garden}`);
  await expect(page.getByTestId("composer-input")).toBeVisible();
  await expect(item(gardenName)).toHaveAttribute("data-space-id", garden);
  await expect(item(gardenName).getByTestId("space-join")).toHaveCount(0);
  const members = await grace.api.api.spaces({ id: garden }).beings.get();
  expect(members.data?.beings.map((being) => being.id)).toContain(ada.id);
  // Back in the list it is one of hers, not one to join; only the owner invites.
  await page.goto("/");
  await expect(page.getByTestId("space-list").getByTestId("space-item")).toContainText([
    gardenName,
  ]);
  await expect(item(gardenName).getByTestId("space-join")).toHaveCount(0);
  await expect(item(gardenName).getByTestId("space-invite")).toHaveCount(0);

  // Invite: Mallory, by handle, into Ada's private space.
  expect((await mallory.api.api.spaces({ id: study }).get()).status).toBe(404);
  const invite = item(studyName).getByRole("button", { name: `Invite to ${studyName}` });
  await invite.click();
  await expect(invite).toHaveAttribute("aria-expanded", "true");
  await item(studyName).getByLabel("Invite a being by handle").fill(`@${mallory.handle}`);
  await item(studyName).getByRole("button", { name: "Invite", exact: true }).click();
  await expect(item(studyName)).toContainText(`Added @${mallory.handle} to the space.`);
  expect((await mallory.api.api.spaces({ id: study }).get()).status).toBe(200);
  await page.context().close();
});
