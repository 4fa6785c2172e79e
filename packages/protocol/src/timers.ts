/** Timer functions as a dependency, so that tests drive time by hand (no I/O here: a type). */
export type Timers = {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};
