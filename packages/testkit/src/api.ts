import { treaty } from "@elysiajs/eden";
import { BEARER_PREFIX, HEADERS } from "@rhizome/protocol";
// A type-only path import: a package dependency on the server would make a workspace cycle.
import type { App } from "../../../apps/server/src/app.ts";

/** The typed API client (Eden treaty) of a running server. */
export function apiClient(baseUrl: string, token?: string) {
  return treaty<App>(baseUrl, {
    // Cursors look like dates: Eden must hand them over as the exact strings they are.
    parseDate: false,
    headers: token ? { [HEADERS.authorization]: `${BEARER_PREFIX}${token}` } : {},
  });
}
export type ApiClient = ReturnType<typeof apiClient>;

let sequence = 0;

/** Signs up a fresh being and returns it with its token and a client authenticated as it. */
export async function signupBeing(baseUrl: string, handle?: string) {
  const name =
    handle ??
    `b${process.pid.toString(36)}_${Date.now().toString(36)}_${(sequence++).toString(36)}`;
  const { data, error } = await apiClient(baseUrl).api.auth.signup.post({
    handle: name.slice(0, 32),
    password: "correct horse battery",
  });
  if (error) throw new Error(`signup failed: ${JSON.stringify(error.value)}`);
  return { being: data.being, token: data.token, api: apiClient(baseUrl, data.token) };
}
