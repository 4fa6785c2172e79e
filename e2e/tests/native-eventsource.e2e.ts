import { applyEvent, initialState, SYNC_EVENT_TYPE } from "@rhizome/protocol";
import {
  createBeing,
  createSpace,
  databaseState,
  expect,
  openAs,
  post,
  test,
} from "../support/fixtures.ts";

/**
 * A browser's own EventSource, opened with `?since=`, resumes by itself through a server
 * restart: it sends `Last-Event-ID`, which wins over the `since` its URL still carries
 * (docs/PROTOCOL.md §4). Every frame it received, applied in order, ends equal to the
 * database with no gap.
 */
test("a native EventSource opened with ?since= resumes from its last frame through a restart", async ({
  browser,
  stack,
}) => {
  const ada = await createBeing(stack, "Ada Lovelace", "#3b5bdb");
  const spaceId = await createSpace(ada);
  const first = await post(ada, spaceId, "the cursor it opens with");
  const page = await openAs(browser, stack, ada);
  await page.goto("/");
  await page.evaluate(
    ({ spaceId, since, type }) => {
      const frames: string[] = [];
      (window as unknown as { frames_: string[] }).frames_ = frames;
      const source = new EventSource(`/api/stream?spaceId=${spaceId}&since=${since}`);
      source.addEventListener(type, (event) => frames.push((event as MessageEvent).data));
    },
    { spaceId, since: first.updatedAt, type: SYNC_EVENT_TYPE },
  );
  const frames = () =>
    page.evaluate(() => [...(window as unknown as { frames_: string[] }).frames_]);
  const contents = async () =>
    (await frames()).flatMap((data) =>
      (JSON.parse(data) as { created: { content: string }[] }).created.map((i) => i.content),
    );

  await post(ada, spaceId, "live, before the restart");
  await expect.poll(contents).toContain("live, before the restart");
  await stack.server.kill("SIGKILL");
  await stack.server.launch();
  await post(ada, spaceId, "after the restart");
  // The EventSource reconnects by itself (the server's retry hint) from its last frame.
  await expect.poll(contents, { timeout: 30_000 }).toContain("after the restart");

  let state = initialState(spaceId, first.updatedAt);
  const outcomes: string[] = [];
  for (const data of await frames()) {
    const next = applyEvent(state, JSON.parse(data));
    outcomes.push(next.outcome.kind);
    state = next.state;
  }
  expect(outcomes).not.toContain("gap");
  expect(outcomes.filter((kind) => kind === "applied").length).toBeGreaterThanOrEqual(2);
  const db = await databaseState(ada, spaceId);
  expect(state.window.map(({ id, content }) => ({ id, content }))).toEqual(db.slice(1));
  await page.context().close();
});
