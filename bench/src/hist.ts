/**
 * A log-bucketed latency histogram (~1% relative precision), cheap to fill in a load
 * worker and to merge across workers: counts keyed by bucket index, sent as a plain object.
 */
const GROWTH = Math.log(1.01);
/** Samples are in milliseconds; buckets start at 1 µs. */
const FLOOR_MS = 0.001;

export type Histogram = Record<number, number>;

export function record(hist: Histogram, ms: number): void {
  const bucket = ms <= FLOOR_MS ? 0 : Math.ceil(Math.log(ms / FLOOR_MS) / GROWTH);
  hist[bucket] = (hist[bucket] ?? 0) + 1;
}

export function merge(into: Histogram, from: Histogram): Histogram {
  for (const [bucket, count] of Object.entries(from)) {
    const key = Number(bucket);
    into[key] = (into[key] ?? 0) + count;
  }
  return into;
}

export function count(hist: Histogram): number {
  let total = 0;
  for (const value of Object.values(hist)) total += value;
  return total;
}

/** The value at quantile `q` (0..1), as the upper edge of its bucket; NaN when empty. */
export function quantile(hist: Histogram, q: number): number {
  const total = count(hist);
  if (total === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const bucket of Object.keys(hist)
    .map(Number)
    .sort((a, b) => a - b)) {
    seen += hist[bucket] ?? 0;
    if (seen >= rank) return FLOOR_MS * Math.exp(bucket * GROWTH);
  }
  return Number.NaN;
}

/** The middle value (the upper one of an even count), or `empty` when there are none. */
export function median(values: readonly number[], empty = Number.NaN): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? empty;
}

export type Percentiles = { n: number; p50: number; p95: number; p99: number; max: number };

export function percentiles(hist: Histogram): Percentiles {
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    n: count(hist),
    p50: round(quantile(hist, 0.5)),
    p95: round(quantile(hist, 0.95)),
    p99: round(quantile(hist, 0.99)),
    max: round(quantile(hist, 1)),
  };
}
