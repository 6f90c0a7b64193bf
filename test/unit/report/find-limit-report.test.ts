import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { findLimitResults } from '../../../src/run/find-limit-judge.js';
import { findLimitChartData, findLimitLocals } from '../../../src/report/find-limit-html.js';
import { findLimitSummary, findLimitVerdictLine, formatStepRate } from '../../../src/report/find-limit-summary.js';
import { renderHtmlReport } from '../../../src/report/html-report.js';
import { renderJunitReport } from '../../../src/report/junit-report.js';
import { resultsSchemaProblems } from '../../../src/results/read-results.js';
import type { FindLimitDocument, FindLimitStepDocument } from '../../../src/sla/find-limit.js';
import { newRecorder, record, resultsOf } from '../results/results-helpers.js';

const plain = new Chalk({ level: 0 });

function step(index: number, ratePerSec: number, p95Ms: number, reason?: string): FindLimitStepDocument {
  const passed = reason === undefined;
  return {
    step: index + 1,
    ratePerSec,
    startMs: index * 1000,
    endMs: (index + 1) * 1000,
    windowStartMs: index * 1000,
    windowEndMs: (index + 1) * 1000,
    offeredPerSec: ratePerSec,
    throughputPerSec: Math.min(ratePerSec, 200),
    requests: Math.min(ratePerSec, 200),
    failures: 0,
    errorRate: 0,
    droppedArrivals: 0,
    p50Ms: p95Ms / 2,
    p95Ms,
    p99Ms: p95Ms * 1.1,
    passed,
    ...(passed ? {} : { reason }),
    thresholds: [
      { key: 'p95_latency_ms', limit: 50, measured: p95Ms, passed, description: `p95 latency ${p95Ms} ms ${passed ? '≤' : '>'} 50 ms` },
    ],
  };
}

const SEARCH: FindLimitDocument = {
  limitRatePerSec: 200,
  kneeRatePerSec: 175,
  criteria: 'sla',
  delivery: { maxDroppedRate: 0.01, minDeliveredRatio: 0.95 },
  stopReason: 'sla',
  stepDurationMs: 1000,
  plannedSteps: 8,
  steps: [step(0, 100, 6), step(1, 150, 6.5), step(2, 175, 7), step(3, 200, 12), step(4, 225, 112.5, 'p95 latency 112.5 ms > 50 ms')],
};

const built = resultsOf(record(newRecorder(), { count: 400 }));

