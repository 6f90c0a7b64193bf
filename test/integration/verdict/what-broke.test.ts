import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { platform } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LoadGenerator } from '../../../src/api/load-generator.js';
import { SATURATION_LIMITS, judgeGenerator } from '../../../src/metrics/generator-load.js';
import { diagnose } from '../../../src/results/diagnose.js';
import { assembleResults, generatorDocument } from '../../../src/results/results-document.js';
import type { ResultsDocument } from '../../../src/results/results-document.js';
import { startTargetServer } from '../../../src/target/target-server.js';
import type { TargetServer } from '../../../src/target/target-server.js';
import { CliSandbox } from '../../unit/results/results-helpers.js';

/**
 * The verdict's rules (results/diagnose.ts) against targets made to fail one way each, on loopback: the cause
 * planted is the cause named, in the console, the results file, JUnit and Markdown, and again by `loadseed
 * report` from the file alone.
 */
let sandbox: CliSandbox;
const servers: Server[] = [];
let target: TargetServer | undefined;
let child: ChildProcess | undefined;

beforeAll(async () => {
  sandbox = await CliSandbox.create();
});

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await target?.close();
  target = undefined;
  if (child !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
  child = undefined;
});

afterAll(async () => {
  await sandbox.remove();
});

/** Listens on 127.0.0.1 with `handle`; resolves with the port. */
async function listen(handle: RequestListener): Promise<number> {
  const server = createServer({ keepAliveTimeout: 30_000 }, handle);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** `14:02:31`, UTC, `offsetMs` after the run's start. */
function clockAt(results: ResultsDocument, offsetMs: number): string {
  return new Date(Date.parse(results.run.startedAt) + offsetMs).toISOString().slice(11, 19);
}

describe('errors from the target: a server that answers 503 after its first 150 requests', () => {
  it('names the status and the first interval with it, as wall-clock time, in every report', async () => {
    const ANSWERED = 150;
    let requests = 0;
    let unavailable = 0;
    const port = await listen((request, response) => {
      request.resume();
      requests += 1;
      if (requests <= ANSWERED) return response.end('ok');
      unavailable += 1;
      response.statusCode = 503;
      response.end('busy');
    });
    // 100/s for 2 s: the 151st request is due at 1.5 s, so the 503s start in the second interval at the earliest.
    await sandbox.write(
      'errors.yml',
      [
        `target: http://127.0.0.1:${port}`,
        'requests: [{name: home, path: /}]',
        'load: {profile: arrival_rate, rate: 100, duration: 2s}',
        'report: {html: false}',
        '',
      ].join('\n'),
    );
    const out = await sandbox.run('run', 'errors.yml', '--out', 'errors.json', '--junit', 'errors.xml', '--markdown', 'errors.md');
    expect(out.code, out.stderr).toBe(1);
    const results = await sandbox.readResults('errors.json');
    expect(results.summary.total.count).toBe(requests);
    expect(results.summary.total.statusCodes['503']).toBe(unavailable);
    expect(unavailable).toBeGreaterThan(0);

    const first = results.series.find((point) => (point.failuresByKind.status ?? 0) > 0)!;
    expect(first.startMs).toBeGreaterThanOrEqual(1000);
    const sentence = `errors: 503 from the target from ${clockAt(results, first.startMs)} UTC, ${(first.startMs / 1000).toFixed(1)} s into the run`;
    const diagnoses = diagnose(results);
    expect(diagnoses[0]).toEqual({
      rule: 'target-errors',
      sentence,
      evidence: [`503: ${unavailable} of ${requests} requests (${((unavailable / requests) * 100).toFixed(1)}%)`],
      fromMs: first.startMs,
    });
    expect(diagnoses.map((each) => each.rule)).not.toContain('server-cpu-bound');

    expect(out.stdout).toContain(`\n✗ failed: 1 of 1 thresholds violated: max_error_rate — ${sentence}\n`);
    expect(out.stdout).toContain(`what broke (most likely first)\n  1. ${sentence}\n`);
    expect(await sandbox.read('errors.xml')).toContain(`<system-out>what broke (most likely first):\n1. ${sentence}\n`);
    expect(await sandbox.read('errors.md')).toContain(`\n1. ${sentence} — 503: ${unavailable} of ${requests} requests`);

    // From the file alone.
    const report = await sandbox.run('report', 'errors.json', '--html', 'errors.html');
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain(`✗ failed: 1 of 1 thresholds violated: max_error_rate — ${sentence}\n`);
    const html = await sandbox.read('errors.html');
    expect(html).toContain(`<li data-rule="target-errors"><span class="cause">${sentence}</span>`);
  });
});

describe('arrivals dropped: max_users too low for a slow route', () => {
  it('says max_users was too low, with every user busy, in a run that otherwise passed', async () => {
    target = await startTargetServer();
    // 40/s at 200 ms needs about 8 users at once: 2 are too few.
    await sandbox.write(
      'dropped.yml',
      [
        `target: ${target.url}`,
        'requests: [{name: slow, path: /delay/200}]',
        'load: {profile: arrival_rate, rate: 40, duration: 2s, max_users: 2}',
        'report: {html: false}',
        '',
      ].join('\n'),
    );
    const out = await sandbox.run('run', 'dropped.yml', '--out', 'dropped.json');
    expect(out.code, out.stderr).toBe(0);
    const results = await sandbox.readResults('dropped.json');
    expect(results.summary.total.count).toBe(target.requestCount());
    const dropped = results.summary.droppedArrivals;
    expect(dropped).toBeGreaterThan(0);
    const offered = results.series.reduce((sum, point) => sum + point.arrivals, 0) + dropped;
    const [first, ...rest] = diagnose(results);
    expect(rest).toEqual([]);
    expect(first?.rule).toBe('arrivals-dropped');
    expect(first?.sentence).toBe(`arrivals dropped: max_users too low (${dropped} of ${offered} dropped, all 2 users busy)`);
    // The users it needed, by the rate asked for and the response time measured: 40/s × ≥ 200 ms ≥ 8.
    const needed = Number(/≈ (\d+) users needed/.exec(first?.evidence[0] ?? '')?.[1]);
    expect(needed).toBeGreaterThanOrEqual(8);
    expect(out.stdout).toContain(`what broke (most likely first)\n  1. ${first?.sentence}\n`);
    // Passed: the verdict line stays the verdict.
    expect(out.stdout).toContain('\n✓ passed: 1 of 1 thresholds met\n');
  });
});

describe('latency that rose, without a monitor: a rate ramped past a queue’s capacity', () => {
  it('states the rate at which latency rose, and that nothing says why', async () => {
    target = await startTargetServer();
    // /capacity serves 50 requests a second, one at a time, queueing the rest: 20/s for 1 s is within it, then
    // the rate climbs to 120/s and the queue, and the latency, grow from about 1.45 s on.
    await sandbox.write(
      'knee.yml',
      [
        `target: ${target.url}`,
        'requests: [{name: queue, path: "/capacity?rps=50&queue=1000"}]',
        'load: {profile: ramping_arrival_rate, start_rate: 20, stages: [{duration: 1s, rate: 20}, {duration: 1500ms, rate: 120}]}',
        'report: {html: false}',
        '',
      ].join('\n'),
    );
    const out = await sandbox.run('run', 'knee.yml', '--out', 'knee.json');
    expect(out.code, out.stderr).toBe(0);
    const results = await sandbox.readResults('knee.json');
    expect(results.summary.total.count).toBe(target.requestCount());
    const diagnoses = diagnose(results);
    expect(diagnoses.map((each) => each.rule)).toEqual(['latency-knee']);
    const [knee] = diagnoses;
    expect(knee?.sentence).toMatch(/^latency rose from [\d.,]+\/s; no monitor data to say why$/);
    // Not while the rate was within the capacity.
    expect(knee?.fromMs).toBeGreaterThanOrEqual(1000);
    expect(out.stdout).toContain(`what broke (most likely first)\n  1. ${knee?.sentence}\n`);
  });
});

/**
 * A server that burns CPU on every request (3 ms of its own CPU time, measured, not slept), in a child process
 * so that `monitor` samples it by pid. Four users keep it busy all the time: it uses all the CPU it can get, and
 * on a busy machine waits for the rest (the monitor's `waitPercent`): either way, it is at one core's limit.
 */
const BURNER = `
import { createServer } from 'node:http';
const burn = (us) => { const until = process.cpuUsage().user + us; while (process.cpuUsage().user < until) {} };
const server = createServer((request, response) => { request.resume(); burn(3000); response.end('done'); });
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
setTimeout(() => process.exit(0), 60_000).unref();
`;

describe.skipIf(platform() !== 'linux')('a CPU-bound server, observed with monitor', () => {
  it('names the server, the rate at which its CPU reached its limit and the CPU', async () => {
    await sandbox.write('burner.mjs', BURNER);
    child = spawn(process.execPath, [join(sandbox.dir, 'burner.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout! });
    const [line] = (await once(lines, 'line')) as [string];
    lines.close();
    await sandbox.write(
      'cpu.yml',
      [
        `target: http://127.0.0.1:${line.trim()}`,
        'requests: [{name: burn, path: /}]',
        `monitor: {interval: 250ms, sources: [{name: burner, process: {pid: ${child.pid!}}}]}`,
        'load: {profile: constant, users: 4, duration: 2s}',
        // Queued behind three others at 3 ms each: p95 above 1 ms, the run fails.
        'sla: {p95_latency_ms: 1}',
        'report: {html: false}',
        '',
      ].join('\n'),
    );
    const out = await sandbox.run('run', 'cpu.yml', '--out', 'cpu.json');
    expect(out.code, out.stderr).toBe(1);
    const results = await sandbox.readResults('cpu.json');
    const [first] = diagnose(results);
    const cpu = (results.monitor?.[0]?.points ?? []).map((point) => `${point.cpuPercent} + ${point.waitPercent ?? '?'} waiting`);
    expect(first?.rule, `the burner's CPU: ${cpu.join(', ')}`).toBe('server-cpu-bound');
    expect(first?.sentence).toMatch(
      /^server CPU-bound from [\d,.]+\/s \(monitor: burner (?:(?:9\d|1\d\d)% CPU|\d+% CPU, \d+% waiting for a CPU)\)$/,
    );
    expect(out.stdout).toContain(`✗ failed: 1 of 1 thresholds violated: p95_latency_ms — ${first?.sentence}\n`);
  });
});

describe('a saturated generator: a function target that burns loadseed’s own CPU', () => {
  it('says the results describe loadseed, not the target', async () => {
    // Each call spins for 2 ms on loadseed's own thread, then yields to the event loop: the one load thread is
    // busy all the time, in wall-clock time, however much CPU the machine lets it have.
    const spin = (): number => {
      const until = performance.now() + 2;
      let turns = 0;
      while (performance.now() < until) turns += 1;
      return turns;
    };
    const generator = new LoadGenerator({
      targetFunc: async () => {
        spin();
        await new Promise((resolve) => setImmediate(resolve));
      },
    });
    const { run } = await generator.runConstantLoad({ users: 2, durationSeconds: 2 });
    const [thread] = run.generator.threads;
    expect(thread?.saturatedTimePercent).toBeGreaterThanOrEqual(SATURATION_LIMITS.saturatedTimePercent);
    // Saturated or a noisy machine is told apart by loadseed's own CPU, which a shared machine decides, not the
    // test: the measured threads are judged as with loadseed on one whole core (a quiet machine).
    const load = judgeGenerator({ workers: 1, cpuPercent: 100, threads: run.generator.threads, schedulerLagP99Ms: 0, arrivals: 0 });
    const results = assembleResults({
      scenario: { name: 'spin', file: 'api', plan: 'constant 2 users for 2s' },
      startedAtEpochMs: run.startedAtEpochMs,
      endedAtEpochMs: run.endedAtEpochMs,
      elapsedMs: run.elapsedMs,
      host: 'test',
      interrupted: false,
      warmupExcluded: false,
      warmupRequests: 0,
      recorder: run.recorder,
      thresholds: [],
      generator: generatorDocument(load),
    });
    expect(results.summary.total.count).toBeGreaterThan(0);
    const [first] = diagnose(results);
    expect(first?.rule).toBe('generator-saturated');
    expect(first?.sentence).toBe('generator saturated: results describe loadseed, not the target');
    expect(first?.evidence[0]).toMatch(/^the load thread was ≥ 90% busy \(CPU\) for \d+(\.\d)?% of the run/);
  });
});
