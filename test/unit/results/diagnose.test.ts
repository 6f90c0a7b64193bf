import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { MonitorSourceResults } from '../../../src/monitor/monitor-results.js';
import { consoleSummary, verdictLine } from '../../../src/report/console-summary.js';
import { renderHtmlReport } from '../../../src/report/html-report.js';
import { renderJunitReport } from '../../../src/report/junit-report.js';
import { renderMarkdownReport } from '../../../src/report/markdown-report.js';
import { diagnose } from '../../../src/results/diagnose.js';
import type { ResultsDocument, StatsDocument } from '../../../src/results/results-document.js';
import { resultsFixture, stats } from '../report/results-fixture.js';

type Point = ResultsDocument['series'][number];

/** One second of the series: `requests` that ended, their p95, and the rest as told. */
function second(index: number, requests: number, p95Ms: number, more: Partial<Point> = {}): Point {
  return {
    startMs: index * 1000,
    durationMs: 1000,
    requests,
    failures: 0,
    failuresByKind: {},
    arrivals: 0,
    droppedArrivals: 0,
    activeUsers: 4,
    p50Ms: p95Ms / 2,
    p95Ms,
    p99Ms: p95Ms * 1.2,
    ...more,
  };
}

/** A run of `series.length` seconds whose totals are `total`, passed unless told. */
function run(series: Point[], total: StatsDocument, more: Partial<ResultsDocument> = {}): ResultsDocument {
  const base = resultsFixture({ verdict: 'passed', thresholds: [] });
  return {
    ...base,
    run: { ...base.run, durationMs: series.length * 1000 },
    summary: { ...base.summary, total, requests: [{ ...total, name: 'home' }] },
    series,
    ...more,
  };
}

/** Totals without a failure. */
function clean(count: number, p95Ms: number): StatsDocument {
  return { ...stats('total', count, 0, p95Ms), statusCodes: { 200: count } };
}

function monitorOf(name: string, cpu: readonly (number | null)[], intervalMs = 1000): MonitorSourceResults {
  return {
    name,
    kind: 'process',
    target: `command ${name}`,
    intervalMs,
    points: cpu.map((cpuPercent, index) => ({ offsetMs: index * intervalMs, cpuPercent, memoryBytes: 50_000_000 })),
    warnings: [],
  };
}

const FAILED_SLA = {
  verdict: 'failed' as const,
  thresholds: [{ key: 'p95_latency_ms', limit: 50, measured: 180, passed: false, description: 'p95 latency 180 ms > 50 ms' }],
};

const plain = new Chalk({ level: 0 });

describe('diagnose: nothing broke', () => {
  it('finds nothing in a passed run without errors, drops, saturation or a rise in latency', () => {
    const results = run([second(0, 100, 10), second(1, 100, 11), second(2, 100, 10.5)], clean(300, 11));
    expect(diagnose(results)).toEqual([]);
    expect(verdictLine(results, plain)).toBe('✓ run completed (no thresholds)');
    expect(consoleSummary(results, plain)).not.toContain('what broke');
  });

  it('leaves a busy server alone when the run went well', () => {
    const results = run([second(0, 100, 10), second(1, 100, 10)], clean(200, 10), { monitor: [monitorOf('node', [null, 97, 98])] });
    expect(diagnose(results)).toEqual([]);
  });
});

