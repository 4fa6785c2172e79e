/** Timer functions as a dependency, so that tests drive time by hand. */
export type Timers = {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

/**
 * The platform's timers, the default of every driver (sync client, outbox, server channel).
 * Defined here, the one package they all import; nothing in this package calls them.
 */
export const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
