/** A bot that follows every space it is a member of over ONE stream and answers `!ping`. */
import { fetchMultiTransport, MultiSyncClient } from "@rhizome/client";
import { API_PREFIX, BEARER_PREFIX, HEADERS, type Intention, retryable } from "@rhizome/protocol";

export type PingBotOptions = {
  url: string;
  token: string;
  signal: AbortSignal;
  /** Called once every followed space has had its first frame (a test waits for it). */
  onReady?: () => void;
};

export async function runPingBot({ url, token, signal, onReady }: PingBotOptions): Promise<void> {
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${url}${API_PREFIX}${path}`, {
      ...init,
      headers: {
        [HEADERS.authorization]: `${BEARER_PREFIX}${token}`,
        [HEADERS.contentType]: "application/json",
      },
    });
  const me: string = (await (await api("/me")).json()).being.id;
  // Member entries only: a public space listed with `role: null` is one we have not joined.
  const memberSpaces = async (): Promise<string[]> => {
    const { spaces } = (await (await api("/spaces")).json()) as {
      spaces: { id: string; role: string | null }[];
    };
    return spaces.filter((space) => space.role !== null).map((space) => space.id);
  };
  const client = new MultiSyncClient({
    spaces: (await memberSpaces()).map((spaceId) => ({ spaceId, page: 1 })),
    transport: fetchMultiTransport({ baseUrl: url, token }),
    refetchSpaces: memberSpaces,
  });
  const answers = new Set<Promise<void>>();
  const answer = async ({ spaceId }: Intention) => {
    // One id for every try, so that a retried post is not a second pong.
    const body = JSON.stringify({ id: crypto.randomUUID(), content: "pong" });
    for (let attempt = 0; attempt < 5; attempt++) {
      const status = await api(`/spaces/${spaceId}/intentions`, { method: "POST", body }).then(
        (r) => r.status,
        () => 0,
      );
      if (!retryable(status, "send")) return;
      await Bun.sleep(500 * 2 ** attempt);
    }
  };
  client.onFrame(({ outcome, event }) => {
    // Only new intentions: a reset (every first frame) is history, not a question.
    if (outcome.kind !== "applied" || !event) return;
    for (const intention of event.created) {
      if (intention.content !== "!ping" || intention.authorId === me) continue;
      const sent = answer(intention).finally(() => answers.delete(sent));
      answers.add(sent);
    }
  });
  const unsubscribe = client.subscribe(() => {
    if (client.spaceIds.some((spaceId) => client.space(spaceId)?.cursor === null)) return;
    unsubscribe();
    onReady?.();
  });
  client.start();
  if (!signal.aborted)
    await new Promise((done) => signal.addEventListener("abort", done, { once: true }));
  client.stop();
  await Promise.allSettled(answers);
}

async function signIn(url: string): Promise<string> {
  const { RHIZOME_TOKEN: token, RHIZOME_HANDLE: handle, RHIZOME_PASSWORD: password } = process.env;
  if (token) return token;
  if (!handle || !password)
    throw new Error("set RHIZOME_TOKEN, or RHIZOME_HANDLE and RHIZOME_PASSWORD");
  const response = await fetch(`${url}${API_PREFIX}/auth/signin`, {
    method: "POST",
    headers: { [HEADERS.contentType]: "application/json" },
    body: JSON.stringify({ handle, password }),
  });
  if (!response.ok) throw new Error(`sign-in failed: HTTP ${response.status}`);
  return (await response.json()).token;
}

if (import.meta.main) {
  const url = process.env.RHIZOME_URL ?? "http://localhost:3000";
  const stop = new AbortController();
  process.on("SIGINT", () => stop.abort());
  console.log(`ping-bot: following every space of this being on ${url} (Ctrl-C stops)`);
  await runPingBot({ url, token: await signIn(url), signal: stop.signal });
}
