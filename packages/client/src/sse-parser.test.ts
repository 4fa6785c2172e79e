import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { SseParser } from "./sse-parser.ts";

const frame = (id: string, data: string) => `id: ${id}\nevent: space-delta\ndata: ${data}\n\n`;

describe("SseParser (conformance, over eventsource-parser)", () => {
  test("parses frames with id, event, data and retry", () => {
    const parser = new SseParser();
    const messages = parser.feed(
      `retry: 2000\n${frame("a", '{"x":1}')}: comment\n${frame("b", "2")}`,
    );
    expect(messages).toEqual([
      { id: "a", event: "space-delta", data: '{"x":1}', retry: 2000 },
      { id: "b", event: "space-delta", data: "2", retry: undefined },
    ]);
  });

  test("joins multi-line data and accepts CRLF and CR line ends", () => {
    const parser = new SseParser();
    expect(parser.feed("data: a\r\ndata: b\r\n\r\ndata: c\r\r")).toEqual([
      { id: undefined, event: "message", data: "a\nb", retry: undefined },
      { id: undefined, event: "message", data: "c", retry: undefined },
    ]);
  });

  test("any cut of the byte stream into chunks yields the same messages", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.json()), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.constantFrom("\n", "\r\n", "\r"),
        (frames, cuts, eol) => {
          const text = frames
            .map(([id, data]) => frame(id.replace(/[\r\n]/g, ""), data.replace(/[\r\n]/g, "")))
            .join("")
            .replaceAll("\n", eol);
          const whole = new SseParser().feed(text);
          const positions = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort(
            (a, b) => a - b,
          );
          const parser = new SseParser();
          const pieces: ReturnType<SseParser["feed"]> = [];
          let last = 0;
          for (const position of [...positions, text.length]) {
            pieces.push(...parser.feed(text.slice(last, position)));
            last = position;
          }
          expect(pieces).toEqual(whole);
          expect(whole.length).toBe(frames.length);
        },
      ),
    );
  });

  test("a CRLF split across chunks is one line end, even with an empty chunk between", () => {
    // A decoder hands out "" when a read holds only part of a multi-byte character.
    const parser = new SseParser();
    const messages = ["data: a\r", "", "\ndata: b\r", "\n\r", "", "\n"].flatMap((chunk) =>
      parser.feed(chunk),
    );
    expect(messages).toEqual([{ id: undefined, event: "message", data: "a\nb", retry: undefined }]);
  });

  test("a leading BOM is stripped and the first event kept", () => {
    expect(new SseParser().feed(`\uFEFF${frame("a", "1")}${frame("b", "2")}`)).toEqual([
      { id: "a", event: "space-delta", data: "1", retry: undefined },
      { id: "b", event: "space-delta", data: "2", retry: undefined },
    ]);
  });

  test("a BOM arriving alone in the first chunk is stripped too", () => {
    const parser = new SseParser();
    expect([...parser.feed("\uFEFF"), ...parser.feed(frame("a", "1"))]).toEqual([
      { id: "a", event: "space-delta", data: "1", retry: undefined },
    ]);
  });
});
