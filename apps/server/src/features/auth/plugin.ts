import { BEARER_PREFIX, HEADERS, SESSION_COOKIE } from "@rhizome/protocol";
import type { Server } from "bun";
import { Elysia } from "elysia";
import { forbidden, revoked, unauthorized } from "../../failure.ts";
import { ApiError } from "../../http/api-error.ts";
import { requestAddress } from "../../http/client-address.ts";
import { deferSessionCheck } from "../../http/deferred-session.ts";
import { isCrossSiteWrite } from "../../http/origin.ts";
import type { AuthService } from "./service.ts";
import { hashToken } from "./tokens.ts";

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
 * `statementAuth` resolves only `sessionKey`, for a route whose one statement checks the
 * session itself (a post: one round trip), and must then answer 401 when it finds none.
 */
export function authentication(
  service: AuthService,
  accessEpoch: () => number,
  trustProxyHops = 0,
) {
  /** The session each request proved, from its transform hook to its resolve. */
  const verified = new WeakMap<Request, Awaited<ReturnType<typeof verify>>>();
  /** `statementAuth`: the session key each request presented, proved later by its statement. */
  const deferredKeys = new WeakMap<Request, string>();
  return new Elysia({ name: "authentication" }).macro({
    /**
     * `clientKey`: who is asking, for per-address limits: the peer, or what the trusted
     * proxies saw. Only on the routes that need it: reading the peer costs every request.
     */
    addressed: {
      resolve({ request, server }: { request: Request; server: Server<unknown> | null }) {
        return {
          clientKey: requestAddress(request, server, trustProxyHops),
        };
      },
    },
    auth: sessionMacro(false),
    streamAuth: sessionMacro(true),
    statementAuth: {
      detail: { security: [{ bearer: [] }] },
      // No query here: the route's own statement proves the session (and answers 401).
      transform({ request }: { request: Request }) {
        const { token } = presented(request);
        const sessionKey = hashToken(token);
        deferredKeys.set(request, sessionKey);
        // A request refused before its statement runs still answers 401 first.
        deferSessionCheck(request, () => service.isLive(sessionKey));
      },
      resolve({ request }: { request: Request }) {
        const sessionKey = deferredKeys.get(request);
        if (!sessionKey) throw new ApiError(unauthorized());
        return { sessionKey };
      },
    },
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

  /** The request's token (bearer or cookie), or a 401; a cross-site cookie write is a 403. */
  function presented(request: Request): { token: string } {
    const bearer = bearerToken(request.headers.get(HEADERS.authorization) ?? undefined);
    const token = bearer ?? cookieToken(request.headers.get("cookie"));
    if (!token) throw new ApiError(unauthorized());
    if (!bearer && isCrossSiteWrite(request, trustProxyHops)) {
      throw new ApiError(forbidden("cross-site request refused"));
    }
    return { token };
  }

  async function verify(request: Request, cached: boolean) {
    const { token } = presented(request);
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
