/**
 * What scheme and host the client used, as our trusted proxies saw them. With `hops` proxies
 * in front, each appending to `Forwarded` (RFC 7239) or `X-Forwarded-Proto`/`-Host`, the entry
 * that counts is the one the outermost trusted proxy wrote (counted from the right, as for
 * X-Forwarded-For in client-address.ts); anything to its left is the client's own word.
 * With no trusted proxy those headers are ignored and the request itself answers.
 */
export type ClientView = { proto: "http" | "https"; host: string };

const FORWARDED = "forwarded";
const X_FORWARDED_PROTO = "x-forwarded-proto";
const X_FORWARDED_HOST = "x-forwarded-host";
const HOST = "host";

export function clientView(request: Request, hops: number): ClientView {
  const url = new URL(request.url);
  const direct: ClientView = {
    proto: url.protocol === "https:" ? "https" : "http",
    host: (request.headers.get(HOST) ?? url.host).trim().toLowerCase(),
  };
  if (hops <= 0) return direct;
  const element = trustedEntry(splitList(request.headers.get(FORWARDED)), hops);
  const params = element === undefined ? undefined : forwardedParams(element);
  const proto = protoOf(
    params?.get("proto") ?? trustedEntry(splitList(request.headers.get(X_FORWARDED_PROTO)), hops),
  );
  const host = hostOf(
    params?.get("host") ?? trustedEntry(splitList(request.headers.get(X_FORWARDED_HOST)), hops),
  );
  return { proto: proto ?? direct.proto, host: host ?? direct.host };
}

/** The entry written by the outermost of `hops` trusted proxies, if the list is that long. */
function trustedEntry(list: string[] | undefined, hops: number): string | undefined {
  if (!list || list.length < hops) return undefined;
  return list[list.length - hops];
}

/** Comma-separated entries, commas inside quoted strings kept; undefined if a quote is open. */
function splitList(header: string | null): string[] | undefined {
  if (header === null) return undefined;
  const entries: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < header.length; i++) {
    const char = header[i];
    if (quoted && char === "\\") {
      current += char + (header[i + 1] ?? "");
      i++;
    } else if (char === '"') {
      quoted = !quoted;
      current += char;
    } else if (char === "," && !quoted) {
      entries.push(current.trim());
      current = "";
    } else {
      current += char;
    }
  }
  if (quoted) return undefined;
  entries.push(current.trim());
  return entries.filter((entry) => entry.length > 0);
}

/** `key=value` pairs of one Forwarded element; keys lower-cased, quoted values unquoted. */
function forwardedParams(element: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const pair of element.split(";")) {
    const at = pair.indexOf("=");
    if (at <= 0) continue;
    const key = pair.slice(0, at).trim().toLowerCase();
    let value = pair.slice(at + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1).replace(/\\(.)/g, "$1");
    }
    if (!params.has(key)) params.set(key, value);
  }
  return params;
}

function protoOf(value: string | undefined): ClientView["proto"] | undefined {
  const proto = value?.trim().toLowerCase();
  return proto === "https" || proto === "http" ? proto : undefined;
}

/** A host[:port] with nothing a URL authority could not hold; anything else is ignored. */
function hostOf(value: string | undefined): string | undefined {
  const host = value?.trim().toLowerCase();
  return host && /^[a-z0-9.\-_[\]:%]+$/.test(host) ? host : undefined;
}
