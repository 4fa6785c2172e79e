import { describeError } from "./errors.ts";

/**
 * What a form or button started: `busy` while it runs, and the error to show the user when
 * it failed (cleared when it runs again).
 */
export class PendingAction {
  busy = $state(false);
  error = $state<string | null>(null);

  /** Runs `action`; true when it succeeded. */
  async run(action: () => Promise<unknown>): Promise<boolean> {
    this.busy = true;
    this.error = null;
    try {
      await action();
      return true;
    } catch (caught) {
      this.error = describeError(caught);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
