import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { RunProgress } from '../../../src/engine/run-result.js';
import type { Plan } from '../../../src/plan/build-plan.js';
import type { PlannedThreshold } from '../../../src/plan/thresholds.js';
import { logStatusLine } from '../../../src/progress/log-status-line.js';
import { progressFigures } from '../../../src/progress/progress-figures.js';
import type { ProgressFigures } from '../../../src/progress/progress-figures.js';
import { ttyStatusLine } from '../../../src/progress/tty-status-line.js';
import { fill, planOf, progressOf, recorderFor, thresholdsOf } from './fixtures.js';

const plain = new Chalk({ level: 0 });
const colored = new Chalk({ level: 1 });
const RED = '\x1b[31m';
const YELLOW = '\x1b[33m';
const GREEN = '\x1b[32m';

/** What a terminal shows: the text without colour escapes. */
const visible = (line: string): string => line.replace(/\x1b\[[0-9;]*m/g, '');
const columnsOf = (line: string): number => [...visible(line)].length;

const stages = planOf({
  profile: 'stages',
  stages: [
    { duration: '30s', users: 250 },
    { duration: '1m', users: 250 },
    { duration: '30s', users: 0 },
  ],
});
const open = planOf({ profile: 'arrival_rate', rate: 200, duration: '2m' });
const sla = thresholdsOf({ p95_latency_ms: 500, max_error_rate: 0.01, min_rps: 100 });

/** 42.3 s into a 2-minute run: 1,000 requests a second of 40 ms, 2.5% failing. */
function busy(
  plan: Plan = stages,
  thresholds: PlannedThreshold[] = sla,
  fields: Partial<Omit<RunProgress, 'recorder'>> = {},
): ProgressFigures {
  const recorder = recorderFor(plan);
  for (let second = 0; second < 42; second++) fill(recorder, { startMs: second * 1000, requests: 1000, latencyMs: 40, failures: 25 });
  return progressFigures(progressOf(recorder, { elapsedMs: 42_300, plannedDurationMs: 120_000, activeUsers: 250, ...fields }), {
    plan,
    thresholds,
  });
}

/** 42.3 s into an open-model run at 200/s: 198 iterations in the last second, each taking 600 ms. */
function slowOpen(achievedPerSec = 198): ProgressFigures {
  const recorder = recorderFor(open);
  for (let second = 0; second < 42; second++) fill(recorder, { startMs: second * 1000, requests: achievedPerSec, latencyMs: 600 });
  return progressFigures(progressOf(recorder, { elapsedMs: 42_300, plannedDurationMs: 120_000, activeUsers: 120 }), {
    plan: open,
    thresholds: thresholdsOf({ p95_latency_ms: 500 }),
  });
}

describe('logStatusLine (CI logs)', () => {
  it('writes every figure, the lost threshold with its measured value, and no control character', () => {
    const line = logStatusLine(busy(), plain);
    expect(line).toBe(
      'measured 0:42/2:00 (35%) · stage 2/3 · 250 users · 42,000 requests · 1,000 req/s · p95 40.0 ms · 2.50% errors · ' +
        '✓ p95 ✗ error rate 2.5% > 1% … rps',
    );
    expect(line).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
  });

  it('open model: target 200/s · achieved 198/s, dropped arrivals, a lost p95', () => {
    expect(logStatusLine(slowOpen(), plain)).toMatch(
      /^measured 0:42\/2:00 \(35%\) · target 200\/s · achieved 198\/s · 8,316 requests · 198 req\/s · p95 6\d\d ms · 0\.00% errors · 0 dropped · ✗ p95 latency 6\d\d(\.\d)? ms > 500 ms$/,
    );
  });

  it('says warm-up (no thresholds yet) and finishing (with the requests still in flight)', () => {
    const warm = planOf({ profile: 'constant', users: 10, duration: '1m', warmup: '10s' });
    const recorder = recorderFor(warm);
    fill(recorder, { startMs: 4000, requests: 95, latencyMs: 12 });
    const warming = progressFigures(
      progressOf(recorder, { phase: 'warmup', elapsedMs: 5_000, plannedDurationMs: 10_000, activeUsers: 10 }),
      {
        plan: warm,
        thresholds: sla,
      },
    );
    expect(logStatusLine(warming, plain)).toBe(
      'warm-up 0:05/0:10 (50%) · 10 users · 95 requests · 95.0 req/s · p95 12.0 ms · 0.00% errors',
    );
    const finishing = busy(stages, [], { elapsedMs: 120_400, stopping: true, inFlight: 12, activeUsers: 0 });
    expect(logStatusLine(finishing, plain)).toMatch(/^finishing 2:00\/2:00 \(100%\) · stage 3\/3 · 0 users · .* · 12 in flight$/);
  });

  it('writes a whole-number target without decimals: target 20/s, achieved 19.0/s', () => {
    const warm = planOf({ profile: 'arrival_rate', rate: 200, duration: '2m', warmup: { duration: '10s', rate: 20 } });
    const recorder = recorderFor(warm);
    fill(recorder, { startMs: 2000, requests: 19, latencyMs: 12 });
    const figures = progressFigures(progressOf(recorder, { phase: 'warmup', elapsedMs: 3_500, plannedDurationMs: 10_000 }), {
      plan: warm,
      thresholds: [],
    });
    expect(logStatusLine(figures, plain)).toBe(
      'warm-up 0:03/0:10 (35%) · target 20/s · achieved 19.0/s · 19 requests · 19.0 req/s · p95 12.0 ms · 0.00% errors · 0 dropped',
    );
  });

  it('keeps a request name with control characters from reaching the log', () => {
    const plan = planOf({ profile: 'constant', users: 1, duration: '1m' }, { requests: [{ name: 'evil\x1b[2J\nname', path: '/' }] });
    const recorder = recorderFor(plan);
    fill(recorder, { startMs: 0, requests: 10, latencyMs: 900 });
    const figures = progressFigures(progressOf(recorder, { elapsedMs: 1_500 }), {
      plan,
      thresholds: thresholdsOf({ requests: { 'evil\x1b[2J\nname': { p95_latency_ms: 100 } } }),
    });
    const line = logStatusLine(figures, plain);
    expect(line).toContain('✗ p95 latency');
    expect(line).toContain('(evil\\u001b[2J\\u000aname)');
    expect(line).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
  });
});

describe('ttyStatusLine (terminal)', () => {
  it('fits 120 columns with a bar, the stage and every figure', () => {
    const line = ttyStatusLine(busy(), 120, plain);
    expect(line).toBe(
      'measured ████░░░░░░ 0:42/2:00 · stage 2/3 · 250 users · 1,000 req/s · p95 40.0 ms · 2.50% errors · ✓ p95 ✗ errors … rps',
    );
    expect(columnsOf(line)).toBeLessThanOrEqual(119);
  });

  it('fits 80 columns, keeping progress, req/s, p95, errors and the lost threshold', () => {
    const line = ttyStatusLine(busy(), 80, plain);
    expect(line).toBe('████░░░░░░ 0:42/2:00 · 1,000 req/s · p95 40.0 ms · 2.50% err · ✗ errors');
  });

  it('at 80 columns, keeps p95 and errors (users go first), with the thresholds as a count while they hold and by name once lost', () => {
    const holding = ttyStatusLine(busy(stages, thresholdsOf({ p95_latency_ms: 500, max_latency_ms: 1000, min_rps: 100 })), 80, plain);
    expect(holding).toBe('████░░░░░░ 0:42/2:00 · 1,000 req/s · p95 40.0 ms · 2.50% err · ✓ 2/3 thresholds');
    expect(ttyStatusLine(busy(stages, thresholdsOf({ p95_latency_ms: 10, max_latency_ms: 1000 })), 80, plain)).toBe(
      '████░░░░░░ 0:42/2:00 · 1,000 req/s · p95 40.0 ms · 2.50% err · ✗ p95',
    );
  });

  it('keeps the bar one width while the figures change length', () => {
    const barOf = (line: string): string => /[█░]+/.exec(line)?.[0] ?? '';
    const moments = [busy(), busy(stages, sla, { activeUsers: 5 }), busy(stages, sla, { elapsedMs: 100_000, activeUsers: 1_250 })];
    const widthsAt = (columns: number): number[] => [
      ...new Set(moments.map((figures) => barOf(ttyStatusLine(figures, columns, plain)).length)),
    ];
    expect([widthsAt(120), widthsAt(150), widthsAt(200)]).toEqual([[10], [25], [30]]);
  });

  it('never takes more than columns - 1, from 200 down to 10, coloured or not', () => {
    for (const figures of [busy(), slowOpen(), busy(stages, [])]) {
      for (let columns = 200; columns >= 10; columns--) {
        expect(columnsOf(ttyStatusLine(figures, columns, plain))).toBeLessThanOrEqual(columns - 1);
        expect(columnsOf(ttyStatusLine(figures, columns, colored))).toBeLessThanOrEqual(columns - 1);
      }
    }
    expect(ttyStatusLine(busy(), 20, colored)).toMatch(/…\x1b\[0m$/);
  });

  it('open model: target 200/s · achieved 198/s, and a lost p95 as a red ✗ p95 and a red bar', () => {
    expect(ttyStatusLine(slowOpen(), 120, plain)).toMatch(
      /^measured █+░+ 0:42\/2:00 · target 200\/s · achieved 198\/s · 198 req\/s · p95 6\d\d ms · 0\.00% errors · ✗ p95$/,
    );
    const line = ttyStatusLine(slowOpen(), 120, colored);
    expect(line).toContain(`${RED}✗ p95`);
    expect(line.startsWith(`measured ${RED}█`)).toBe(true);
    expect(visible(line)).toBe(ttyStatusLine(slowOpen(), 120, plain));
  });

  it('shows an open model falling short of its target in yellow, and a run keeping every threshold in green', () => {
    const short = ttyStatusLine(slowOpen(150), 120, colored);
    expect(short).toContain(`achieved ${YELLOW}150/s`);
    const passing = ttyStatusLine(busy(stages, thresholdsOf({ p95_latency_ms: 500 })), 120, colored);
    expect(passing).toContain(`${GREEN}✓ p95`);
    expect(passing).toContain(`${GREEN}█`);
  });
});
