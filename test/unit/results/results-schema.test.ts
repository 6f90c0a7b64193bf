import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { RESULTS_SCHEMA_PATH } from '../../../src/assets.js';
import { ERROR_CATEGORIES } from '../../../src/metrics/error-category.js';
import { customMetricStatOf, metricOf } from '../../../src/plan/thresholds.js';
import { resultsSchemaProblems } from '../../../src/results/read-results.js';
import { assembleResults } from '../../../src/results/results-document.js';
import type { ResultsDocument } from '../../../src/results/results-document.js';
import { newRecorder, record, resultsOf } from './results-helpers.js';

const schema = JSON.parse(readFileSync(RESULTS_SCHEMA_PATH, 'utf8')) as {
  $defs: { stats: { properties: { errors: { properties: Record<string, unknown> } } }; thresholdKey: { pattern: string } };
};

describe('schemas/results.schema.json', () => {
  it('compiles under ajv strict mode (JSON Schema 2020-12)', () => {
    expect(() => new Ajv2020({ strict: true, validateFormats: false }).compile(schema)).not.toThrow();
  });

  it('accepts a results document as loadseed assembles it: errors, statuses, thresholds, abortedBy, shards', () => {
    const results = resultsOf(record(newRecorder(), { count: 400, errorEvery: 7 }), {
      sla: { p95_latency_ms: 5, 'p99.9_latency_ms': 50, min_rps: 1, max_dropped_rate: 0, requests: { checkout: { max_latency_ms: 100 } } },
    });
    expect(resultsSchemaProblems(results)).toEqual([]);
    const aborted: ResultsDocument = {
      ...results,
      run: {
        ...results.run,
        abortedBy: {
          kind: 'threshold',
          key: 'p95_latency_ms',
          limit: 5,
          measured: 20.5,
          description: 'p95 latency 20.5 ms > 5 ms',
          atMs: 500,
        },
        shards: 3,
      },
    };
    expect(resultsSchemaProblems(aborted)).toEqual([]);
    expect(resultsSchemaProblems(JSON.parse(JSON.stringify(aborted)))).toEqual([]);
  });

  it('describes the document exactly: no property left undescribed, none unknown accepted', () => {
    const results = resultsOf(record(newRecorder(), { count: 10 }));
    const withExtra = (path: string[]): unknown => {
      const copy = JSON.parse(JSON.stringify(results)) as Record<string, unknown>;
      let at = copy;
      for (const key of path) at = at[key] as Record<string, unknown>;
      at['extra'] = 1;
      return copy;
    };
    for (const path of [
      [],
      ['scenario'],
      ['run'],
      ['summary'],
      ['summary', 'total'],
      ['summary', 'total', 'latencyMs'],
      ['summary', 'total', 'errors'],
      ['generator'],
      ['recorder'],
    ]) {
      expect(resultsSchemaProblems(withExtra(path)).length, path.join('.')).toBeGreaterThan(0);
    }
  });

  it('stays in step with the code: every error category, every threshold key', () => {
    expect(Object.keys(schema.$defs.stats.properties.errors.properties)).toEqual([...ERROR_CATEGORIES]);
    const keyPattern = new RegExp(schema.$defs.thresholdKey.pattern);
    for (const key of [
      'max_avg_latency_ms',
      'max_latency_ms',
      'max_error_rate',
      'min_rps',
      'max_dropped_rate',
      'p50_latency_ms',
      'p99.99_latency_ms',
    ]) {
      expect(metricOf(key), key).toBeDefined();
      expect(keyPattern.test(key), key).toBe(true);
    }
    expect(keyPattern.test('p95_latency')).toBe(false);
    for (const key of ['p95', 'p99.9', 'avg', 'max', 'sum_max', 'sum_min']) {
      expect(customMetricStatOf(key), key).toBeDefined();
      expect(keyPattern.test(key), key).toBe(true);
    }
  });

  it('holds an empty run too (no requests ended, no data)', () => {
    const empty = assembleResults({ ...emptyInput(), recorder: newRecorder() });
    expect(resultsSchemaProblems(empty)).toEqual([]);
    expect(empty.summary.total.count).toBe(0);
  });
});

function emptyInput(): Parameters<typeof assembleResults>[0] {
  return {
    scenario: { name: 'x', file: 'x.yml', plan: '' },
    startedAtEpochMs: 0,
    endedAtEpochMs: 0,
    elapsedMs: 0,
    host: 'h',
    interrupted: true,
    warmupExcluded: false,
    warmupRequests: 0,
    recorder: newRecorder(),
    thresholds: [],
    generator: {
      workers: 1,
      cpuPercent: 0,
      busyPercent: 0,
      eventLoopDelayP99Ms: 0,
      eventLoopDelayMaxMs: 0,
      schedulerLagP99Ms: 0,
      saturated: false,
      threads: [],
    },
  };
}