describe('find-limit reports', () => {
  it('prints the steps as a table, the limit and the knee', () => {
    expect(findLimitSummary(SEARCH, plain).split('\n')).toEqual([
      '',
      "find-limit  steps of 1 s, each judged on its own window by the scenario's sla (p95_latency_ms: 50)",
      'step  rate/s  offered/s  req/s  p50 ms  p95 ms  p99 ms  errors  dropped  result',
      '   1     100        100    100    3.00    6.00    6.60   0.00%        0  ✓',
      '   2     150        150    150    3.25    6.50    7.15   0.00%        0  ✓',
      '   3     175        175    175    3.50    7.00    7.70   0.00%        0  ✓',
      '   4     200        200    200    6.00    12.0    13.2   0.00%        0  ✓',
      '   5     225        225    200    56.3     113     124   0.00%        0  ✗ p95 latency 112.5 ms > 50 ms',
      '(3 more steps planned, not run or not judged)',
      '',
      'limit  200 req/s: the highest rate that met the SLA',
      'knee   175 req/s: where p95 latency starts to climb (Kneedle on p95 against the rate)',
      '',
    ]);
  });

  it('says "at least" when no step failed, and why there is no limit when the first did', () => {
    const allPassed: FindLimitDocument = {
      ...SEARCH,
      stopReason: 'max-rate',
      plannedSteps: 4,
      steps: SEARCH.steps.slice(0, 4),
      kneeRatePerSec: null,
    };
    expect(findLimitSummary(allPassed, plain)).toContain(
      'limit  at least 200 req/s: every step met the SLA, up to the last (raise max_rate to find the limit)',
    );
    expect(findLimitSummary(allPassed, plain)).toContain('knee   none: p95 latency shows no bend over the steps judged');
    expect(findLimitSummary(allPassed, plain)).not.toContain('more steps planned');
    const none: FindLimitDocument = {
      ...SEARCH,
      limitRatePerSec: null,
      kneeRatePerSec: null,
      steps: [step(0, 12.5, 80, 'p95 latency 80 ms > 50 ms')],
    };
    expect(findLimitSummary(none, plain)).toContain('limit  none: the first step (12.5 req/s) already failed: p95 latency 80 ms > 50 ms');
  });

  it('formats the rates the profile asked for as written', () => {
    expect([20, 12.5, 1500, 0.25].map(formatStepRate)).toEqual(['20', '12.5', '1,500', '0.25']);
  });

  it('results: the findLimit block, the limit step’s thresholds, passed when a limit was found (valid against the schema)', () => {
    const results = findLimitResults(built, SEARCH, false);
    expect(results.verdict).toBe('passed');
    expect(results.thresholds).toEqual(SEARCH.steps[3]?.thresholds);
    expect(results.findLimit).toBe(SEARCH);
    expect(resultsSchemaProblems(JSON.parse(JSON.stringify(results)))).toEqual([]);
    expect(findLimitVerdictLine(results, plain)).toBe('✓ limit found: 200 req/s');

    const none = findLimitResults(built, { ...SEARCH, limitRatePerSec: null, steps: [SEARCH.steps[4] as FindLimitStepDocument] }, false);
    expect(none.verdict).toBe('failed');
    expect(none.thresholds.map((threshold) => threshold.passed)).toEqual([false]);
    expect(findLimitVerdictLine(none, plain)).toBe('✗ no limit found: the first step already broke the SLA');
    expect(findLimitResults(built, SEARCH, true).verdict).toBe('interrupted');
    // The schema refuses a step without its figures.
    const broken = JSON.parse(JSON.stringify(results)) as { findLimit: { steps: Record<string, unknown>[] } };
    delete broken.findLimit.steps[0]?.['p95Ms'];
    expect(resultsSchemaProblems(broken).join('\n')).toContain('/findLimit/steps/0 lacks "p95Ms"');
  });

  it('HTML: a breaking-point section with its chart data and table only for find-limit results', async () => {
    const html = await renderHtmlReport(findLimitResults(built, SEARCH, false));
    expect(html).toContain('<section id="find-limit">');
    expect(html).toContain('id="chart-find-limit"');
    expect(html).toContain(
      '"findLimit":{"unit":"req/s","levels":[100,150,175,200,225],"p50Ms":[3,3.25,3.5,6,56.25],"p95Ms":[6,6.5,7,12,112.5]',
    );
    expect(html).toContain('"limit":200,"knee":175');
    expect(html).toContain('✗ p95 latency 112.5 ms &gt; 50 ms');
    const plainRun = await renderHtmlReport(built);
    expect(plainRun).not.toContain('id="find-limit"');
    expect(plainRun).not.toContain('"findLimit"');
  });

  it('HTML headline: the limit found and the step that broke, not the thresholds of the limit step', async () => {
    const html = await renderHtmlReport(findLimitResults(built, SEARCH, false));
    expect(html).not.toContain('thresholds met');
    expect(html).toContain('Limit: 200 req/s — the step at 225 req/s broke p95 latency 112.5 ms &gt; 50 ms');
    const allPassed: FindLimitDocument = { ...SEARCH, stopReason: 'max-rate', plannedSteps: 4, steps: SEARCH.steps.slice(0, 4) };
    expect(await renderHtmlReport(findLimitResults(built, allPassed, false))).toContain(
      'Limit: at least 200 req/s — every step met the SLA',
    );
    const none = findLimitResults(built, { ...SEARCH, limitRatePerSec: null, steps: [SEARCH.steps[4] as FindLimitStepDocument] }, false);
    expect(await renderHtmlReport(none)).toContain('No limit: the first step, at 225 req/s, broke p95 latency 112.5 ms &gt; 50 ms');
  });

  it('HTML locals: figures, notes, rows; null latency for a step without requests', () => {
    const locals = findLimitLocals(findLimitResults(built, SEARCH, false));
    expect(locals).toMatchObject({
      limit: '200 req/s',
      limitText: 'the highest rate that met the SLA',
      knee: '175 req/s',
      stepsText: '5 of 8 steps judged, 1 s each',
    });
    expect(locals?.rows.map((row) => row.passed)).toEqual([true, true, true, true, false]);
    const empty = { ...step(0, 10, 0, 'no request ended in the step'), requests: 0 };
    const chart = findLimitChartData(
      findLimitResults(built, { ...SEARCH, limitRatePerSec: null, kneeRatePerSec: null, steps: [empty] }, false),
    );
    expect(chart).toEqual({
      unit: 'req/s',
      levels: [10],
      p50Ms: [null],
      p95Ms: [null],
      p99Ms: [null],
      errorPercent: [0],
      limit: null,
      knee: null,
    });
    expect(findLimitLocals(built)).toBeUndefined();
    expect(findLimitLocals({ ...built, findLimit: { ...SEARCH, stopReason: 'max-rate' } })?.limit).toBe('≥ 200 req/s');
  });
});

