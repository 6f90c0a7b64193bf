/**
 * Log-normal latency shapes for the target server's `/latency` route.
 *
 * A shape is described by what people can reason about — its mean and its 99th percentile, in
 * milliseconds — and turned into the parameters of a log-normal distribution:
 *
 *   mean = exp(mu + sigma² / 2)        p99 = exp(mu + z99 · sigma)
 *
 * Subtracting the logarithms gives sigma² / 2 − z99 · sigma + ln(p99 / mean) = 0, whose smaller root
 * is sigma = z99 − sqrt(z99² − 2 · ln(p99 / mean)). A real root exists only when
 * p99 / mean ≤ exp(z99² / 2) ≈ 14.97, and sigma ≥ 0 only when p99 ≥ mean.
 *
 * Everything here is pure; the sampler takes its uniform random source as an argument.
 */

/** The standard normal quantile at 0.99. */
export const Z_99 = 2.3263478740408408;

/** The largest p99 / mean ratio a log-normal distribution can have (≈ 14.97). */
export const MAX_P99_TO_MEAN_RATIO = Math.exp((Z_99 * Z_99) / 2);

/** Parameters of a log-normal distribution of milliseconds: ln(delayMs) ~ Normal(mu, sigma²). */
export interface LogNormal {
  readonly mu: number;
  readonly sigma: number;
}

/**
 * Why (meanMs, p99Ms) cannot describe a log-normal distribution, or `undefined` when it can.
 * The message is meant for a human (it ends up in a 400 response body).
 */
export function latencyShapeProblem(meanMs: number, p99Ms: number): string | undefined {
  if (!Number.isFinite(meanMs) || !Number.isFinite(p99Ms)) {
    return 'mean and p99 must be finite numbers of milliseconds';
  }
  if (meanMs <= 0) {
    return `mean must be > 0 ms (got ${meanMs})`;
  }
  if (p99Ms < meanMs) {
    return `p99 must be >= mean (got mean=${meanMs}, p99=${p99Ms})`;
  }
  if (p99Ms / meanMs > MAX_P99_TO_MEAN_RATIO) {
    return (
      `p99/mean must be <= ${MAX_P99_TO_MEAN_RATIO.toFixed(2)} for a log-normal distribution ` +
      `(got mean=${meanMs}, p99=${p99Ms}, ratio ${(p99Ms / meanMs).toFixed(2)})`
    );
  }
  return undefined;
}

/**
 * The log-normal distribution whose mean is `meanMs` and whose 99th percentile is `p99Ms`.
 * Throws a RangeError when no such distribution exists (see `latencyShapeProblem`).
 */
export function logNormalFor(meanMs: number, p99Ms: number): LogNormal {
  const problem = latencyShapeProblem(meanMs, p99Ms);
  if (problem !== undefined) {
    throw new RangeError(problem);
  }
  const logRatio = Math.log(p99Ms / meanMs);
  // Clamp: at the boundary ratio, rounding can push the discriminant a hair below zero.
  const discriminant = Math.max(0, Z_99 * Z_99 - 2 * logRatio);
  const sigma = Z_99 - Math.sqrt(discriminant);
  const mu = Math.log(meanMs) - (sigma * sigma) / 2;
  return { mu, sigma };
}

/** The analytic mean of a log-normal distribution: exp(mu + sigma² / 2). */
export function logNormalMean(shape: LogNormal): number {
  return Math.exp(shape.mu + (shape.sigma * shape.sigma) / 2);
}

/** The analytic quantile at probability `p` (0 < p < 1): exp(mu + sigma · Φ⁻¹(p)). */
export function logNormalQuantile(shape: LogNormal, p: number): number {
  return Math.exp(shape.mu + shape.sigma * normalQuantile(p));
}

/**
 * One draw from `shape` by inverse-transform sampling, using one value of `random` (uniform on
 * [0, 1), like Math.random). A given uniform always maps to the same delay: 0.5 gives the median,
 * 0.99 the p99.
 */
export function sampleLogNormal(shape: LogNormal, random: () => number): number {
  return Math.exp(shape.mu + shape.sigma * normalQuantile(random()));
}

// Keeps the quantile finite: 0 (which Math.random can return) and 1 would give ∓Infinity.
const P_MIN = 2 ** -53;
const P_MAX = 1 - 2 ** -53;
const P_LOW = 0.02425;
const P_HIGH = 1 - P_LOW;

/**
 * The standard normal quantile Φ⁻¹(p), by Acklam's rational approximation (relative error below
 * 1.2e-9). `p` is clamped into (0, 1) so the result is always finite.
 */
export function normalQuantile(p: number): number {
  const pc = Math.min(P_MAX, Math.max(P_MIN, p));
  if (pc < P_LOW) {
    return lowerTail(Math.sqrt(-2 * Math.log(pc)));
  }
  if (pc > P_HIGH) {
    return -lowerTail(Math.sqrt(-2 * Math.log(1 - pc)));
  }
  const q = pc - 0.5;
  const r = q * q;
  const numerator =
    (((((-3.969683028665376e1 * r + 2.209460984245205e2) * r - 2.759285104469687e2) * r + 1.38357751867269e2) * r - 3.066479806614716e1) *
      r +
      2.506628277459239) *
    q;
  const denominator =
    ((((-5.447609879822406e1 * r + 1.615858368580409e2) * r - 1.556989798598866e2) * r + 6.680131188771972e1) * r - 1.328068155288572e1) *
      r +
    1;
  return numerator / denominator;
}

function lowerTail(q: number): number {
  const numerator =
    ((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q - 2.549732539343734) * q + 4.374664141464968) * q +
    2.938163982698783;
  const denominator = (((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) * q + 1;
  return numerator / denominator;
}
