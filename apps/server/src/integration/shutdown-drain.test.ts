import { expect, test } from "bun:test";
import type { Socket } from "bun";
import { describeEachDriver } from "../testing/databases.ts";
import { RawStream } from "../testing/raw-stream.ts";
import { waitFor } from "../testing/reader.ts";
import { beingWithSpace, startTestServer } from "../testing/test-server.ts";

/** A request sent in two parts over a raw socket, so that it is in flight when we choose. */
async function halfSentPost(url: string, path: string, token: string, body: string) {
  const { hostname, port } = new URL(url);
  let answer = "";
  const socket: Socket = await Bun.connect({
    hostname,
    port: Number(port),
    socket: {
      data(_socket, chunk) {
        answer += chunk.toString();
      },
    },
  });
  const bytes = Buffer.from(body);
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${bytes.length}\r\n\r\n`,
  );
  socket.write(bytes.subarray(0, 10));
  return {
    finish: () => socket.write(bytes.subarray(10)),
    status: () => Number(answer.split(" ")[1]),
    close: () => socket.end(),
  };
}

describeEachDriver("shutdown order: stop accepting, end the streams, drain, close", (db) => {
  test("a request in flight completes; new connections are refused; streams end", async () => {
    const server = await startTestServer(db.database);
    const owner = await beingWithSpace(server.url);
    const stream = await RawStream.open(server.url, owner.token, { spaceId: owner.space.id });
    await stream.event(0);
    const inFlight = await halfSentPost(
      server.url,
      `/api/spaces/${owner.space.id}/intentions`,
      owner.token,
      JSON.stringify({ content: "sent while the server stops" }),
    );

    await waitFor(
      () => server.requestsInFlight === 2,
      () => "the stream and the half-sent post to be in flight",
    );
    const stopped = server.stop();
    await stream.untilEnded();
    expect(stream.failed).toBe(false);
    expect(
      await fetch(`${server.url}/api/health`).then(
        () => "answered",
        () => "refused",
      ),
    ).toBe("refused");
    inFlight.finish();
    await waitFor(
      () => inFlight.status() > 0,
      () => "the request in flight to be answered",
    );
    expect(inFlight.status()).toBe(201);
    inFlight.close();
    await stopped;
  });
});
