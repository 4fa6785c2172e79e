import { SESSION_COOKIE } from "@rhizome/protocol";
import { Elysia } from "elysia";
import { forbidden } from "../../failure.ts";
import { ApiError, unwrap } from "../../http/api-error.ts";
import { isCrossSiteWrite, isSecure } from "../../http/origin.ts";
import { SessionResponse, SigninBody, SignupBody } from "./model.ts";
import type { Authentication } from "./plugin.ts";
import type { AuthService } from "./service.ts";
import { SESSION_TTL_SECONDS } from "./tokens.ts";

export function authRoutes(service: AuthService, auth: Authentication, trustProxyHops = 0) {
  const sessionCookie = (token: string, request: Request, maxAge = SESSION_TTL_SECONDS) => {
    const secure = isSecure(request, trustProxyHops) ? "; Secure" : "";
    return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure}`;
  };
  /** Sign-in forms are writes too: refuse them cross-site (login CSRF). */
  const refuseCrossSite = (request: Request) => {
    if (isCrossSiteWrite(request, trustProxyHops)) {
      throw new ApiError(forbidden("cross-site request refused"));
    }
  };
  return new Elysia({ prefix: "/api/auth", tags: ["auth"] })
    .use(auth)
    .post(
      "/signup",
      async ({ body, request, set, clientKey }) => {
        refuseCrossSite(request);
        const session = unwrap(await service.signup(body, clientKey));
        set.status = 201;
        set.headers["set-cookie"] = sessionCookie(session.token, request);
        return session;
      },
      {
        addressed: true,
        body: SignupBody,
        response: { 201: SessionResponse },
        detail: { summary: "Create a being and sign in" },
      },
    )
    .post(
      "/signin",
      async ({ body, request, set, clientKey }) => {
        refuseCrossSite(request);
        const session = unwrap(await service.signin(body, clientKey));
        set.headers["set-cookie"] = sessionCookie(session.token, request);
        return session;
      },
      {
        addressed: true,
        body: SigninBody,
        response: { 200: SessionResponse },
        detail: { summary: "Sign in" },
      },
    )
    .post(
      "/signout",
      async ({ sessionKey, request, set }) => {
        await service.signout(sessionKey);
        set.status = 204;
        set.headers["set-cookie"] = sessionCookie("", request, 0);
      },
      { auth: true, detail: { summary: "Revoke this session, and end its streams" } },
    );
}
