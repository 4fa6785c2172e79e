/** An options object with its undefined fields left out. */
export type Defined<T> = { [K in keyof T]: Exclude<T[K], undefined> };

/**
 * The options that are set, for `{ ...defaults, ...definedOnly(options) }`: a field given as
 * `undefined` means "the default", as if left out, instead of overriding the default with
 * nothing (a `now: undefined` made `start()` throw).
 */
export function definedOnly<T extends object>(options: T): Defined<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as Defined<T>;
}
