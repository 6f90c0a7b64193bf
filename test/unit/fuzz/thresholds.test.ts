import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDurationMs } from '../../../src/scenario/duration.js';
import {
  DEFAULT_ABORT_DELAY_MS,
  DEFAULT_ABORT_INTERVAL_MS,
  metricOf,
  planAbortOnFail,
  planThresholds,
} from '../../../src/plan/thresholds.js';
import type { SlaSpec } from '../../../src/scenario/types.js';
import { withCpuTime } from '../../helpers/cpu-time.js';

/**
 * Property-based tests of threshold keys. `metricOf`'s contract: the metric a key names, or undefined for a
 * key that is not a threshold; never throws. It also reads keys from results files (`merge` evaluates them
 * again), so whatever it accepts must be a percentile a histogram can answer: 0 to 100.
 */
const RUNS = { numRuns: 1000, interruptAfterTimeLimit: 1_000 } as const;
const CALL_BUDGET_MS = 250;

const NAMED = {
  max_avg_latency_ms: 'avg-latency',
  max_latency_ms: 'max-latency',
  max_error_rate: 'error-rate',
  min_rps: 'min-rps',
  max_dropped_rate: 'dropped-rate',
} as const;

/** Text shaped like a threshold key, with the edges a parser trips on. */
const keyish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'p',
        'P',
        '_latency_ms',
        '_latency',
        '_ms',
        '.',
        '-',
        '+',
        'e',
        'E',
        'NaN',
        'Infinity',
        '0x',
        ' ',
        '\n',
        '٩',
        '😀',
        ...Object.keys(NAMED),
      ),
      fc.nat({ max: 1_000 }).map(String),
      fc.constant('9'.repeat(400)),
      fc.string({ maxLength: 3 }),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));
const anyKey = fc.oneof(
  keyish,
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.integer({ min: 1_000, max: 50_000 }).map((count) => `p${'9'.repeat(count)}_latency_ms`),
);

/** `0` to `100` with up to 4 decimals, as a scenario writes a percentile (`99.9`, `50`, `0.5`). */
const percentileText = fc.oneof(
  fc.integer({ min: 0, max: 100 }).map(String),
  fc.tuple(fc.integer({ min: 0, max: 99 }), fc.stringMatching(/^[0-9]{1,4}$/)).map(([whole, fraction]) => `${whole}.${fraction}`),
);

describe('metricOf (fuzz)', () => {
  it('never throws; any percentile it reads is a finite number from 0 to 100', () => {
    fc.assert(
      fc.property(anyKey, (key) => {
        const { value: metric, cpuMs } = withCpuTime(() => metricOf(key));
        expect(cpuMs).toBeLessThan(CALL_BUDGET_MS);
        if (metric === undefined) return;
        if (metric.kind === 'percentile-latency') {
          expect(Number.isFinite(metric.percentile)).toBe(true);
          expect(metric.percentile).toBeGreaterThanOrEqual(0);
          expect(metric.percentile).toBeLessThanOrEqual(100);
          expect(key).toMatch(/^p[0-9.]+_latency_ms$/);
        } else {
          expect(NAMED[key as keyof typeof NAMED]).toBe(metric.kind);
        }
      }),
      RUNS,
    );
  });

  it('reads p<N>_latency_ms as percentile N for any N from 0 to 100 (p99.9_latency_ms → 99.9)', () => {
    fc.assert(
      fc.property(percentileText, (text) => {
        expect(metricOf(`p${text}_latency_ms`)).toEqual({ kind: 'percentile-latency', percentile: Number(text) });
      }),
      RUNS,
    );
  });

  it('refuses a percentile key above 100, and any key with something around it', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 101, max: 1e9 }).map(String), fc.constantFrom('100.5', '1e3', '9'.repeat(400))), (text) => {
        expect(metricOf(`p${text}_latency_ms`)).toBeUndefined();
      }),
      RUNS,
    );
    fc.assert(
      fc.property(
        fc.constantFrom('p95_latency_ms', ...Object.keys(NAMED)),
        fc.string({ minLength: 1, maxLength: 3 }),
        fc.boolean(),
        (key, extra, before) => {
          expect(metricOf(before ? `${extra}${key}` : `${key}${extra}`)).toBeUndefined();
        },
      ),
      RUNS,
    );
  });
});