describe('diagnose: errors from the target', () => {
  const failing = (count: number): Partial<Point> => ({ failures: count, failuresByKind: { status: count } });

  it('names the status, the first interval with it and its wall-clock time', () => {
    const total: StatsDocument = { ...stats('total', 300, 150, 10), statusCodes: { 200: 150, 503: 150 } };
    const results = run([second(0, 100, 10), second(1, 100, 10, failing(50)), second(2, 100, 10, failing(100))], total, FAILED_SLA);
    expect(diagnose(results)).toEqual([
      {
        rule: 'target-errors',
        sentence: 'errors: 503 from the target from 20:00:01 UTC, 1.0 s into the run',
        evidence: ['503: 150 of 300 requests (50.0%)'],
        fromMs: 1000,
      },
    ]);
    expect(verdictLine(results, plain)).toBe(
      '✗ failed: 1 of 1 thresholds violated: p95_latency_ms — errors: 503 from the target from 20:00:01 UTC, 1.0 s into the run',
    );
  });

  it('names each kind, the most frequent first: timeouts, then the 5xx', () => {
    const total: StatsDocument = {
      ...stats('total', 400, 90, 10),
      statusCodes: { 200: 310, 500: 30, 0: 60 },
      errors: { timeout: 60 },
    };
    const results = run(
      [
        second(0, 200, 10, { failures: 30, failuresByKind: { status: 30 } }),
        second(1, 200, 10, { failures: 60, failuresByKind: { timeout: 60 } }),
      ],
      total,
      { verdict: 'failed' },
    );
    const [diagnosis] = diagnose(results);
    expect(diagnosis?.sentence).toBe('errors: timeouts and 500 from the target from 20:00:00 UTC, 0.0 s into the run');
    expect(diagnosis?.evidence).toEqual(['timeouts: 60 of 400 requests (15.0%)', '500: 30 of 400 requests (7.5%)']);
  });

  it('counts connections refused and reset, and ignores what the target did not cause (checks)', () => {
    const total: StatsDocument = {
      ...stats('total', 100, 100, 10),
      statusCodes: { 0: 90, 200: 10 },
      errors: { connection_refused: 80, connection_reset: 10, check: 10 },
    };
    const results = run(
      [second(0, 100, 1, { failures: 100, failuresByKind: { connection_refused: 80, connection_reset: 10, check: 10 } })],
      total,
      {
        verdict: 'failed',
      },
    );
    expect(diagnose(results).map((each) => each.sentence)).toEqual([
      'errors: connections refused and connections reset from the target from 20:00:00 UTC, 0.0 s into the run',
    ]);
  });

  it('passes over a few errors (under 1% of the requests) in a run that passed, not in one that failed', () => {
    const total: StatsDocument = { ...stats('total', 1000, 5, 10), statusCodes: { 200: 995, 502: 5 } };
    const series = [second(0, 500, 10), second(1, 500, 10, failing(5))];
    expect(diagnose(run(series, total))).toEqual([]);
    expect(diagnose(run(series, total, FAILED_SLA)).map((each) => each.sentence)).toEqual([
      'errors: 502 from the target from 20:00:01 UTC, 1.0 s into the run',
    ]);
  });
});

