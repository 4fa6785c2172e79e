import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Being, type Space, SYNC_EVENT_TYPE } from "@rhizome/protocol";
import { sql } from "drizzle-orm";
import { describeEachDriver } from "../testing/databases.ts";
import { readToEnd, readUntil, TestApp } from "../testing/test-app.ts";
import { hashToken } from "./auth/tokens.ts";

/** Access ends the moment it is revoked: the token, and every stream it opened (docs/PROTOCOL.md §2). */
describeEachDriver("revocation", (handle) => {
  let app: TestApp;
  let owner: { being: Being; token: string };
  let member: { being: Being; token: string };

  beforeAll(async () => {
    app = await TestApp.create(handle.database);
    owner = await app.signup("revoke_owner");
    member = await app.signup("revoke_member");
  });
  afterAll(() => app.close());

  async function createSpace(visibility: Space["visibility"]): Promise<string> {
    const { space } = await app.expect<{ space: Space }>(201, "POST", "/api/spaces", {
      token: owner.token,
      body: { name: `Revocation ${visibility}`, visibility },
    });
    await app.expect(201, "POST", `/api/spaces/${space.id}/members`, {
      token: owner.token,
      body: { beingId: member.being.id },
    });
    return space.id;
  }

  /** Opens a stream and waits for its first frame, so that it is attached to the fan-out. */
  async function openStream(token: string, spaceId: string) {
    const response = await app.request("GET", `/api/stream?spaceId=${spaceId}`, { token });
    expect(response.status).toBe(200);
    const { reader, text } = await readUntil(response.body as ReadableStream<Uint8Array>, (read) =>
      read.includes("\n\n"),
    );
    expect(text).toContain(`event: ${SYNC_EVENT_TYPE}`);
    return reader;
  }

  /** Resolves with the text once a frame mentioning `needle` arrives: the stream is alive. */
  async function receives(reader: ReadableStreamDefaultReader<Uint8Array>, needle: string) {
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes(needle)) {
      const chunk = await reader.read();
      if (chunk.done) throw new Error(`the stream ended before "${needle}" arrived`);
      text += decoder.decode(chunk.value, { stream: true });
    }
  }

  test("signing out revokes the token: it answers 401 afterwards", async () => {
    const token = await app.newSession(member.being.id);
    await app.expect(200, "GET", "/api/me", { token });
    const response = await app.request("POST", "/api/auth/signout", { token });
    expect(response.status).toBe(204);
    expect(response.headers.get("set-cookie")).toContain("Max-Age=0");
    for (const [method, path] of [
      ["GET", "/api/me"],
      ["GET", "/api/spaces"],
      ["POST", "/api/auth/signout"],
    ] as const) {
      const after = await app.request(method, path, { token });
      expect(after.status).toBe(401);
    }
  });

  test("signing out ends that session's open streams, and only that session's", async () => {
    const spaceId = await createSpace("public");
    const leaving = await app.newSession(member.being.id);
    const staying = await app.newSession(member.being.id);
    const doomed = [await openStream(leaving, spaceId), await openStream(leaving, spaceId)];
    const survivor = await openStream(staying, spaceId);

    await app.expect(204, "POST", "/api/auth/signout", { token: leaving });
    await Promise.all(doomed.map((reader) => readToEnd(reader)));

    await app.expect(201, "POST", `/api/spaces/${spaceId}/intentions`, {
      token: owner.token,
      body: { content: "still listening?" },
    });
    await receives(survivor, "still listening?");
    await survivor.cancel();
  });

  test("removing a member of a private space ends their access and their streams of it", async () => {
    const privateSpace = await createSpace("private");
    const publicSpace = await createSpace("public");
    const token = await app.newSession(member.being.id);
    const privateStream = await openStream(token, privateSpace);
    const publicStream = await openStream(token, publicSpace);

    await app.expect(204, "DELETE", `/api/spaces/${privateSpace}/members/${member.being.id}`, {
      token: owner.token,
    });
    await readToEnd(privateStream);

    const asMember = { token };
    await app.expect(404, "GET", `/api/spaces/${privateSpace}`, asMember);
    await app.expect(404, "GET", `/api/spaces/${privateSpace}/intentions`, asMember);
    await app.expect(404, "GET", `/api/stream?spaceId=${privateSpace}`, asMember);
    await app.expect(404, "POST", `/api/spaces/${privateSpace}/intentions`, {
      ...asMember,
      body: { content: "let me in" },
    });
    await app.expect(404, "POST", `/api/spaces/${privateSpace}/join`, asMember);

    // Their other streams are untouched.
    await app.expect(201, "POST", `/api/spaces/${publicSpace}/intentions`, {
      token: owner.token,
      body: { content: "public news" },
    });
    await receives(publicStream, "public news");
    await publicStream.cancel();
  });

  // An id is the same id in any letter case: no spelling may dodge a revocation.
  const upper = (id: string) => id.toUpperCase();
  const mixed = (id: string) =>
    [...id].map((char, index) => (index % 2 ? char.toUpperCase() : char)).join("");

  test("a stream opened with the space id in another letter case ends when the member is removed", async () => {
    const privateSpace = await createSpace("private");
    const token = await app.newSession(member.being.id);
    const shouted = await openStream(token, upper(privateSpace));
    const mixedCase = await openStream(token, mixed(privateSpace));
    await app.expect(204, "DELETE", `/api/spaces/${privateSpace}/members/${member.being.id}`, {
      token: owner.token,
    });
    await readToEnd(shouted);
    await readToEnd(mixedCase);
    for (const variant of [privateSpace, upper(privateSpace), mixed(privateSpace)]) {
      await app.expect(404, "GET", `/api/stream?spaceId=${variant}`, { token });
    }
  });

  test("the owner removing a member by an upper-case id ends the member's stream", async () => {
    const privateSpace = await createSpace("private");
    const token = await app.newSession(member.being.id);
    const stream = await openStream(token, privateSpace);
    await app.expect(
      204,
      "DELETE",
      `/api/spaces/${upper(privateSpace)}/members/${upper(member.being.id)}`,
      { token: owner.token },
    );
    await readToEnd(stream);
    await app.expect(404, "GET", `/api/spaces/${privateSpace}`, { token });
  });

  test("a read check cached under one spelling is evicted for every spelling", async () => {
    const privateSpace = await createSpace("private");
    const token = await app.newSession(member.being.id);
    // Cached as readable under the mixed spelling, then revoked.
    await (await openStream(token, mixed(privateSpace))).cancel();
    await app.expect(204, "DELETE", `/api/spaces/${privateSpace}/members/${member.being.id}`, {
      token: owner.token,
    });
    await app.expect(404, "GET", `/api/stream?spaceId=${mixed(privateSpace)}`, { token });
  });

  test("leaving a private space yourself ends your streams of it too", async () => {
    const privateSpace = await createSpace("private");
    const stream = await openStream(member.token, privateSpace);
    await app.expect(204, "DELETE", `/api/spaces/${privateSpace}/members/${member.being.id}`, {
      token: member.token,
    });
    await readToEnd(stream);
    await app.expect(404, "GET", `/api/spaces/${privateSpace}`, { token: member.token });
  });
});

