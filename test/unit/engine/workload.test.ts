import { describe, expect, it } from 'vitest';
import { IterationSteps, workloadOf } from '../../../src/engine/workload.js';
import { buildPlan } from '../../../src/plan/build-plan.js';

describe('IterationSteps', () => {
  const steps = new IterationSteps({
    order: 'weighted',
    choices: [
      {
        name: 'a',
        weight: 3,
        steps: [
          { kind: 'request', requestIndex: 0 },
          { kind: 'think', thinkTime: { minMs: 5, maxMs: 5 } },
        ],
      },
      {
        name: 'b',
        weight: 1,
        steps: [
          { kind: 'think', thinkTime: { minMs: 5, maxMs: 5 } },
          { kind: 'request', requestIndex: 1 },
        ],
      },
      { name: 'c', weight: 1, steps: [{ kind: 'think', thinkTime: { minMs: 5, maxMs: 5 } }] },
    ],
  });

  it('picks by cumulative weight', () => {
    expect([0, 0.59, 0.6, 0.79, 0.8, 0.999].map((r) => steps.pick(() => r))).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('knows where each choice sends its last request (-1: none)', () => {
    expect([...steps.lastRequestStep]).toEqual([0, 1, -1]);
  });

  it('always picks the only choice of a sequence', () => {
    const single = new IterationSteps({ order: 'sequence', choices: [{ name: 'r', weight: 1, steps: [] }] });
    expect(single.pick(() => 0.99)).toBe(0);
  });
});

describe('workloadOf', () => {
  it('takes per-request names, deadlines and pauses from the plan', () => {
    const plan = buildPlan({
      file: 'x.yml',
      baseDir: '.',
      envVarsUsed: [],
      data: {
        target: 'http://h',
        defaults: { timeout: '2s' },
        requests: [
          { name: 'a', path: '/a', think_time: '1s' },
          { name: 'b', path: '/b', timeout: '300ms' },
        ],
        load: { profile: 'constant', users: 1, duration: '1s', grace_period: '2s' },
      },
    });
    const workload = workloadOf(plan);
    expect(workload.requestNames).toEqual(['a', 'b']);
    expect(workload.timeoutsMs).toEqual([2000, 300]);
    expect(workload.thinkAfter).toEqual([{ minMs: 1000, maxMs: 1000 }, undefined]);
    expect(workload.gracePeriodMs).toBe(2000);
  });
});
