import type { Server } from "bun";

/** The header each trusted proxy appends the address it saw to. */
const FORWARDED_FOR = "x-forwarded-for";

/**
 * The address a request came from, for rate limits. With no trusted proxy it is the peer.
 * Behind `hops` proxies that each append to `X-Forwarded-For`, it is the entry the nearest
 * trusted proxy wrote: anything to its left was written by the client and can be forged.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | null,
  hops: number,
): string {
  if (hops > 0 && forwardedFor) {
    const chain = forwardedFor
      .split(",")
      .map((entry) => entry.trim())
      .filter((entry) => entry.length > 0);
    const seen = chain[chain.length - hops];
    if (seen) return seen;
  }
  return peer ?? "local";
}

/** `clientAddress` of a request as the server received it. */
export function requestAddress(
  request: Request,
  server: Server<unknown> | null | undefined,
  hops: number,
): string {
  return clientAddress(
    server?.requestIP(request)?.address,
    request.headers.get(FORWARDED_FOR),
    hops,
  );
}
