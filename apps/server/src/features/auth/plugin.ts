import { BEARER_PREFIX, HEADERS, SESSION_COOKIE } from "@rhizome/protocol";
import { Elysia } from "elysia";
import { forbidden, revoked, unauthorized } from "../../failure.ts";
import { ApiError } from "../../http/api-error.ts";
import { clientAddress } from "../../http/client-address.ts";
import { isCrossSiteWrite } from "../../http/origin.ts";
import type { AuthService } from "./service.ts";

function bearerToken(header: string | undefined): string | undefined {
  if (!header?.startsWith(BEARER_PREFIX)) return undefined;
  const token = header.slice(BEARER_PREFIX.length).trim();
  return token === "" ? undefined : token;
}

/** Reads the session cookie straight from the header: the token is opaque, never parsed. */
function cookieToken(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === SESSION_COOKIE) return value.join("=") || undefined;
  }
  return undefined;
}

/**
 * `{ auth: true }` (or `streamAuth`) on a route resolves `being` and `sessionKey` from the bearer token or
 * the `rz_session` cookie, or answers 401. Cookie sessions also pass the CSRF check.
 * `sessionIsLive()` asks the database again, and `accessEpoch` is the revocation count read
 * before the session was checked, for routes that must re-check after attaching a stream.
 */
export function authentication(
  service: AuthService,
  accessEpoch: () => number,
  trustProxyHops = 0,
) {
  /** The session each request proved, from its transform hook to its resolve. */
  const verified = new WeakMap<Request, Awaited<ReturnType<typeof verify>>>();
  return new Elysia({ name: "authentication" })
    .derive({ as: "global" }, ({ request, server }) => ({
      /** Who is asking, for rate limits: the peer, or what the trusted proxies saw. */
      clientKey: clientAddress(
        server?.requestIP(request)?.address,
        request.headers.get("x-forwarded-for"),
        trustProxyHops,
      ),
    }))
    .macro({
      auth: sessionMacro(false),
      streamAuth: sessionMacro(true),
    });

  /**
   * `auth` asks the database on every request, so a revocation holds at once everywhere.
   * `streamAuth` may answer from the session cache (a reconnect storm costs one query): the
   * revocation's notification closes what such a check let through.
   */
  function sessionMacro(cached: boolean) {
    return {
      // Shown in the OpenAPI document: these routes take the bearer token (or the cookie).
      detail: { security: [{ bearer: [] }] },
      // Who is asking comes before what they sent: transform runs before validation, so a
      // request without a valid session is a 401 even when its body is wrong too.
      async transform({ request }: { request: Request }) {
        verified.set(request, await verify(request, cached));
      },
      resolve({ request }: { request: Request }) {
        const session = verified.get(request);
        if (!session) throw new ApiError(unauthorized());
        return session;
      },
    };
  }

  async function verify(request: Request, cached: boolean) {
    const bearer = bearerToken(request.headers.get(HEADERS.authorization) ?? undefined);
    const token = bearer ?? cookieToken(request.headers.get("cookie"));
    if (!token) throw new ApiError(unauthorized());
    if (!bearer && isCrossSiteWrite(request, trustProxyHops)) {
      throw new ApiError(forbidden("cross-site request refused"));
    }
    const epoch = accessEpoch();
    const session = await service.authenticate(token, cached);
    if (!session) throw new ApiError(revoked());
    return {
      ...session,
      accessEpoch: epoch,
      sessionIsLive: () => service.isLive(session.sessionKey),
    };
  }
}

export type Authentication = ReturnType<typeof authentication>;
