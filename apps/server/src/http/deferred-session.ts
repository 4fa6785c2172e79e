/**
 * Routes that check the session inside their own statement (`statementAuth`) leave the check
 * here, so that a request refused before that statement (a 400) still answers 401 first
 * when its session is not live: who is asking comes before what they sent.
 */
const pending = new WeakMap<Request, () => Promise<boolean>>();

export function deferSessionCheck(request: Request, isLive: () => Promise<boolean>): void {
  pending.set(request, isLive);
}

/** True when the request's deferred session turns out not to be live (asks the database). */
export async function deferredSessionIsDead(request: Request): Promise<boolean> {
  const isLive = pending.get(request);
  return isLive !== undefined && !(await isLive());
}
