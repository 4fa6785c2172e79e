import { createHash, timingSafeEqual } from "node:crypto";
import { BEARER_PREFIX } from "@rhizome/protocol";

/** True when `header` is `Bearer <token>`; compared in constant time (digests of equal length). */
export function bearerMatches(header: string | null, token: string): boolean {
  if (!header?.startsWith(BEARER_PREFIX)) return false;
  const given = createHash("sha256").update(header.slice(BEARER_PREFIX.length).trim()).digest();
  return timingSafeEqual(given, createHash("sha256").update(token).digest());
}

/**
 * Prometheus text with every labelled series dropped (per-space and the like), with its
 * HELP and TYPE lines: what anyone may see when no METRICS_TOKEN is configured.
 */
export function totalsOnly(text: string): string {
  const labelled = new Set<string>();
  for (const line of text.split("\n")) {
    const name = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{/.exec(line)?.[1];
    if (name) labelled.add(name);
  }
  const kept = text.split("\n").filter((line) => {
    const name = line.startsWith("#")
      ? line.split(/\s+/)[2]
      : /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    return name === undefined || !labelled.has(name);
  });
  return kept.join("\n");
}
