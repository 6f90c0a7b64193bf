import type { Histogram } from 'hdr-histogram-js';
import { createLatencyHistogram, percentileUs, recordMicros } from '../metrics/latency-histogram.js';
import { evaluateThresholds } from '../sla/evaluate-thresholds.js';
import type { ThresholdOutcome, ThresholdSubject } from '../sla/evaluate-thresholds.js';
import { timingMsOf } from '../sla/timing-subject.js';
import type { LoadResult } from './load-generator.js';
import { SLAPolicy } from './sla-policy.js';

/** Plain inputs: latencies in milliseconds (or an HDR histogram in µs) and the request counts. */
export interface MetricsInput {
  /** One latency per request, in milliseconds; or a histogram of integer microseconds. */
  readonly latencies: readonly number[] | Histogram;
  /** Default: the number of latencies. */
  readonly totalRequests?: number;
  /** Default 0. */
  readonly failedRequests?: number;
  /** Length of the run, for `rps`. Default: unknown (rps 0). */
  readonly durationSeconds?: number;
}

/** The figures, latencies in milliseconds. */
export interface MetricsSummary {
  readonly totalRequests: number;
  readonly failedRequests: number;
  readonly errorRate: number;
  readonly rps: number;
  readonly min: number;
  readonly avg: number;
  readonly stdDev: number;
  readonly p50: number;
  readonly p75: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

export interface SlaValidation {
  readonly passed: boolean;
  /** One readable line per violated threshold: `p95 latency 612.3 ms > 500 ms`. */
  readonly violations: readonly string[];
  /** Every threshold with its measured value, limit and outcome. */
  readonly outcomes: readonly ThresholdOutcome[];
}

/**
 * Summaries and SLA checks over latencies, from an engine result or from plain arrays:
 *
 *     const metrics = new MetricsCollector({ latencies: [12, 15, 230], totalRequests: 3, failedRequests: 0 });
 *     metrics.getSummary().p95;
 *     metrics.validateSla(new SLAPolicy({ maxAvgLatencyMs: 200, p95LatencyMs: 500, maxErrorRate: 0.01 })).violations;
 *
 * Percentiles come from an HDR histogram (integer µs, 3 significant digits), as in `loadseed run`.
 */
export class MetricsCollector {
  readonly #histogram: Histogram;
  readonly #totalRequests: number;
  readonly #failedRequests: number;
  readonly #durationSeconds: number | undefined;
  /** From an engine result: per-request figures, for per-request thresholds. */
  readonly #load: LoadResult | undefined;

  constructor(input: MetricsInput | LoadResult) {
    this.#load = 'latencyHistogram' in input ? input : undefined;
    if ('latencyHistogram' in input) {
      this.#histogram = input.latencyHistogram;
      this.#totalRequests = input.totalRequests;
      this.#failedRequests = input.failedRequests;
      this.#durationSeconds = input.durationMs / 1000;
      return;
    }
    if (Array.isArray(input.latencies)) {
      const histogram = createLatencyHistogram();
      for (const [index, latencyMs] of (input.latencies as readonly number[]).entries()) {
        if (typeof latencyMs !== 'number' || !Number.isFinite(latencyMs) || latencyMs < 0) {
          throw new TypeError(
            `MetricsCollector: latencies[${index}] must be a number of milliseconds, at least 0 (got ${String(latencyMs)})`,
          );
        }
        recordMicros(histogram, latencyMs * 1000);
      }
      this.#histogram = histogram;
    } else {
      this.#histogram = input.latencies as Histogram;
    }
    this.#totalRequests = input.totalRequests ?? this.#histogram.totalCount;
    this.#failedRequests = input.failedRequests ?? 0;
    this.#durationSeconds = input.durationSeconds;
  }

  getSummary(): MetricsSummary {
    const h = this.#histogram;
    const empty = h.totalCount === 0;
    const ms = (us: number): number => (empty ? 0 : us / 1000);
    return {
      totalRequests: this.#totalRequests,
      failedRequests: this.#failedRequests,
      errorRate: this.#totalRequests === 0 ? 0 : this.#failedRequests / this.#totalRequests,
      rps: this.#durationSeconds === undefined || this.#durationSeconds <= 0 ? 0 : this.#totalRequests / this.#durationSeconds,
      min: ms(h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : h.minNonZeroValue),
      avg: ms(h.mean),
      stdDev: ms(h.stdDeviation),
      p50: ms(percentileUs(h, 50)),
      p75: ms(percentileUs(h, 75)),
      p90: ms(percentileUs(h, 90)),
      p95: ms(percentileUs(h, 95)),
      p99: ms(percentileUs(h, 99)),
      p999: ms(percentileUs(h, 99.9)),
      max: ms(h.maxValue),
    };
  }

  /**
   * Every threshold of the policy against these figures; a threshold with no data fails. Without a policy,
   * the default one (error rate ≤ 1%), as a scenario without an sla; `SLAPolicy.none()` judges nothing.
   */
  validateSla(policy: SLAPolicy = new SLAPolicy()): SlaValidation {
    const summary = this.getSummary();
    const subject: ThresholdSubject = {
      count: this.#totalRequests,
      failures: this.#failedRequests,
      meanLatencyMs: summary.avg,
      maxLatencyMs: summary.max,
      percentileLatencyMs: (percentile) => percentileUs(this.#histogram, percentile) / 1000,
      requestsPerSec: summary.rps,
      arrivals: 0,
      dropped: 0,
      // The timing phases come from a run (`fromLoad`); plain latencies have none.
      timingMs: (phase, statistic) => {
        const recorder = this.#load?.run.recorder;
        return recorder === undefined ? undefined : timingMsOf(recorder.timingHistogram(phase), statistic);
      },
    };
    // Tags are a scenario's: a tag's threshold finds no data here (and fails, as any threshold without data).
    const outcomes = evaluateThresholds(policy.thresholds, (request, _scenario, tag) =>
      tag !== undefined ? undefined : request === undefined ? subject : this.#requestSubject(request),
    );
    const violations = outcomes.filter((outcome) => !outcome.passed).map((outcome) => outcome.description);
    return { passed: violations.length === 0, violations, outcomes };
  }

  #requestSubject(name: string): ThresholdSubject | undefined {
    const load = this.#load;
    const index = load?.run.recorder.metricNames.indexOf(name) ?? -1;
    const stats = load?.requests[index];
    if (load === undefined || stats === undefined) return undefined;
    let histogram: Histogram | undefined;
    return {
      count: stats.count,
      failures: stats.failures,
      meanLatencyMs: stats.latencyMs.mean,
      maxLatencyMs: stats.latencyMs.max,
      percentileLatencyMs: (percentile) => {
        histogram ??= load.run.recorder.responseTimeHistogram(index);
        return percentileUs(histogram, percentile) / 1000;
      },
      requestsPerSec: stats.requestsPerSec,
      arrivals: 0,
      dropped: 0,
      timingMs: (phase, statistic) => timingMsOf(load.run.recorder.timingHistogram(phase, index), statistic),
    };
  }
}
