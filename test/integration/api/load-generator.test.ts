import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadGenerator, ScenarioError, UsageError } from '../../../src/index.js';
import { startTargetServer } from '../../../src/target/target-server.js';
import type { TargetServer } from '../../../src/target/target-server.js';
import { withLoopDelay } from '../../helpers/loop-delay.js';

let server: TargetServer;
let dir: string;
beforeAll(async () => {
  server = await startTargetServer({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), 'loadseed-api-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('LoadGenerator with a target function', () => {
  it('runs an exact iterations budget and measures the function (p50 of a 10 ms call within 10–16 ms)', async () => {
    let calls = 0;
    const gen = new LoadGenerator({
      targetFunc: async () => {
        calls += 1;
        await sleep(10);
      },
    });
    const { value: result, lateMs } = await withLoopDelay(() => gen.runConstantLoad({ users: 4, iterations: 80 }));
    expect(calls).toBe(80);
    expect(result.totalRequests).toBe(80);
    expect(result.failedRequests).toBe(0);
    expect(result.iterations).toBe(80);
    expect(result.latencyHistogram.totalCount).toBe(80);
    expect(result.summary.latencyMs.p50).toBeGreaterThanOrEqual(10);
    // The 10 ms call, 6 ms of tolerance, and whatever the machine held this process's loop up by.
    expect(result.summary.latencyMs.p50).toBeLessThan(16 + lateMs);
    expect(result.requests.map((stats) => stats.name)).toEqual(['target']);
  });

  it('counts a call that throws as a failed request, by category, and goes on', async () => {
    let calls = 0;
    const gen = new LoadGenerator({
      name: 'flaky',
      targetFunc: () => {
        calls += 1;
        if (calls % 5 === 0) throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
        return { status: calls % 5 === 1 ? 503 : 200 };
      },
    });
    const result = await gen.runConstantLoad({ users: 2, iterations: 50 });
    expect(result.totalRequests).toBe(50);
    expect(result.summary.errors).toEqual({ connection_refused: 10 });
    expect(result.summary.statusCodes).toEqual({ 200: 30, 503: 10 });
    expect(result.failedRequests).toBe(20);
    expect(result.errorRate).toBeCloseTo(0.4, 10);
  });

  it('ramps users up as planned', async () => {
    const gen = new LoadGenerator({ targetFunc: () => sleep(5) });
    const { value: result, lateMs } = await withLoopDelay(() =>
      gen.runRampUp({ startUsers: 1, endUsers: 4, rampDuration: 0.6, steadyDuration: 0.6 }),
    );
    expect(result.interrupted).toBe(false);
    expect(result.durationMs).toBeGreaterThanOrEqual(1200);
    expect(result.durationMs).toBeLessThan(2500 + lateMs);
    // 1 → 4 users over 0.6 s, then 4: (2.5 × 0.6 + 4 × 0.6) s = 3.9 user-seconds, each spent in calls back to
    // back (≈780 of 5 ms on an idle machine). Calls × their mean duration is that time however slow the
    // machine made each call; the same share as 550–900 of 780.
    const userSeconds = (result.totalRequests * result.summary.latencyMs.mean) / 1000;
    expect(userSeconds).toBeGreaterThan(0.7 * 3.9);
    expect(userSeconds).toBeLessThan(1.15 * 3.9);
  });

  it('refuses bad options with a ScenarioError naming the option', async () => {
    const gen = new LoadGenerator({ targetFunc: () => undefined });
    const error = await gen.runConstantLoad({ users: 0, durationSeconds: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).issues.map((issue) => issue.path)).toEqual(['load.users']);
    expect(() => new LoadGenerator({})).toThrow('exactly one of targetFunc, scenario or url');
  });

  it('refuses an option it does not know, naming it and the nearest one (nothing runs)', async () => {
    let calls = 0;
    const target = (): void => void calls++;
    const options = { targetFunc: target, timeoutSecs: 5 } as unknown as ConstructorParameters<typeof LoadGenerator>[0];
    expect(() => new LoadGenerator(options)).toThrow(UsageError);
    expect(() => new LoadGenerator(options)).toThrow('new LoadGenerator(): unknown option "timeoutSecs"; did you mean timeoutSeconds?');
    const gen = new LoadGenerator({ targetFunc: target });
    const run = gen.runConstantLoad({ users: 1, iterations: 5, duration: 1 } as unknown as Parameters<LoadGenerator['runConstantLoad']>[0]);
    await expect(run).rejects.toThrow('runConstantLoad(): unknown option "duration"; did you mean durationSeconds?');
    expect(calls).toBe(0);
  });
});

describe('LoadGenerator over HTTP', () => {
  it('sends one GET per iteration to a URL', async () => {
    const before = server.requestCount();
    const result = await new LoadGenerator({ url: `${server.url}/json`, name: 'json' }).runConstantLoad({ users: 3, iterations: 30 });
    expect(server.requestCount() - before).toBe(30);
    expect(result.summary.statusCodes).toEqual({ 200: 30 });
    expect(result.requests[0]?.name).toBe('json');
  });

  it("runs a scenario file's requests under the load given in code", async () => {
    const file = join(dir, 'two.yml');
    await writeFile(
      file,
      'target: ${URL}\nrequests: [{name: a, path: /}, {name: b, path: /status/404, expect: 404}]\nload: {profile: constant, users: 1, duration: 1h}\n',
    );
    const before = server.requestCount();
    const result = await new LoadGenerator({ scenario: file, env: { URL: server.url } }).runConstantLoad({ users: 2, iterations: 10 });
    expect(server.requestCount() - before).toBe(20);
    expect(result.requests.map((stats) => [stats.name, stats.count, stats.failures])).toEqual([
      ['a', 10, 0],
      ['b', 10, 0],
    ]);
  });

  it("samples the scenario's monitor sources beside the load", async () => {
    const file = join(dir, 'monitored.yml');
    // The target server runs in this process: its pid is a real, busy server.
    await writeFile(
      file,
      `target: \${URL}\nrequests: [{path: /}]\nmonitor: {interval: 200ms, sources: [{name: self, process: {pid: ${process.pid}}}]}\nload: {profile: constant, users: 1, duration: 1h}\n`,
    );
    const result = await new LoadGenerator({ scenario: file, env: { URL: server.url } }).runConstantLoad({ users: 2, durationSeconds: 1 });
    const [source] = result.monitor ?? [];
    expect(source?.name).toBe('self');
    expect(source?.points.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...(source?.points ?? []).map((point) => point.memoryBytes ?? 0))).toBeGreaterThan(10 * 1024 * 1024);
  });

  it('measures an open-model run at a fixed rate', async () => {
    const result = await new LoadGenerator({ url: `${server.url}/` }).runArrivalRate({ ratePerSec: 100, durationSeconds: 1 });
    expect(result.iterations).toBe(100);
    expect(result.droppedArrivals).toBe(0);
  });
});

describe('PerformanceDashboard', () => {
  it('writes the HTML report of a LoadGenerator result, judged by an SLAPolicy, and returns its path', async () => {
    const { PerformanceDashboard, SLAPolicy } = await import('../../../src/index.js');
    const result = await new LoadGenerator({ name: 'op', targetFunc: () => sleep(2) }).runConstantLoad({ users: 2, iterations: 20 });
    const path = await PerformanceDashboard.generateHtmlReport(result, {
      testName: 'api <run>',
      path: join(dir, 'api-report.html'),
      sla: new SLAPolicy({ p95LatencyMs: 1 }),
    });
    expect(path).toBe(join(dir, 'api-report.html'));
    const html = await readFile(path, 'utf8');
    expect(html).toContain('<title>api &lt;run&gt; · loadseed report</title>');
    expect(html).toContain('p95_latency_ms');
    expect(html).toMatch(/Failed: 1 of 1 thresholds? violated/);
  });
});
