import { describe, expect, test } from "bun:test";
import { streamRequest } from "./conn-sse.ts";

describe("streamRequest", () => {
  const target = { host: "127.0.0.1", port: 4000, token: "t" };

  test("a GET stream has no body", () => {
    const request = streamRequest({ ...target, path: "/api/stream?spaceId=a" });
    expect(request.startsWith("GET /api/stream?spaceId=a HTTP/1.1\r\n")).toBe(true);
    expect(request).toContain("Authorization: Bearer t\r\n");
    expect(request.endsWith("\r\n\r\n")).toBe(true);
    expect(request).not.toContain("Content-Length");
  });

  test("a multi-space stream is a POST whose Content-Length counts the body's bytes", () => {
    const body = JSON.stringify({ spaces: [{ spaceId: "a", page: 1 }, { spaceId: "é" }] });
    const request = streamRequest({ ...target, path: "/api/stream", body });
    expect(request.startsWith("POST /api/stream HTTP/1.1\r\n")).toBe(true);
    expect(request).toContain("Content-Type: application/json\r\n");
    expect(request).toContain(`Content-Length: ${Buffer.byteLength(body)}\r\n`);
    const [head, sent] = request.split("\r\n\r\n");
    expect(head).toContain("Accept: text/event-stream");
    expect(sent).toBe(body);
  });
});
