/**
 * Tests: runs `create` inside an effect root, as a component's setup would, so that what it
 * makes may use `$effect` and TanStack Query's `createQuery`. `dispose` ends those effects.
 */
export function inEffectRoot<T>(create: () => T): { value: T; dispose: () => void } {
  let value: T | undefined;
  const dispose = $effect.root(() => {
    value = create();
  });
  return { value: value as T, dispose };
}
