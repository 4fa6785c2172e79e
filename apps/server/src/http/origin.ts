import { clientView } from "./forwarded.ts";

/** Methods that change something: cookie-authenticated ones must come from our own origin. */
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * CSRF defence for cookie sessions: a browser always sends `Origin` on cross-site writes,
 * and `Sec-Fetch-Site` tells same-origin from cross-site. Non-browser clients send neither.
 * `hops` is TRUST_PROXY_HOPS: only then are forwarded host and proto believed.
 */
export function isCrossSiteWrite(request: Request, hops = 0): boolean {
  if (!UNSAFE.has(request.method)) return false;
  const origin = request.headers.get("origin");
  if (origin !== null) return origin === "null" || !sameOrigin(origin, request, hops);
  const site = request.headers.get("sec-fetch-site");
  return site !== null && site !== "same-origin" && site !== "none";
}

/** Scheme, host and port must all match (URL drops default ports and lower-cases). */
function sameOrigin(origin: string, request: Request, hops: number): boolean {
  const served = clientView(request, hops);
  try {
    return new URL(origin).origin === new URL(`${served.proto}://${served.host}`).origin;
  } catch {
    return false;
  }
}

/** True when the client reached us over TLS, directly or through a trusted proxy. */
export function isSecure(request: Request, hops = 0): boolean {
  return request.url.startsWith("https:") || clientView(request, hops).proto === "https";
}