describe('diagnose: a CPU-bound server', () => {
  /** An open-model ramp: 75, 225, 300, 300 arrivals per second asked for; latency up from the second second. */
  const ramp = [
    second(0, 75, 8, { arrivals: 75 }),
    second(1, 225, 40, { arrivals: 225 }),
    second(2, 300, 180, { arrivals: 300 }),
    second(3, 300, 250, { arrivals: 300 }),
  ];

  it('states the rate at which the monitored CPU reached its limit, and the CPU', () => {
    const results = run(ramp, clean(900, 200), { ...FAILED_SLA, monitor: [monitorOf('node', [null, 40, 95, 98, 99])] });
    expect(diagnose(results)).toEqual([
      {
        rule: 'server-cpu-bound',
        sentence: 'server CPU-bound from 225/s (monitor: node 98% CPU)',
        evidence: [
          'node: 3 of 3 samples from 1.0 s on at ≥ 90% of one core, on a CPU or waiting for one (median 98%)',
          '225/s arrivals asked for in the interval from 1.0 s',
        ],
        fromMs: 1000,
      },
    ]);
  });

  it('counts the time a process waited for a CPU: a server short of CPU on a busy machine is CPU-bound too', () => {
    const starved: MonitorSourceResults = {
      ...monitorOf('node', [null, 20, 30, 31, 29]),
      points: [null, 20, 30, 31, 29].map((cpuPercent, index) => ({
        offsetMs: index * 1000,
        cpuPercent,
        memoryBytes: 50_000_000,
        ...(index === 0 ? {} : { waitPercent: index === 1 ? 10 : 66 }),
      })),
    };
    const [diagnosis] = diagnose(run(ramp, clean(900, 200), { ...FAILED_SLA, monitor: [starved] }));
    expect(diagnosis?.sentence).toBe('server CPU-bound from 225/s (monitor: node 30% CPU, 66% waiting for a CPU)');
    expect(diagnosis?.evidence[0]).toBe(
      'node: 3 of 3 samples from 1.0 s on at ≥ 90% of one core, on a CPU or waiting for one (median 30% on a CPU and 66% waiting for one)',
    );
  });

  it('is not bound by one busy sample among idle ones, and then says latency rose without a CPU to blame', () => {
    const results = run(ramp, clean(900, 200), { ...FAILED_SLA, monitor: [monitorOf('node', [null, 40, 95, 45, 40, 42])] });
    expect(diagnose(results).map((each) => [each.rule, each.sentence])).toEqual([
      ['latency-knee', 'latency rose from 225/s; the monitor shows no CPU limit (node: median 42% of one core)'],
    ]);
  });

  it('ranks the busiest of several bound sources first, and says dropped arrivals waited on it', () => {
    const dropping = ramp.map((point, index) => (index < 2 ? point : { ...point, arrivals: 200, droppedArrivals: 100, activeUsers: 50 }));
    const results = run(dropping, clean(800, 200), {
      ...FAILED_SLA,
      summary: { ...resultsFixture().summary, total: clean(800, 200), droppedArrivals: 200 },
      monitor: [monitorOf('db', [null, 20, 91, 92, 93]), monitorOf('api', [null, 99, 99, 99, 99])],
    });
    expect(diagnose(results).map((each) => each.sentence)).toEqual([
      'server CPU-bound from 75.0/s (monitor: api 99% CPU)',
      'server CPU-bound from 225/s (monitor: db 92% CPU)',
      'arrivals dropped: every user waited on the CPU-bound server (200 of 900 dropped, all 50 users busy)',
    ]);
  });
});

describe('diagnose: the load generator', () => {
  it('puts a saturated generator first, even in a run that passed', () => {
    const saturated = {
      ...resultsFixture().generator,
      cpuPercent: 99.5,
      busyPercent: 98,
      eventLoopDelayP99Ms: 35,
      saturated: true,
      reason: 'the load thread was ≥ 90% busy (CPU) for 96.7% of the run',
    };
    const total: StatsDocument = { ...stats('total', 300, 150, 10), statusCodes: { 200: 150, 503: 150 } };
    const results = run([second(0, 150, 10), second(1, 150, 10, { failures: 150, failuresByKind: { status: 150 } })], total, {
      generator: saturated,
    });
    const diagnoses = diagnose(results);
    expect(diagnoses.map((each) => each.rule)).toEqual(['generator-saturated', 'target-errors']);
    expect(diagnoses[0]).toEqual({
      rule: 'generator-saturated',
      sentence: 'generator saturated: results describe loadseed, not the target',
      evidence: [
        'the load thread was ≥ 90% busy (CPU) for 96.7% of the run',
        'loadseed used 99.5% of one core (1 thread), its busiest thread 98% busy; event-loop delay p99 35 ms',
      ],
    });
  });
});

describe('diagnose: dropped arrivals', () => {
  it('says max_users was too low, with the users a rate needs at the measured response time', () => {
    const series = [
      second(0, 30, 400, { arrivals: 30, droppedArrivals: 20, activeUsers: 3 }),
      second(1, 30, 400, { arrivals: 30, droppedArrivals: 20, activeUsers: 3 }),
    ];
    const results = run(series, clean(60, 400), { summary: { ...resultsFixture().summary, total: clean(60, 400), droppedArrivals: 40 } });
    expect(diagnose(results)).toEqual([
      {
        rule: 'arrivals-dropped',
        sentence: 'arrivals dropped: max_users too low (40 of 100 dropped, all 3 users busy)',
        evidence: [
          '50.0/s asked for × 200 ms mean response time ≈ 10 users needed at once (rate × time)',
          'first dropped in the interval from 0.0 s',
        ],
        fromMs: 0,
      },
    ]);
  });
});

