import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../../src/plan/build-plan.js';
import { planAllThresholds } from '../../../src/plan/thresholds.js';
import { Recorder } from '../../../src/metrics/recorder.js';
import { liveThresholds } from '../../../src/sla/live-thresholds.js';
import { checkScenario } from '../../../src/scenario/check-scenario.js';
import { reportedRequestNames } from '../../../src/scenario/request-names.js';
import type { ScenarioData } from '../../../src/scenario/types.js';

/** A file with three scenarios: two share the request name "home". */
const shop: ScenarioData = {
  name: 'shop',
  target: 'http://h:1',
  workers: 4,
  scenarios: {
    browse: { requests: [{ name: 'home', path: '/' }, { path: '/b' }], load: { profile: 'ramp', end_users: 6, ramp_duration: '2s' } },
    checkout: {
      requests: [{ name: 'home', path: '/c' }],
      load: { profile: 'arrival_rate', rate: 10, duration: '3s', max_users: 3 },
      start_after: '1s',
      sla: { p95_latency_ms: 200, requests: { home: { max_error_rate: 0 } } },
    },
    smoke: { requests: [{ name: 'ping', path: '/p' }], load: { profile: 'constant', users: 2, iterations: 5 } },
  },
  sla: { max_error_rate: 0.01 },
};

const planOf = (data: ScenarioData) => buildPlan({ file: 'dir/shop.yml', baseDir: 'dir', data, envVarsUsed: [] }, { availableCores: 2 });

describe('a plan of several scenarios', () => {
  it('puts every scenario request in one list, names scoped where two scenarios share one, steps shifted into it', () => {
    const plan = planOf(shop);
    expect(plan.requests.map((request) => [request.name, request.url])).toEqual([
      ['browse/home', 'http://h:1/'],
      ['GET /b', 'http://h:1/b'],
      ['checkout/home', 'http://h:1/c'],
      ['ping', 'http://h:1/p'],
    ]);
    expect(plan.scenarios?.map((part) => [part.name, part.startAfterMs, part.requestNames])).toEqual([
      ['browse', 0, ['browse/home', 'GET /b']],
      ['checkout', 1000, ['checkout/home']],
      ['smoke', 0, ['ping']],
    ]);
    const steps = plan.scenarios?.map((part) => part.iteration.choices.flatMap((choice) => choice.steps));
    expect(steps).toEqual([
      [
        { kind: 'request', requestIndex: 0 },
        { kind: 'request', requestIndex: 1 },
      ],
      [{ kind: 'request', requestIndex: 2 }],
      [{ kind: 'request', requestIndex: 3 }],
    ]);
    expect(reportedRequestNames(shop)).toEqual(['browse/home', 'GET /b', 'checkout/home', 'ping']);
  });

  it('has an envelope profile (every user, as long as the last scenario runs) and no more workers than the smallest scenario has users', () => {
    const plan = planOf(shop);
    // 6 + 3 + 2 users; checkout ends last at 1 s + 3 s, unless smoke's iterations take their 10 min bound.
    expect(plan.profile).toEqual({ kind: 'constant-users', users: 11, durationMs: 600_000 });
    expect(plan.workers).toBe(2);
    expect(planOf({ ...shop, workers: 'auto' }).workers).toBe(2);
  });

  it('judges each scenario sla on its requests together, and its sla.requests under the scoped names', () => {
    expect(planAllThresholds(shop)).toEqual([
      { key: 'max_error_rate', metric: { kind: 'error-rate' }, limit: 0.01 },
      {
        key: 'p95_latency_ms',
        metric: { kind: 'percentile-latency', percentile: 95 },
        limit: 200,
        scenario: 'checkout',
        requestNames: ['checkout/home'],
      },
      { key: 'max_error_rate', metric: { kind: 'error-rate' }, limit: 0, request: 'checkout/home' },
    ]);
  });

  it('locates what a scenario of several may not hold', () => {
    const issues = checkScenario({
      target: 'http://h:1',
      requests: [{ path: '/' }],
      scenarios: {
        a: {
          requests: [{ path: '/' }],
          load: { profile: 'constant', users: 1, duration: '1s', warmup: '1s' },
          sla: { abort_on_fail: true },
        },
        b: { load: { profile: 'breaking_point', start_rate: 1, step_rate: 1, max_rate: 2, step_duration: '1s' } },
      },
    });
    expect(issues.map((issue) => [issue.path.join('.'), issue.message.slice(0, 40)])).toEqual([
      ['requests', 'with scenarios, requests goes inside eac'],
      ['scenarios.a.sla.abort_on_fail', 'abort_on_fail is for the whole run: set '],
      ['scenarios.a.load.warmup', 'a warm-up is not supported in a file wit'],
      ['scenarios.b', 'a scenario needs requests (a list of req'],
      ['scenarios.b.load.profile', 'breaking_point is for loadseed find-limi'],
    ]);
  });
});

