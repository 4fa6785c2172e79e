import { describe, expect, test } from "bun:test";
import { splitLinks, type TextPart } from "./links.ts";

const links = (content: string) =>
  splitLinks(content).filter(
    (part): part is Extract<TextPart, { kind: "link" }> => part.kind === "link",
  );

describe("splitLinks", () => {
  test("plain text is one text part; an empty message has none", () => {
    expect(splitLinks("no links here")).toEqual([{ kind: "text", text: "no links here" }]);
    expect(splitLinks("")).toEqual([]);
  });

  test("an http(s) URL becomes a link between the text around it", () => {
    expect(splitLinks("see https://example.com/a?b=1#c now")).toEqual([
      { kind: "text", text: "see " },
      { kind: "link", text: "https://example.com/a?b=1#c", href: "https://example.com/a?b=1#c" },
      { kind: "text", text: " now" },
    ]);
  });

  test("the parts put back together are the message, character for character", () => {
    const content = "a http://x.org, b (https://en.wikipedia.org/wiki/Foo_(bar)) c.\nhttps://y.io!";
    expect(
      splitLinks(content)
        .map((part) => part.text)
        .join(""),
    ).toBe(content);
  });

  test("trailing punctuation and enclosing brackets stay text; balanced ones stay in the URL", () => {
    expect(links("go to https://example.com.").map((l) => l.text)).toEqual(["https://example.com"]);
    expect(links("(see https://example.com/x)").map((l) => l.text)).toEqual([
      "https://example.com/x",
    ]);
    expect(links("https://en.wikipedia.org/wiki/Foo_(bar)").map((l) => l.text)).toEqual([
      "https://en.wikipedia.org/wiki/Foo_(bar)",
    ]);
    expect(links('"https://example.com/q"?').map((l) => l.text)).toEqual(["https://example.com/q"]);
  });

  test("javascript:, data:, vbscript:, file:, mailto: and ftp: are never links", () => {
    for (const content of [
      "javascript:alert(1)",
      "click javascript://example.com/%0Aalert(1)",
      "JaVaScRiPt:alert(document.cookie)",
      "data:text/html,<script>alert(1)</script>",
      "vbscript:msgbox(1)",
      "file:///etc/passwd",
      "mailto:ada@example.com",
      "ftp://example.com/file",
      "//example.com/protocol-relative",
    ]) {
      expect(links(content), content).toEqual([]);
    }
  });

  test("bare domains and emails stay text: only what the writer spelled as a web address links", () => {
    expect(links("example.com and ada@example.com and www.example.com")).toEqual([]);
  });

  test("several links, upper-case schemes and unicode hosts", () => {
    const found = links("HTTPS://EXAMPLE.COM/A and http://bücher.example/ü");
    expect(found.map((l) => l.text)).toEqual(["HTTPS://EXAMPLE.COM/A", "http://bücher.example/ü"]);
    expect(found.map((l) => new URL(l.href).protocol)).toEqual(["https:", "http:"]);
  });

  test("an address that a URL parser refuses is text", () => {
    expect(links("http:// nothing")).toEqual([]);
    expect(links("https://[::1")).toEqual([]);
  });

  test("a link's href is always http: or https:", () => {
    const tricky =
      'https://a.b/<script> http://x.y/"onmouseover=alert(1) https://user:pw@host.example/';
    for (const link of links(tricky))
      expect(["http:", "https:"]).toContain(new URL(link.href).protocol);
  });
});