describe('diagnose: latency that rose', () => {
  const closed = [second(0, 100, 5), second(1, 150, 5.5), second(2, 200, 30), second(3, 200, 40)];

  it('states the rate where p95 doubled (and rose 10 ms), and that nothing says why without a monitor', () => {
    expect(diagnose(run(closed, clean(650, 40), FAILED_SLA))).toEqual([
      {
        rule: 'latency-knee',
        sentence: 'latency rose from 200/s; no monitor data to say why',
        evidence: ['p95 30 ms in the interval from 2.0 s, against 5 ms at best before it', '200/s requests'],
        fromMs: 2000,
      },
    ]);
  });

  it('needs the rise to last: a single slow interval, or slow requests of the drain, are no knee', () => {
    const blip = [second(0, 100, 5), second(1, 100, 50), second(2, 100, 5), second(3, 100, 5.2), second(4, 100, 5)];
    expect(diagnose(run(blip, clean(500, 50), FAILED_SLA))).toEqual([]);
    const drained = [second(0, 100, 5), second(1, 100, 5), second(2, 3, 900)];
    const results = run(drained, clean(203, 5), FAILED_SLA);
    expect(diagnose({ ...results, run: { ...results.run, durationMs: 2500, drainMs: 500 } })).toEqual([]);
  });

  it('a rise too small to matter (under 10 ms) is no knee, however many times the lowest p95', () => {
    const small = [second(0, 100, 0.5), second(1, 100, 2), second(2, 100, 3)];
    expect(diagnose(run(small, clean(300, 3), FAILED_SLA))).toEqual([]);
  });
});

describe('what broke in the reports', () => {
  const total: StatsDocument = { ...stats('total', 300, 150, 10), statusCodes: { 200: 150, 503: 150 } };
  const results = run(
    [
      second(0, 100, 10),
      second(1, 100, 10, { failures: 50, failuresByKind: { status: 50 } }),
      second(2, 100, 10, { failures: 100, failuresByKind: { status: 100 } }),
    ],
    total,
    FAILED_SLA,
  );
  const sentence = 'errors: 503 from the target from 20:00:01 UTC, 1.0 s into the run';

  it('the console summary lists each cause with its figures', () => {
    expect(consoleSummary(results, plain)).toContain(
      `\nwhat broke (most likely first)\n  1. ${sentence}\n     503: 150 of 300 requests (50.0%)\n`,
    );
  });

  it('JUnit carries them in the suite’s system-out', () => {
    expect(renderJunitReport(results)).toContain(
      `    <system-out>what broke (most likely first):\n1. ${sentence}\n   503: 150 of 300 requests (50.0%)</system-out>\n  </testsuite>`,
    );
    expect(renderJunitReport(run([second(0, 10, 1)], clean(10, 1)))).not.toContain('system-out');
  });

  it('the HTML report shows them in the verdict’s box', async () => {
    const html = await renderHtmlReport(results);
    expect(html).toContain(
      `<div class="list-title">Likely cause, most likely first</div>\n      <ol class="causes" id="what-broke"><li data-rule="target-errors"><span class="cause">${sentence}</span><div class="evidence">503: 150 of 300 requests (50.0%)</div></li></ol>`,
    );
    expect(await renderHtmlReport(run([second(0, 10, 1)], clean(10, 1)))).not.toContain('id="what-broke"');
  });

  it('Markdown lists them under the key figures', () => {
    const lines = renderMarkdownReport(results).split('\n');
    expect(lines.slice(4, 8)).toEqual(['**What broke** (most likely first):', '', `1. ${sentence} — 503: 150 of 300 requests (50.0%)`, '']);
  });
});
