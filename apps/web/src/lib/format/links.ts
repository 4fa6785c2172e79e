import { LinkifyIt } from "linkify-it";

/** A piece of a message: plain text, or a link to open (always http or https). */
export type TextPart =
  | { kind: "text"; text: string }
  | { kind: "link"; text: string; href: string };

/** Only what starts with http:// or https://: no bare domains, no mailto, ftp or `//` links. */
const linkify = new LinkifyIt({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false })
  .add("ftp:", null)
  .add("mailto:", null)
  .add("//", null);

const WEB_SCHEMES = new Set(["http:", "https:"]);

/** The address a browser would open for `url`, or undefined unless it is an http(s) URL. */
function webHref(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return WEB_SCHEMES.has(parsed.protocol) ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Splits a message into text and links, as data for the template to render (never HTML):
 * whatever is not an http(s) URL, `javascript:` included, stays text.
 */
export function splitLinks(content: string): TextPart[] {
  const matches = linkify.match(content) ?? [];
  const parts: TextPart[] = [];
  let at = 0;
  const text = (until: number) => {
    if (until > at) parts.push({ kind: "text", text: content.slice(at, until) });
  };
  for (const match of matches) {
    const href = webHref(match.url);
    if (href === undefined) continue;
    text(match.index);
    parts.push({ kind: "link", text: content.slice(match.index, match.lastIndex), href });
    at = match.lastIndex;
  }
  text(content.length);
  return parts;
}
