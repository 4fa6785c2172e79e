import type { Locator, Page } from "@playwright/test";
import { QUERY_PARAMS, ROUTES, SESSION_COOKIE, SYNC_EVENT_TYPE } from "@rhizome/protocol";
import { apiClient, ServerProcess } from "@rhizome/testkit";
import {
  ChatPage,
  createBeing,
  createSpace,
  databaseState,
  expect,
  test,
} from "../support/fixtures.ts";
import { findProxyBinary, type ProxyKind } from "../support/proxy-binaries.ts";
import { insecureTls, ReverseProxy } from "../support/reverse-proxy.ts";
import { serverEnv } from "../support/stack.ts";

/** More streams than HTTP/1.1's six connections per origin could hold. */
const TABS = 10;
const PASSWORD = "correct horse battery";

/** Open streams on one instance, from its public /metrics totals. */
async function openStreams(server: ServerProcess): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^rhizome_open_streams (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

/**
 * Posts through the proxy with a client-made id, again until acknowledged (as clients do):
 * while the proxy learns that an instance died, a request can still meet its dead connection.
 */
async function postUntilAcknowledged(url: string, token: string, spaceId: string, content: string) {
  const id = crypto.randomUUID();
  const seen: string[] = [];
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const response = await fetch(`${url}/api/spaces/${spaceId}/intentions`, {
      ...insecureTls,
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ id, content }),
    }).catch((error: unknown) => String(error));
    if (typeof response !== "string" && response.ok) return id;
    seen.push(typeof response === "string" ? response : String(response.status));
    await Bun.sleep(200);
  }
  throw new Error(`"${content}" was never acknowledged through the proxy: ${seen.join(", ")}`);
}

const protocolOf = (page: Page) =>
  page.evaluate(
    () =>
      (performance.getEntriesByType("navigation")[0] as PerformanceResourceTiming)?.nextHopProtocol,
  );

