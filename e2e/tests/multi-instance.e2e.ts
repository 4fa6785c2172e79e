import { apiClient, FaultProxy } from "@rhizome/testkit";
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

test("clients on two server instances converge, and resume on either one", async ({
  browser,
  stack,
}) => {
  test.skip(
    stack.database.kind !== "postgres",
    "needs Postgres (two instances share one database; PGlite is one process'): set DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres to run the two-instance scenario",
  );
  const second = await stack.addServer();
  const first = stack.server;
  const target = (server: typeof first) => ({ host: "127.0.0.1", port: server.port });
  // Ada's browser reaches the first instance, Grace's the second.
  stack.proxy.setTargets([target(first)]);
  const graceProxy = new FaultProxy([target(second)]).start();
  try {
    const ada = await createBeing(stack, "Ada Lovelace", "#3b5bdb");
    const grace = await createBeing(stack, "Grace Hopper", "#2f9e44");
    const spaceId = await createSpace(ada, { members: [grace] });
    const adaPage = await openAs(browser, stack, ada);
    const adaChat = new ChatPage(adaPage);
    await adaChat.open(spaceId);
    const gracePage = await openAs(browser, stack, grace, graceProxy.url);
    const graceChat = new ChatPage(gracePage);
    await graceChat.open(spaceId);

    // Writes through each instance reach the subscribers of the other.
    await adaChat.send("from Ada, on instance one");
    await expect(graceChat.byContent("from Ada, on instance one")).toBeVisible();
    await graceChat.send("from Grace, on instance two");
    await expect(adaChat.byContent("from Grace, on instance two")).toBeVisible();
    const graceOnTwo = { ...grace, api: apiClient(second.url, grace.token) };
    for (let i = 1; i <= 5; i++) {
      await post(ada, spaceId, `api on one ${i}`);
      await post(graceOnTwo, spaceId, `api on two ${i}`);
    }

    // Ada's proxy now balances round robin over both instances, and her stream is cut:
    // she resumes from her cursor on whichever instance answers (no sticky sessions).
    stack.proxy.setTargets([target(first), target(second)]);
    for (let round = 0; round < 3; round++) {
      stack.proxy.cutAll();
      await post(grace, spaceId, `during round ${round}`);
      await adaChat.expectState("live");
    }

    const db = await databaseState(ada, spaceId);
    expect(db.length).toBe(2 + 10 + 3);
    await adaChat.expectExactly(db);
    await graceChat.expectExactly(db);
    await adaPage.context().close();
    await gracePage.context().close();
  } finally {
    graceProxy.stop();
  }
});
