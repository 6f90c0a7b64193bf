import { metricOf, planThresholds } from '../plan/thresholds.js';
import type { PlannedThreshold } from '../plan/thresholds.js';
import type { SlaSpec } from '../scenario/types.js';

/** Thresholds in code, named as in the seed's API; the scenario's `sla` keys (`p99_latency_ms`…) work too. */
export interface SLAPolicyOptions {
  /** Mean response time must not exceed this (ms). */
  readonly maxAvgLatencyMs?: number;
  /** The 95th percentile must not exceed this (ms). */
  readonly p95LatencyMs?: number;
  /** The 99th percentile must not exceed this (ms). */
  readonly p99LatencyMs?: number;
  /** Slowest response must not exceed this (ms). */
  readonly maxLatencyMs?: number;
  /** Share of failed requests, 0 to 1. */
  readonly maxErrorRate?: number;
  /** Throughput must reach this (requests per second). */
  readonly minRps?: number;
  /** Any percentile: `{ 99.9: 800 }` means p99.9 ≤ 800 ms. */
  readonly percentiles?: Readonly<Record<number, number>>;
}

const NAMED: Readonly<Record<string, string>> = {
  maxAvgLatencyMs: 'max_avg_latency_ms',
  p95LatencyMs: 'p95_latency_ms',
  p99LatencyMs: 'p99_latency_ms',
  maxLatencyMs: 'max_latency_ms',
  maxErrorRate: 'max_error_rate',
  minRps: 'min_rps',
};

/**
 * A set of SLA thresholds, evaluated by `MetricsCollector.validateSla`. As in a scenario, a policy that sets
 * no threshold (`new SLAPolicy()`) holds the default one, error rate ≤ 1% (marked `default`); `SLAPolicy.none()`
 * holds none.
 */
export class SLAPolicy {
  readonly thresholds: readonly PlannedThreshold[];

  constructor(options: SLAPolicyOptions = {}) {
    const sla: Record<string, number> = {};
    for (const [key, value] of Object.entries(options)) {
      if (key === 'percentiles') continue;
      const name = NAMED[key];
      if (name === undefined)
        throw new TypeError(`SLAPolicy: unknown option "${key}"; expected one of ${[...Object.keys(NAMED), 'percentiles'].join(', ')}`);
      sla[name] = checkedLimit(key, value);
    }
    for (const [percentile, limit] of Object.entries(options.percentiles ?? {})) {
      const key = `p${percentile}_latency_ms`;
      if (metricOf(key) === undefined || Number(percentile) > 100)
        throw new TypeError(`SLAPolicy: percentiles["${percentile}"] is not a percentile from 0 to 100`);
      sla[key] = checkedLimit(`percentiles["${percentile}"]`, limit);
    }
    this.thresholds = Object.freeze(planThresholds(sla));
  }

  /** The thresholds of a scenario's `sla` section (per-request ones included; the default when it sets none; none for false). */
  static fromScenario(sla: SlaSpec | false | undefined): SLAPolicy {
    const policy = Object.create(SLAPolicy.prototype) as { thresholds: readonly PlannedThreshold[] };
    policy.thresholds = Object.freeze(planThresholds(sla));
    return policy;
  }

  /** No thresholds at all, not even the default: a scenario's `sla: false`. */
  static none(): SLAPolicy {
    return SLAPolicy.fromScenario(false);
  }
}

function checkedLimit(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`SLAPolicy: ${name} must be a number, at least 0 (got ${String(value)})`);
  }
  return value;
}
