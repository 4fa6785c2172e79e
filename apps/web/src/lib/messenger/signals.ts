/** A source of browser events (window in the browser, a fake in tests). */
export type EventSignal<T extends string> = {
  addEventListener(type: T, listener: () => void): void;
  removeEventListener(type: T, listener: () => void): void;
};

/** The browser's online/offline signal. */
export type NetworkSignal = EventSignal<"online" | "offline"> & { readonly online: boolean };

/** The window regaining focus (read the space list again) or going away (send what waits). */
export type PageSignal = EventSignal<"focus" | "pagehide">;

/** Subscribes `listener` to each of `types`; the returned function unsubscribes. */
export function listen<T extends string>(
  signal: EventSignal<T> | undefined,
  types: readonly T[],
  listener: () => void,
): () => void {
  for (const type of types) signal?.addEventListener(type, listener);
  return () => {
    for (const type of types) signal?.removeEventListener(type, listener);
  };
}

/** The browser's network signal, when there is a browser. */
export function browserNetwork(): NetworkSignal | undefined {
  if (typeof window === "undefined" || typeof navigator === "undefined") return undefined;
  return {
    get online() {
      return navigator.onLine;
    },
    addEventListener: (type, listener) => window.addEventListener(type, listener),
    removeEventListener: (type, listener) => window.removeEventListener(type, listener),
  };
}

export function browserPage(): PageSignal | undefined {
  return typeof window === "undefined" ? undefined : window;
}