describe('find-limit reports: precision, refinements, capacity vs baseline', () => {
  const refined: FindLimitDocument = {
    ...SEARCH,
    limitRatePerSec: 212.5,
    limitThroughputPerSec: 205,
    bracket: { passedLevel: 212.5, failedLevel: 225, precision: 12.5 },
    refinementsRequested: 2,
    refinements: [
      { ...step(5, 212.5, 20), step: 6 },
      { ...step(6, 218.75, 90, 'p95 latency 90 ms > 50 ms'), step: 7 },
    ],
  };
  const dropped: FindLimitDocument = {
    ...refined,
    baseline: { file: 'base.json', model: 'rate', baselineLimit: 300, limit: 212.5, change: -0.291667, maxDrop: 0.1, passed: false },
  };

  it('states the precision and lists the refinements after the steps', () => {
    const text = findLimitSummary(refined, plain);
    expect(text).toContain(
      'limit  212.5 req/s: the highest rate that met the SLA (precision 12.5 req/s: the break lies in 212.5–225 req/s, after 2 refinements)',
    );
    expect(text).toContain('refinements (bisection between the last step passed and the first failed):\n  r6   212.5');
    expect(text).toMatch(/ {2}r7 {2}218\.75 .*✗ p95 latency 90 ms > 50 ms/);
    expect(findLimitVerdictLine(findLimitResults(built, refined, false), plain)).toBe('✓ limit found: 212.5 req/s (+12.5 at most)');
    // Without --refine, the bracket is a step: said so.
    expect(findLimitSummary({ ...SEARCH, bracket: { passedLevel: 200, failedLevel: 225, precision: 25 } }, plain)).toContain(
      '(precision 25 req/s: the break lies in 200–225 req/s, the step rate; --refine N narrows it)',
    );
  });

  it('shows the limit against the baseline: console, verdict, JUnit, HTML; a drop beyond the tolerance fails the results', () => {
    const results = findLimitResults(built, dropped, false);
    expect(results.verdict).toBe('failed');
    expect(resultsSchemaProblems(results)).toEqual([]);
    expect(findLimitSummary(dropped, plain)).toContain(
      '✗ capacity vs baseline: 212.5 req/s against 300 req/s in base.json (−29.2%; more than the 10% drop tolerated)',
    );
    expect(findLimitVerdictLine(results, plain)).toBe(
      '✗ capacity dropped: limit found: 212.5 req/s (+12.5 at most), −29.2% vs baseline 300 (at most −10% passes)',
    );
    const junit = renderJunitReport(results);
    expect(junit).toContain(
      '<testcase classname="loadseed.shop" name="capacity vs baseline" time="0">\n      <failure type="capacity" message="capacity vs baseline: 212.5 req/s against 300 req/s in base.json (−29.2%; more than the 10% drop tolerated)">',
    );
    expect(findLimitLocals(results)?.baseline).toEqual({
      value: '−29.2%',
      text: '212.5 req/s against 300 req/s in base.json (−29.2%; more than the 10% drop tolerated)',
      passed: false,
    });
    expect(findLimitLocals(results)?.precision?.value).toBe('+12.5 req/s');
    const higher: FindLimitDocument = {
      ...refined,
      baseline: { ...(dropped.baseline as NonNullable<FindLimitDocument['baseline']>), baselineLimit: 200, change: 0.0625, passed: true },
    };
    const passed = findLimitResults(built, higher, false);
    expect(passed.verdict).toBe('passed');
    expect(findLimitSummary(higher, plain)).toContain(
      '✓ capacity vs baseline: 212.5 req/s against 200 req/s in base.json (+6.3%: higher: fine)',
    );
    expect(renderJunitReport(passed)).toMatch(
      /name="capacity vs baseline" time="0">\n {6}<system-out>capacity vs baseline: 212\.5 req\/s against 200 req\/s/,
    );
  });
});
