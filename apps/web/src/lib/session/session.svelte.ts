import type { Being } from "@rhizome/protocol";
import { ApiRequestError } from "../api/errors.ts";
import { clearLocalCopy } from "../sync/hub/local-copy.ts";

export type SessionState =
  | { status: "loading" }
  | { status: "signed-out" }
  /** `confirmed` is false while the being comes from this device's memory (offline start). */
  | { status: "signed-in"; being: Being; confirmed: boolean };

export type SessionApi = {
  /** GET /api/me; throws `ApiRequestError` (status 0 when the network is down). */
  me(): Promise<Being>;
  signOut(): Promise<void>;
};

const KEY = "rhizome:me";

/**
 * Who is signed in, known before any protected screen renders. The HttpOnly cookie is the
 * truth; the last being seen is remembered on this device so that an offline start can still
 * show the app (and the outbox) until the server can be asked again.
 */
export class Session {
  #state = $state.raw<SessionState>({ status: "loading" });

  constructor(
    private readonly api: SessionApi,
    private readonly storage: Storage | undefined,
    /** Told of every change before anything renders it (the app opens the being's outbox). */
    private readonly onChange: (state: SessionState) => void = () => {},
    /** Forgets what this device kept of a being's spaces (the IndexedDB local copy). */
    private readonly forgetLocalCopy: (beingId: string) => Promise<void> = clearLocalCopy,
  ) {}

  get state(): SessionState {
    return this.#state;
  }

  get being(): Being | null {
    return this.#state.status === "signed-in" ? this.#state.being : null;
  }

  /** Asks the server; on a network failure falls back to the remembered being, if any. */
  async load(): Promise<void> {
    try {
      this.signedIn(await this.api.me());
    } catch (error) {
      if (error instanceof ApiRequestError && (error.isNetwork || error.status >= 500)) {
        const remembered = this.#remembered();
        if (remembered) {
          this.#set({ status: "signed-in", being: remembered, confirmed: false });
          return;
        }
      }
      this.expired();
    }
  }

  /** The server confirmed `being` (sign-in, sign-up, /api/me, a profile change). */
  signedIn(being: Being): void {
    this.#set({ status: "signed-in", being, confirmed: true });
    try {
      this.storage?.setItem(KEY, JSON.stringify(being));
    } catch {
      // Not remembering only costs the offline start.
    }
  }

  async signOut(): Promise<void> {
    try {
      await this.api.signOut();
    } finally {
      this.expired();
    }
  }

  /** The session is gone (signed out, or the server answered 401). */
  expired(): void {
    const being = this.being;
    if (being) void this.forgetLocalCopy(being.id).catch(() => {});
    try {
      this.storage?.removeItem(KEY);
    } catch {
      // Nothing to forget.
    }
    this.#set({ status: "signed-out" });
  }

  #set(state: SessionState): void {
    this.onChange(state);
    this.#state = state;
  }

  #remembered(): Being | null {
    try {
      const raw = this.storage?.getItem(KEY);
      if (!raw) return null;
      const value = JSON.parse(raw) as Partial<Being>;
      return typeof value.id === "string" && typeof value.name === "string"
        ? (value as Being)
        : null;
    } catch {
      return null;
    }
  }
}