describe('Recorder with several scenarios', () => {
  it('sums the active users of each scenario in its series, and groups a scenario request names', () => {
    const recorder = new Recorder(['a', 'b', 'c']);
    recorder.start(0);
    recorder.setActiveUsers(3, 10, 0);
    recorder.setActiveUsers(4, 20, 1);
    recorder.setActiveUsers(1, 30, 0);
    expect(recorder.snapshot().series[0]?.activeUsers).toBe(7);
    recorder.setActiveUsers(0, 1500, 1);
    recorder.setActiveUsers(2, 2500, 0);
    // An interval shows the most users it held: 1 + 4 until 1.5 s; then part 0's 2 alone.
    expect(recorder.snapshot().series.map((point) => point.activeUsers)).toEqual([7, 5, 2]);
    recorder.recordResponse(0, 200, true, 1000, 900, 10, 10, 50);
    recorder.recordResponse(1, 500, false, 3000, 2900, 10, 10, 60);
    recorder.recordResponse(2, 200, true, 9000, 8900, 10, 10, 70);
    const { stats, responseTime } = recorder.groupStats('first two', ['a', 'b', 'nope']);
    expect([stats.name, stats.requests, stats.failures, responseTime.totalCount]).toEqual(['first two', 2, 1, 2]);
    expect(stats.responseTime.maxUs).toBeLessThan(3100);
  });
});

describe('live thresholds of a scenario', () => {
  it('judge its requests together, as the final verdict does, not the run', () => {
    const recorder = new Recorder(['browse/home', 'checkout/home', 'ping']);
    for (let k = 0; k < 300; k++) recorder.recordResponse(0, 200, true, 1_000, 900, 10, 10, 50);
    for (let k = 0; k < 10; k++) recorder.recordResponse(1, 200, true, 40_000, 39_000, 10, 10, 50);
    const [checkout] = planAllThresholds(shop).filter((threshold) => threshold.scenario === 'checkout');
    if (checkout === undefined) throw new Error('no checkout threshold');
    const [live] = liveThresholds([{ ...checkout, limit: 30 }], recorder, recorder.counters(), { iterationsInFlight: 0 });
    // checkout's p95 is 40 ms; the run's is 1 ms (10 of its 310 responses are slow): browse must not count.
    expect(live?.state).toBe('lost');
    expect(live?.label).toBe('p95[checkout]');
    expect(live?.outcome?.measured).toBeCloseTo(40, 0);
    const [passing] = liveThresholds([{ ...checkout, limit: 30, requestNames: ['browse/home'] }], recorder, recorder.counters(), {
      iterationsInFlight: 0,
    });
    expect(passing?.state).toBe('passing');
    const [run] = liveThresholds([{ key: 'p95_latency_ms', metric: checkout.metric, limit: 30 }], recorder, recorder.counters(), {
      iterationsInFlight: 0,
    });
    expect(run?.state).toBe('passing');
  });
});