describeEachDriver("revocation across instances, whoever makes it", (handle) => {
  let first: TestApp;
  let second: TestApp;
  let being: { being: Being; token: string };
  let spaceId: string;

  beforeAll(async () => {
    first = await TestApp.create(handle.database);
    second = await TestApp.create(handle.database);
    being = await first.signup("everywhere");
    const { space } = await first.expect<{ space: Space }>(201, "POST", "/api/spaces", {
      token: being.token,
      body: { name: "Everywhere" },
    });
    spaceId = space.id;
  });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  /** A stream on the second instance, attached (its session now in that instance's cache). */
  async function streamOnSecond(token: string) {
    const response = await second.request("GET", `/api/stream?spaceId=${spaceId}`, { token });
    expect(response.status).toBe(200);
    const { reader } = await readUntil(response.body as ReadableStream<Uint8Array>, (read) =>
      read.includes("\n\n"),
    );
    return reader;
  }

  test("signing out on one instance is refused on the other at once, and ends its streams", async () => {
    const token = await first.newSession(being.being.id);
    await second.expect(200, "GET", "/api/me", { token });
    const stream = await streamOnSecond(token);
    await first.expect(204, "POST", "/api/auth/signout", { token });
    // No waiting: the other instance already refuses the token.
    await second.expect(401, "GET", "/api/me", { token });
    await readToEnd(stream);
  });

  test("an expiry moved into the past by hand is exact: refused at once, streams end", async () => {
    const token = await first.newSession(being.being.id);
    const stream = await streamOnSecond(token);
    await handle.database.db.execute(
      sql`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = ${hashToken(token)}`,
    );
    await second.expect(401, "GET", "/api/me", { token });
    await readToEnd(stream);
    await first.expect(401, "GET", `/api/stream?spaceId=${spaceId}`, { token });
  });

  test("a session row deleted by hand is refused at once, and its streams end", async () => {
    const token = await first.newSession(being.being.id);
    const stream = await streamOnSecond(token);
    await handle.database.db.execute(
      sql`DELETE FROM sessions WHERE token_hash = ${hashToken(token)}`,
    );
    await first.expect(401, "GET", "/api/me", { token });
    await readToEnd(stream);
  });

  test("a membership deleted by hand ends the private space's streams on every instance", async () => {
    const member = await first.signup("everywhere_member");
    const { space } = await first.expect<{ space: Space }>(201, "POST", "/api/spaces", {
      token: being.token,
      body: { name: "Everywhere private", visibility: "private" },
    });
    await first.expect(201, "POST", `/api/spaces/${space.id}/members`, {
      token: being.token,
      body: { beingId: member.being.id },
    });
    const response = await second.request("GET", `/api/stream?spaceId=${space.id}`, {
      token: member.token,
    });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await handle.database.db.execute(
      sql`DELETE FROM space_members WHERE space_id = ${space.id} AND being_id = ${member.being.id}`,
    );
    await readToEnd(reader);
    await second.expect(404, "GET", `/api/stream?spaceId=${space.id}`, { token: member.token });
  });
});

