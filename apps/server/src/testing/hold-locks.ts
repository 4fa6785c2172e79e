/** Locks held open by a test, so that other statements queue behind them. */
export type HeldLocks = {
  /** Ends the holding transaction, letting the queued statements through. */
  release(): Promise<void>;
};

/**
 * Runs `transaction`, which takes its locks and then awaits `held()`: the transaction stays
 * open, its locks held, until `release()`. How a test parks a writer at a chosen point.
 */
export async function holdLocks(
  transaction: (held: () => Promise<void>) => Promise<unknown>,
): Promise<HeldLocks> {
  const released = Promise.withResolvers<void>();
  const taken = Promise.withResolvers<void>();
  const holder = transaction(() => {
    taken.resolve();
    return released.promise;
  });
  // A transaction that fails before holding must fail the test, not leave it waiting.
  await Promise.race([taken.promise, holder.then(() => taken.promise)]);
  return {
    async release() {
      released.resolve();
      await holder;
    },
  };
}