describe('planThresholds (fuzz)', () => {
  it('plans exactly the numeric threshold keys of any sla section, run-wide first, each with its limit and request', () => {
    const limit = fc.oneof(fc.double(), fc.string({ maxLength: 3 }), fc.boolean());
    const section = fc.dictionary(fc.oneof(anyKey, fc.constantFrom('p95_latency_ms', 'p99.9_latency_ms', ...Object.keys(NAMED))), limit, {
      maxKeys: 6,
    });
    fc.assert(
      fc.property(section, fc.dictionary(fc.string({ maxLength: 8 }), section, { maxKeys: 3 }), (runWide, perRequest) => {
        const sla = { ...runWide, requests: perRequest } as SlaSpec;
        const planned = planThresholds(sla);
        const written = [
          ...entriesOf(runWide, undefined),
          ...Object.entries(perRequest).flatMap(([request, spec]) => entriesOf(spec, request)),
        ];
        // An sla that sets no threshold is judged by the default one.
        const expected = written.length > 0 ? written : [['max_error_rate', 0.01, undefined]];
        expect(planned.every((threshold) => (threshold.default === true) === (written.length === 0))).toBe(true);
        expect(planned.map(({ key, limit: value, request }) => [key, value, request])).toEqual(expected);
        for (const threshold of planned) expect(threshold.metric).toEqual(metricOf(threshold.key));
      }),
      RUNS,
    );
  });

  it('abort_on_fail: any pair of valid durations plans to their milliseconds; true takes the defaults', () => {
    const duration = fc.oneof(
      fc.tuple(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom('ms', 's', 'm', 'h')).map(([amount, unit]) => `${amount}${unit}`),
      fc.double({ min: 0.001, max: 1e9, noNaN: true }),
    );
    fc.assert(
      fc.property(fc.option(duration, { nil: undefined }), fc.option(duration, { nil: undefined }), (delay, interval) => {
        const policy = planAbortOnFail({
          abort_on_fail: { ...(delay === undefined ? {} : { delay }), ...(interval === undefined ? {} : { interval }) },
        });
        expect(policy).toEqual({
          delayMs: delay === undefined ? DEFAULT_ABORT_DELAY_MS : parseDurationMs(delay),
          intervalMs: interval === undefined ? DEFAULT_ABORT_INTERVAL_MS : parseDurationMs(interval),
        });
      }),
      RUNS,
    );
    expect(planAbortOnFail({ abort_on_fail: true })).toEqual({ delayMs: DEFAULT_ABORT_DELAY_MS, intervalMs: DEFAULT_ABORT_INTERVAL_MS });
    expect(planAbortOnFail({ abort_on_fail: false })).toBeUndefined();
    expect(planAbortOnFail(undefined)).toBeUndefined();
  });
});

describe('metricOf: counterexamples found by the fuzz tests', () => {
  it('refuses percentiles above 100 (a results file could carry p150 or p999…9, and merge evaluated them)', () => {
    expect(metricOf('p150_latency_ms')).toBeUndefined();
    expect(metricOf('p100.5_latency_ms')).toBeUndefined();
    expect(metricOf(`p${'9'.repeat(400)}_latency_ms`)).toBeUndefined();
    expect(metricOf('p100_latency_ms')).toEqual({ kind: 'percentile-latency', percentile: 100 });
    expect(metricOf('p0_latency_ms')).toEqual({ kind: 'percentile-latency', percentile: 0 });
  });
});

/** The model: numeric values whose key names a metric, in the order written. */
function entriesOf(spec: Record<string, unknown>, request: string | undefined): [string, number, string | undefined][] {
  return Object.entries(spec)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number' && metricOf(entry[0]) !== undefined)
    .map(([key, value]) => [key, value, request]);
}
