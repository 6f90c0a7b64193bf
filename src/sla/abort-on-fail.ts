import { assertNever } from '../errors.js';
import type { Recorder } from '../metrics/recorder.js';
import type { AbortOnFailPolicy, PlannedThreshold, ThresholdMetric } from '../plan/thresholds.js';
import type { ThresholdOutcome } from './evaluate-thresholds.js';
import { liveThresholds } from './live-thresholds.js';

/**
 * Whether a threshold failing on the data so far counts as lost, so the run may stop early. Latency (mean,
 * percentiles, max), error rate and dropped arrivals: yes — as in k6, a value past its limit after the delay
 * is taken as the verdict (max latency can only grow). Throughput (`min_rps`): no — it is low while users
 * ramp up and only means something over the whole run.
 */
export function canBeLostEarly(metric: ThresholdMetric): boolean {
  switch (metric.kind) {
    case 'avg-latency':
    case 'max-latency':
    case 'percentile-latency':
    case 'error-rate':
    case 'dropped-rate':
    case 'timing':
      return true;
    case 'min-rps':
    case 'custom-metric': // judged at the end of the run
      return false;
    default:
      return assertNever(metric);
  }
}

/** A threshold failing on data (not for lack of it): its measured value is known. */
export type LostThreshold = ThresholdOutcome & { readonly measured: number };

/**
 * `sla.abort_on_fail` during a run: from `delayMs` into the measured phase, every `intervalMs`, evaluates the
 * thresholds that can be lost early on the live recorder and returns the first one lost. A threshold with no
 * data yet (no request of that name ended) is not lost. `slackMs` lets an evaluation run on a tick that
 * fires a little before it is due (timers are not exact).
 */
export class AbortOnFail {
  readonly policy: AbortOnFailPolicy;
  readonly #thresholds: readonly PlannedThreshold[];
  readonly #slackMs: number;
  #lastEvaluatedMs: number | undefined = undefined;

  constructor(thresholds: readonly PlannedThreshold[], policy: AbortOnFailPolicy, slackMs = 0) {
    this.policy = policy;
    this.#thresholds = thresholds.filter((threshold) => canBeLostEarly(threshold.metric));
    this.#slackMs = slackMs;
  }

  /** Whether any threshold could ever abort the run (all `min_rps`: none). */
  get watching(): boolean {
    return this.#thresholds.length > 0;
  }

  /**
   * The first threshold lost after `elapsedMs` of the measured phase, when an evaluation is due; else undefined.
   * `iterationsInFlight`: open model, iterations started and not ended (arrivals too, for the dropped rate).
   */
  check(elapsedMs: number, recorder: Recorder, iterationsInFlight = 0): LostThreshold | undefined {
    if (!this.watching || elapsedMs + this.#slackMs < this.policy.delayMs) return undefined;
    const last = this.#lastEvaluatedMs;
    if (last !== undefined && elapsedMs - last + this.#slackMs < this.policy.intervalMs) return undefined;
    this.#lastEvaluatedMs = elapsedMs;
    // The live evaluation the progress display uses: counters, and a histogram copied only when a latency
    // threshold asks (a full snapshot would walk every histogram and the time series, on the load's thread).
    for (const live of liveThresholds(this.#thresholds, recorder, recorder.counters(), { iterationsInFlight })) {
      const outcome = live.outcome;
      if (live.state === 'lost' && outcome !== undefined && outcome.measured !== undefined) return outcome as LostThreshold;
    }
    return undefined;
  }
}
