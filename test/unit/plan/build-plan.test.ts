import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../../src/plan/build-plan.js';
import type { ScenarioData } from '../../../src/scenario/types.js';

const planOf = (data: Partial<ScenarioData>) =>
  buildPlan({
    file: 'dir/shop.yml',
    baseDir: 'dir',
    data: { load: { profile: 'constant', users: 2, duration: '10s' }, ...data },
    envVarsUsed: [],
  });

describe('buildPlan: requests and iterations', () => {
  it('runs requests in order, one sequence per iteration, when none has a weight', () => {
    const plan = planOf({ target: 'http://h:1', requests: [{ path: '/a' }, { name: 'b', method: 'POST', path: '/b', think_time: '1s' }] });
    expect(plan.requests.map((r) => [r.name, r.method, r.url, r.thinkTime?.minMs])).toEqual([
      ['GET /a', 'GET', 'http://h:1/a', undefined],
      ['b', 'POST', 'http://h:1/b', 1000],
    ]);
    expect(plan.iteration).toEqual({
      order: 'sequence',
      choices: [
        {
          name: 'requests',
          weight: 1,
          steps: [
            { kind: 'request', requestIndex: 0 },
            { kind: 'request', requestIndex: 1 },
          ],
        },
      ],
    });
    expect(plan.keepAlive).toBe(true);
  });

  it('picks one request per iteration by weight as soon as one request has a weight (others weigh 1)', () => {
    const plan = planOf({ target: 'http://h', requests: [{ path: '/a', weight: 3 }, { path: '/b' }] });
    expect(plan.iteration).toEqual({
      order: 'weighted',
      choices: [
        { name: 'GET /a', weight: 3, steps: [{ kind: 'request', requestIndex: 0 }] },
        { name: 'GET /b', weight: 1, steps: [{ kind: 'request', requestIndex: 1 }] },
      ],
    });
  });

  it('plans flows as weighted sequences of their steps, pauses included', () => {
    const plan = planOf({
      target: 'http://h',
      flows: [
        { name: 'browse', weight: 4, steps: [{ path: '/' }, { think: '500ms' }, { think: 0 }, { path: '/items' }] },
        { name: 'buy', steps: [{ method: 'POST', path: '/cart', json: { sku: 1 } }] },
      ],
    });
    expect(plan.requests.map((r) => r.name)).toEqual(['GET /', 'GET /items', 'POST /cart']);
    expect(plan.iteration).toEqual({
      order: 'weighted',
      choices: [
        {
          name: 'browse',
          weight: 4,
          steps: [
            { kind: 'request', requestIndex: 0 },
            { kind: 'think', thinkTime: { minMs: 500, maxMs: 500 } },
            { kind: 'request', requestIndex: 1 },
          ],
        },
        { name: 'buy', weight: 1, steps: [{ kind: 'request', requestIndex: 2 }] },
      ],
    });
  });

  it('applies defaults to every request and reads http.keep_alive', () => {
    const plan = planOf({
      target: 'http://h',
      http: { keep_alive: false },
      defaults: { timeout: '3s', headers: { 'User-Agent': 'test' }, expect: [200, 201] },
      requests: [{ path: '/' }],
    });
    expect(plan.keepAlive).toBe(false);
    expect(plan.requests[0]).toMatchObject({ timeoutMs: 3000, headers: ['user-agent', 'test'], expectedStatuses: [200, 201] });
  });
});

describe('buildPlan: workers', () => {
  it('runs on one thread by default', () => {
    expect(planOf({ target: 'http://h', requests: [{ path: '/' }] }).workers).toBe(1);
  });

  it('takes auto as one worker per core, and never more workers than users or iteration slots', () => {
    const load = { profile: 'constant', users: 8, duration: '10s' } as const;
    expect(
      buildPlan(
        { file: 'a.yml', baseDir: '.', data: { target: 'http://h', requests: [{ path: '/' }], load, workers: 'auto' }, envVarsUsed: [] },
        { availableCores: 4 },
      ).workers,
    ).toBe(4);
    expect(planOf({ target: 'http://h', requests: [{ path: '/' }], workers: 3 }).workers).toBe(2);
    expect(
      planOf({
        target: 'http://h',
        requests: [{ path: '/' }],
        load: { profile: 'arrival_rate', rate: 500, duration: '1s', max_users: 3 },
        workers: 16,
      }).workers,
    ).toBe(3);
  });
});
