/** Methods that change something: cookie-authenticated ones must come from our own origin. */
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * CSRF defence for cookie sessions: a browser always sends `Origin` on cross-site writes,
 * and `Sec-Fetch-Site` tells same-origin from cross-site. Non-browser clients send neither.
 */
export function isCrossSiteWrite(request: Request): boolean {
  if (!UNSAFE.has(request.method)) return false;
  const origin = request.headers.get("origin");
  if (origin !== null) return origin === "null" || !sameHost(origin, request);
  const site = request.headers.get("sec-fetch-site");
  return site !== null && site !== "same-origin" && site !== "none";
}

function sameHost(origin: string, request: Request): boolean {
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return false;
  }
  const host =
    request.headers.get("x-forwarded-host") ??
    request.headers.get("host") ??
    new URL(request.url).host;
  return originHost === host;
}

/** True when the client reached us over TLS, directly or through a proxy. */
export function isSecure(request: Request): boolean {
  return request.url.startsWith("https:") || request.headers.get("x-forwarded-proto") === "https";
}
