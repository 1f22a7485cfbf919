// Order statistics for benchmark samples (median, percentiles). Pure: no I/O, no clock.

/**
 * The q-quantile (0..1) of `samples` by linear interpolation between closest ranks (the "R-7" rule that
 * spreadsheets and numpy use by default), so the p90 of 15 samples sits between the 13th and 14th.
 */
export function quantile(samples, q) {
  if (samples.length === 0) throw new RangeError('quantile of no samples');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is outside 0..1`);
  const sorted = [...samples].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/** Median, p90, min, max and count of `samples`. */
export function summarize(samples) {
  return {
    n: samples.length,
    median: quantile(samples, 0.5),
    p90: quantile(samples, 0.9),
    min: Math.min(...samples),
    max: Math.max(...samples),
  };
}

/** Rounds to `digits` decimals, for figures meant to be read. */
export function round(value, digits = 3) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