describeEachDriver("revocation racing stream opens", (handle) => {
  let app: TestApp;
  let member: { being: Being; token: string };
  let spaceId: string;

  beforeAll(async () => {
    app = await TestApp.create(handle.database);
    member = await app.signup("race_member");
    const { space } = await app.expect<{ space: Space }>(201, "POST", "/api/spaces", {
      token: member.token,
      body: { name: "Race" },
    });
    spaceId = space.id;
  });
  afterAll(() => app.close());

  // A revocation that lands while the channel computes a stream's first frame must still
  // close it (the fan-out tracks streams from open to close, not only attached ones).
  test("a stream opened while its session is being revoked does not outlive the revocation", async () => {
    for (let round = 0; round < 5; round++) {
      const token = await app.newSession(member.being.id);
      const opening = Array.from({ length: 12 }, () =>
        app.request("GET", `/api/stream?spaceId=${spaceId}`, { token }),
      );
      const signout = app.request("POST", "/api/auth/signout", { token });
      const responses = await Promise.all(opening);
      expect((await signout).status).toBe(204);
      for (const response of responses) {
        expect([200, 401]).toContain(response.status);
        if (response.status === 200) {
          await readToEnd((response.body as ReadableStream<Uint8Array>).getReader());
        } else {
          await response.text();
        }
      }
    }
  });
});
