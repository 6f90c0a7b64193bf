import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { capacityBaselineOf, checkSearchReachesBaseline } from '../../../src/run/find-limit-baseline.js';
import type { ResultsDocument } from '../../../src/results/results-document.js';
import type { FindLimitDocument } from '../../../src/sla/find-limit.js';
import { newRecorder, record, resultsOf } from '../results/results-helpers.js';

const built = resultsOf(record(newRecorder(), { count: 10 }));
const SEARCH: FindLimitDocument = {
  limitRatePerSec: 200,
  kneeRatePerSec: null,
  criteria: 'sla',
  delivery: { maxDroppedRate: 0.01, minDeliveredRatio: 0.95 },
  stopReason: 'sla',
  stepDurationMs: 1000,
  plannedSteps: 4,
  steps: [],
};
const baselineOf = (findLimit: FindLimitDocument | undefined, change: Partial<ResultsDocument> = {}): ResultsDocument => ({
  ...built,
  ...(findLimit === undefined ? {} : { findLimit }),
  ...change,
});
const search = { model: 'rate', scenarioName: built.scenario.name } as const;

describe('capacityBaselineOf', () => {
  it('takes a find-limit result of the same scenario and model: its limit, and whether it is a lower bound only', () => {
    expect(capacityBaselineOf('b.json', baselineOf(SEARCH), search)).toEqual({ file: 'b.json', model: 'rate', limit: 200, atLeast: false });
    expect(capacityBaselineOf('b.json', baselineOf({ ...SEARCH, stopReason: 'max-rate' }), search).atLeast).toBe(true);
    // Results of older versions have no model: the rate's.
    const users = { ...SEARCH, model: 'users', limitRatePerSec: null, limitUsers: 12 } as const;
    expect(capacityBaselineOf('u.json', baselineOf(users), { ...search, model: 'users' })).toMatchObject({ model: 'users', limit: 12 });
  });

  it('refuses (UsageError, exit 2) what cannot gate: no findLimit, interrupted, no limit, another model, another scenario', () => {
    const refusal = (results: ResultsDocument, model: 'rate' | 'users' = 'rate'): string => {
      try {
        capacityBaselineOf('b.json', results, { ...search, model });
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refusal(baselineOf(undefined))).toContain('not a find-limit result');
    expect(refusal(baselineOf(SEARCH, { verdict: 'interrupted' }))).toContain('that search was interrupted');
    expect(refusal(baselineOf({ ...SEARCH, limitRatePerSec: null }))).toContain('it has no limit found');
    expect(refusal(baselineOf(SEARCH), 'users')).toContain('found in the rate model');
    expect(refusal(baselineOf(SEARCH, { scenario: { ...built.scenario, name: 'other' } }))).toContain('it is for scenario "other"');
  });

  it('refuses a search whose last step is below the lowest limit that passes', () => {
    const baseline = { file: 'b.json', model: 'rate', limit: 200, atLeast: false } as const;
    expect(() => checkSearchReachesBaseline(180, baseline, 0.1)).not.toThrow();
    expect(() => checkSearchReachesBaseline(179, baseline, 0.1)).toThrow(
      "--baseline b.json: the search stops at 179, below 180 (the baseline's limit 200 less 10%): it could never pass",
    );
  });
});