for (const kind of ["nginx", "caddy"] as ProxyKind[]) {
  test(`through ${kind} (deploy/): sign-in, chat, ${TABS} tabs live over HTTP/2, an instance killed`, async ({
    browser,
    stack,
  }) => {
    // CI must run this: a missing proxy is a failure saying how to install it, not a skip.
    const binary = findProxyBinary(kind);
    if (!binary.ok) throw new Error(binary.message);
    test.skip(
      stack.database.kind !== "postgres",
      "needs Postgres (two instances share one database): set DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres",
    );
    const env = { ...serverEnv(stack.database), TRUST_PROXY_HOPS: "1", LOG_REQUESTS: "1" };
    const instances = await Promise.all([
      ServerProcess.start({ env }),
      ServerProcess.start({ env }),
    ]);
    const proxy = await ReverseProxy.start(kind, [
      `127.0.0.1:${instances[0].port}`,
      `127.0.0.1:${instances[1].port}`,
    ]);
    const context = await browser.newContext({ baseURL: proxy.url, ignoreHTTPSErrors: true });
    try {
      // Plain HTTP only redirects to https.
      const plain = await fetch(`${proxy.httpUrl}/`, { redirect: "manual" });
      expect([301, 308]).toContain(plain.status);
      expect(plain.headers.get("location") ?? "").toMatch(/^https:\/\//);

      // Ada signs in through the UI: the Origin check passes only if Host keeps its port.
      const ada = await createBeing(stack, "Ada Lovelace", "#3b5bdb");
      const grace = await createBeing(stack, "Grace Hopper", "#2f9e44");
      const first = await context.newPage();
      await first.goto("/signin");
      await first.getByLabel("Handle").fill(ada.handle);
      await first.getByLabel("Password").fill(PASSWORD);
      await first.getByRole("button", { name: "Sign in" }).click();
      await expect(first.getByRole("heading", { name: "Spaces", exact: true })).toBeVisible();
      const session = (await context.cookies()).find((cookie) => cookie.name === SESSION_COOKIE);
      expect(session?.secure, "the session cookie is Secure behind TLS").toBe(true);
      expect(session?.httpOnly).toBe(true);

      // A space made in the UI (a cookie-authenticated POST), nine more through the API.
      await first.getByTestId("space-name").fill("Through the proxy");
      await first.getByTestId("space-create").click();
      await expect(first).toHaveURL(/\/spaces\/[0-9a-f-]{36}$/);
      const spaceIds = [first.url().split("/").at(-1) as string];
      const adaApi = apiClient(instances[0].url, session?.value);
      await adaApi.api.spaces({ id: spaceIds[0] as string }).members.post({ beingId: grace.id });
      for (let i = 1; i < TABS; i++) spaceIds.push(await createSpace(ada, { members: [grace] }));

      // Ten tabs of one browser, one space each, every one live at once: HTTP/2.
      const chats = [new ChatPage(first)];
      for (let i = 1; i < TABS; i++) chats.push(new ChatPage(await context.newPage()));
      await chats[0]?.expectState("live");
      for (const [i, chat] of chats.entries()) {
        if (i > 0) await chat.open(spaceIds[i] as string);
      }
      for (const chat of chats) {
        await chat.expectState("live");
        expect(await protocolOf(chat.page)).toBe("h2");
      }
      // The ten tabs share the browser's one stream (DESIGN §8), whichever instance holds it.
      const streamsOpen = async () =>
        (await openStreams(instances[0])) + (await openStreams(instances[1]));
      await expect.poll(streamsOpen).toBe(1);

      // HTTP/2 through the proxy: ten streams of one page at once, each getting its first
      // frame (over HTTP/1.1 the browser would hold the seventh back: six per origin).
      const firstFrames = await first.evaluate(
        async ({ ids, route, param, event }) => {
          const sources = ids.map((id) => new EventSource(`${route}?${param}=${id}`));
          const framed = sources.map(
            (source) =>
              new Promise<void>((resolve) => source.addEventListener(event, () => resolve())),
          );
          await Promise.all(framed);
          for (const source of sources) source.close();
          return framed.length;
        },
        {
          ids: spaceIds,
          route: ROUTES.stream,
          param: QUERY_PARAMS.spaceId,
          event: SYNC_EVENT_TYPE,
        },
      );
      expect(firstFrames).toBe(TABS);
      await expect.poll(streamsOpen).toBe(1);

      // Chat both ways through the proxy.
      await chats[0]?.send("Hello through the proxy");
      // Sent: acknowledged by the server through the proxy (a cookie POST past the Origin check).
      await expect(chats[0]?.byContent("Hello through the proxy") as Locator).toHaveAttribute(
        "data-status",
        "sent",
      );
      const hello = await databaseState(grace, spaceIds[0] as string);
      expect(hello.map((item) => item.content)).toEqual(["Hello through the proxy"]);
      for (const [i, spaceId] of spaceIds.entries()) {
        await postUntilAcknowledged(proxy.url, grace.token, spaceId, `welcome to tab ${i}`);
      }
      for (const [i, chat] of chats.entries()) {
        await expect(chat.byContent(`welcome to tab ${i}`)).toBeVisible();
      }

      // Grace keeps posting while the instance holding the browser's stream is SIGKILLed: the
      // tabs resume on the other one by their cursors, and nothing is lost or doubled.
      const counts = await Promise.all(instances.map(openStreams));
      const victim = (counts[0] ?? 0) >= (counts[1] ?? 0) ? instances[0] : instances[1];
      const victimHeld = await openStreams(victim);
      expect(victimHeld).toBe(1);
      let firstRoundDone = () => {};
      const firstRound = new Promise<void>((resolve) => {
        firstRoundDone = resolve;
      });
      const posting = (async () => {
        for (let round = 0; round < 3; round++) {
          for (const [i, spaceId] of spaceIds.entries()) {
            await postUntilAcknowledged(proxy.url, grace.token, spaceId, `round ${round} tab ${i}`);
          }
          firstRoundDone();
        }
      })();
      await firstRound;
      await victim.kill("SIGKILL");
      await posting;
      for (const [i, chat] of chats.entries()) {
        await chat.expectState("live");
        const db = await databaseState(grace, spaceIds[i] as string);
        expect(db.length).toBe(i === 0 ? 5 : 4);
        await chat.expectExactly(db);
      }
      const survivor = victim === instances[0] ? instances[1] : instances[0];
      await expect.poll(() => openStreams(survivor)).toBe(1);

      // The tabs close: the stream is logged by the instance as it ends, with the address the
      // proxy saw and the proxy's request id.
      await context.close();
      const streamLog = () =>
        survivor.output
          .join("")
          .split("\n")
          .filter((line) => line.startsWith("{") && line.includes(`"path":"${ROUTES.stream}"`))
          .map(
            (line) => JSON.parse(line) as { remote: string; requestId?: string; stream?: string },
          );
      await expect
        .poll(() => streamLog().filter((line) => line.stream === "client-gone").length)
        .toBeGreaterThanOrEqual(1);
      for (const line of streamLog()) {
        expect(line.remote).toBe("127.0.0.1");
        expect(line.requestId ?? "").not.toBe("");
      }

      if (kind === "nginx") {
        // Each stream is logged as it ends: the ten EventSources, the victim's, the survivor's.
        const streamLines = () =>
          proxy
            .accessLog()
            .split("\n")
            .filter((line) => line.includes(ROUTES.stream));
        await expect.poll(() => streamLines().length).toBeGreaterThanOrEqual(TABS + victimHeld + 1);
        for (const line of streamLines()) expect(line).toContain("HTTP/2.0");
      }
    } finally {
      await context.close();
      await proxy.stop();
      for (const instance of instances) await instance.kill("SIGTERM");
    }
  });
}
