import type { Being } from "@rhizome/protocol";
import type { SharedLoadCache } from "../../access/cache.ts";
import { findCredentials, insertBeing } from "../../data/beings.ts";
import {
  deleteSession,
  findLiveSession,
  insertSession,
  type LiveSession,
} from "../../data/sessions.ts";
import type { Db } from "../../db/client.ts";
import { conflict, type Failure, rateLimited, unauthorized, unavailable } from "../../failure.ts";
import { type AdmissionGate, BUSY } from "../../limits/admission.ts";
import type { RateLimiter } from "../../limits/rate-limiter.ts";
import type { SigninBody, SignupBody } from "./model.ts";
import {
  colorFor,
  DECOY_HASH,
  hashPassword,
  hashToken,
  newSessionToken,
  SESSION_TTL_SECONDS,
  verifyPassword,
} from "./tokens.ts";

export type Session = { being: Being; token: string };

type AuthLimits = { signup: RateLimiter; signin: RateLimiter; signinPerAddress: RateLimiter };

export class AuthService {
  constructor(
    private readonly db: Db,
    private readonly limits: AuthLimits,
    /** Sessions recently confirmed live (evicted by revocations on any instance). */
    private readonly sessions: SharedLoadCache<LiveSession | undefined>,
    /** Bounds the argon2id queue: a flood is refused at once, not queued ahead of everyone. */
    private readonly hashGate: AdmissionGate,
  ) {}

  async signup(input: typeof SignupBody.static, clientKey: string): Promise<Session | Failure> {
    const allowed = await this.limits.signup.take(clientKey);
    if (!allowed.ok) return rateLimited("too many sign-ups, slow down", allowed.retryAfter);
    const passwordHash = await this.hashGate.run(() => hashPassword(input.password));
    if (passwordHash === BUSY) return this.#busy();
    const being = await insertBeing(this.db, {
      handle: input.handle,
      name: input.name?.trim() || input.handle,
      color: colorFor(input.handle),
      passwordHash,
    });
    if (being === "handle-taken") return conflict(`the handle "${input.handle}" is taken`);
    return { being, token: await this.#openSession(being.id) };
  }

  async signin(input: typeof SigninBody.static, clientKey: string): Promise<Session | Failure> {
    // The address first: a flood of made-up handles then creates no per-handle counters.
    const fromAddress = await this.limits.signinPerAddress.take(clientKey);
    if (!fromAddress.ok) return rateLimited("too many attempts, slow down", fromAddress.retryAfter);
    const allowed = await this.limits.signin.take(`${clientKey}|${input.handle}`);
    if (!allowed.ok) return rateLimited("too many attempts, slow down", allowed.retryAfter);
    const found = await findCredentials(this.db, input.handle);
    const valid = await this.hashGate.run(() =>
      verifyPassword(input.password, found?.passwordHash ?? DECOY_HASH),
    );
    if (valid === BUSY) return this.#busy();
    if (!found || !valid) return unauthorized("wrong handle or password");
    return { being: found.being, token: await this.#openSession(found.being.id) };
  }

  /** Revokes the session everywhere, open streams included (the deletion notifies every instance). */
  async signout(sessionKey: string): Promise<void> {
    this.sessions.delete(sessionKey);
    await deleteSession(this.db, sessionKey);
  }

  /**
   * The being behind a token, if its session is live: from the database, or with `cached`
   * from the session cache, which never holds a session past its expiry.
   */
  async authenticate(
    token: string,
    cached = false,
  ): Promise<{ being: Being; sessionKey: string } | undefined> {
    const sessionKey = hashToken(token);
    const load = () => findLiveSession(this.db, sessionKey);
    const session = await (cached ? this.sessions.get(sessionKey, load) : load());
    return session && session.expiresAt > Date.now()
      ? { being: session.being, sessionKey }
      : undefined;
  }

  /** Whether a session is still live, from the database: for checks after some other step. */
  async isLive(sessionKey: string): Promise<boolean> {
    return (await findLiveSession(this.db, sessionKey)) !== undefined;
  }

  #busy(): Failure {
    return unavailable("too many sign-ins at once, try again shortly", this.hashGate.retryAfter);
  }

  async #openSession(beingId: string): Promise<string> {
    const token = newSessionToken();
    await insertSession(this.db, {
      tokenHash: hashToken(token),
      beingId,
      ttlSeconds: SESSION_TTL_SECONDS,
    });
    return token;
  }
}
