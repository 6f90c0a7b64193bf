import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultsDocument } from '../../src/results/results-document.js';
import { startTargetServer } from '../../src/target/target-server.js';
import type { TargetServer } from '../../src/target/target-server.js';
import { readCheckedResults, runBuiltCli } from './built-cli.js';
import type { CliOutcome } from './built-cli.js';
import { CHROMIUM, launchChromium } from '../helpers/chromium.js';
import { withLoopDelay } from '../helpers/loop-delay.js';

/**
 * `loadseed find-limit`, built, against the built-in target's /capacity route: a single server of known
 * capacity (200 req/s here), so the limit the search finds can be checked against it.
 */
let dir: string;
let server: TargetServer;

/** The few DOM types the functions run in the page use: the tests compile without the DOM lib. */
interface PageElement {
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  readonly documentElement: PageElement;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-find-limit-'));
  server = await startTargetServer({ port: 0 });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function findLimit(args: readonly string[], onStart?: (kill: (signal: NodeJS.Signals) => void) => void): Promise<CliOutcome> {
  return runBuiltCli(['find-limit', ...args], { cwd: dir, env: { TARGET_URL: server.url }, ...(onStart === undefined ? {} : { onStart }) });
}

async function scenario(name: string, body: string): Promise<string> {
  await writeFile(join(dir, name), body);
  return name;
}

/** A results file the command wrote, checked against schemas/results.schema.json on the way. */
const results = (name: string): Promise<ResultsDocument> => readCheckedResults(dir, name);

describe('loadseed find-limit (built CLI)', () => {
  it('finds the capacity of a 200 req/s server within ±15%, stops after the first failing step, writes the steps, exit 0', async (context) => {
    // Steps 25/s apart from 100/s: within ±15% of 200 are 175, 200 and 225 only.
    const file = await scenario(
      'capacity.yml',
      `name: capacity
target: \${TARGET_URL}
requests:
  - path: /capacity?rps=200&queue=500
load: {profile: breaking_point, start_rate: 100, step_rate: 25, max_rate: 400, step_duration: 1s}
sla: {p95_latency_ms: 150}
`,
    );
    // The /capacity server runs in this process: how long its event loop was held up is time its queue did not serve.
    const { value: out, lateMs } = await withLoopDelay(() => findLimit([file, '--out', 'capacity.json', '--html', 'capacity.html']));
    expect(out.stderr).not.toMatch(/error:|failed unexpectedly/);
    const doc = await results('capacity.json');
    // A capacity measurement: on a machine so busy that loadseed itself flagged its figures (saturated, or a
    // noisy machine: other processes took the CPU), the first step may fail on the machine's delays. Then the
    // run must have said so, and there is nothing to measure here.
    if (out.code !== 0 && (doc.generator.saturated || doc.generator.noisyMachine === true)) {
      expect(out.code).toBe(1);
      expect(`${out.stdout}${out.stderr}`).toMatch(/saturated|noisy machine/);
      context.skip(`the machine was too busy to measure a capacity: ${doc.generator.reason ?? doc.generator.noiseReason ?? ''}`);
    }
    expect(out.code).toBe(0);
    expect(doc.generator.saturated, doc.generator.reason).toBe(false);
    const search = doc.findLimit;
    expect(search).toBeDefined();
    if (search === undefined) return;
    expect(search.limitRatePerSec).not.toBeNull();
    // Below capacity each request waits its 5 ms of service and no more (arrivals are evenly spaced): a step fails
    // before 200/s only when the server stopped serving for a while. On a machine that held this process's loop
    // up for 100 ms or more, that is the machine's doing, not a capacity to judge.
    const offBy = Math.abs((search.limitRatePerSec ?? 0) - 200) / 200;
    if (offBy > 0.15 && lateMs >= 100) context.skip(`the server's event loop was held up ${Math.round(lateMs)} ms: no capacity to judge`);
    expect(offBy).toBeLessThanOrEqual(0.15);
    expect(search).toMatchObject({ criteria: 'sla', stepDurationMs: 1000, plannedSteps: 13 });
    expect(['sla', 'delivery']).toContain(search.stopReason);
    // Every step up to the limit passed, the next one failed, and the search stopped there.
    const passed = search.steps.map((step) => step.passed);
    expect(passed.slice(0, -1).every(Boolean)).toBe(true);
    expect(passed.at(-1)).toBe(false);
    expect(search.steps.at(-2)?.ratePerSec).toBe(search.limitRatePerSec);
    expect(search.steps.length).toBeLessThan(8);
    // Each step on its own second: offered ≈ its rate; below capacity, throughput ≈ the rate, latency ≥ 5 ms.
    search.steps.forEach((step, index) => {
      expect([step.windowStartMs, step.windowEndMs]).toEqual([index * 1000, (index + 1) * 1000]);
      expect(Math.abs(step.offeredPerSec - (step.ratePerSec ?? 0))).toBeLessThanOrEqual(3);
    });
    const first = search.steps[0];
    expect(first?.throughputPerSec).toBeGreaterThanOrEqual(95);
    expect(first?.p50Ms).toBeGreaterThanOrEqual(4.9);
    // The failed step is over capacity: it served ≈ 200/s (the server's own limit).
    const failed = search.steps.at(-1);
    expect(failed?.ratePerSec).toBeGreaterThan(200);
    expect(failed?.throughputPerSec).toBeLessThanOrEqual(210);
    // Over capacity the queue grows by (rate − 200)/200 s each second: either p95 breaks 150 ms or the step
    // delivered less than it was offered, whichever the judge sees first.
    expect(failed?.reason).toMatch(/^(p95 latency [\d.]+ ms > 150 ms|delivered \d+\/s of \d+\/s offered)$/);
    // The knee (Kneedle on p95) is where latency turned upwards: the limit's step, or one near it.
    expect(search.kneeRatePerSec).not.toBeNull();
    expect(Math.abs((search.kneeRatePerSec ?? 0) - 200)).toBeLessThanOrEqual(50);
    // The run stopped after the failed step.
    expect(doc.verdict).toBe('passed');
    expect(doc.run.interrupted).toBe(false);
    // Counted, not timed: fewer arrivals than two more steps would have added (the failed step is judged
    // 200 ms after its end, then the load stops).
    const arrivals = doc.summary.total.count + doc.summary.droppedArrivals;
    const upTo = (steps: number): number =>
      Array.from({ length: steps }, (_, index) => 100 + 25 * index).reduce((sum, rate) => sum + rate, 0);
    expect(arrivals).toBeLessThan(upTo(search.steps.length + 2));
    expect(doc.thresholds).toEqual([expect.objectContaining({ key: 'p95_latency_ms', passed: true })]);

    expect(out.stdout).toMatch(/step +rate\/s +offered\/s +req\/s +p50 ms +p95 ms +p99 ms +errors +dropped +result/);
    expect(out.stdout).toContain(`limit  ${search.limitRatePerSec} req/s: the highest rate that met the SLA`);
    expect(out.stdout).toMatch(/knee {3}\d+ req\/s: where p95 latency starts to climb/);
    // The bracket: the limit passed, the next step (25/s up) failed.
    expect(out.stdout.trim().split('\n').at(-1)).toBe(`✓ limit found: ${search.limitRatePerSec} req/s (+25 at most)`);
    expect(out.stderr).toMatch(
      /✗ step \d \(\d+ req\/s\): (p95 latency [\d.]+ ms > 150 ms|delivered \d+\/s of \d+\/s offered): find-limit stops the run/,
    );

    const html = await readFile(join(dir, 'capacity.html'), 'utf8');
    expect(html).toContain('<section id="find-limit">');
    expect(html).toContain('id="chart-find-limit"');
    expect(html).toContain('"findLimit":{"unit":"req/s","levels":[100,125');
    expect(html).not.toMatch(/<script[^>]*\bsrc=|<link\b|https?:\/\/(?!127\.0\.0\.1)/);
  });

  it.skipIf(!existsSync(CHROMIUM))('draws the breaking-point chart in headless Chromium: a point per step, no console error', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(pathToFileURL(join(dir, 'capacity.html')).href, { waitUntil: 'load' });
      await page.waitForFunction(() => document.documentElement.getAttribute('data-charts') !== null);
      const steps = (await results('capacity.json')).findLimit?.steps.length;
      const drawn = await page.evaluate(() => {
        const element = document.querySelector('#chart-find-limit');
        return { points: element?.getAttribute('data-points') ?? null, canvas: element?.querySelector('canvas') !== null };
      });
      expect(drawn).toEqual({ points: String(steps), canvas: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('makes steps of another profile from the flags; without an sla judges by the default; every step passed: at least the last rate', async (context) => {
    const file = await scenario(
      'constant.yml',
      'name: flags\ntarget: ${TARGET_URL}\nrequests: [{path: /}]\nload: {profile: constant, users: 2, duration: 10s}\n',
    );
    const out = await findLimit([
      file,
      '--start-rate',
      '20',
      '--step-rate',
      '20',
      '--max-rate',
      '40',
      '--step-duration',
      '1s',
      '--out',
      'flags.json',
      '--html',
      'flags.html',
    ]);
    expect(out.stderr).not.toMatch(/error:|failed unexpectedly/);
    const doc = await results('flags.json');
    // The steps are judged on figures of a server in this test's process: as in the capacity test above, on a
    // machine so busy that loadseed flagged its own figures (saturated, or noisy) a step may fail on the
    // machine's delays; the run must have said so, and there is nothing to judge here.
    const flagged = doc.generator.saturated || doc.generator.noisyMachine === true;
    if (out.code !== 0 && flagged) {
      expect(out.code).toBe(1);
      expect(`${out.stdout}${out.stderr}`).toMatch(/saturated|noisy machine/);
      context.skip(`the machine was too busy to judge the steps: ${doc.generator.reason ?? doc.generator.noiseReason ?? ''}`);
    }
    expect(out.code).toBe(0);
    expect(doc.findLimit).toMatchObject({ limitRatePerSec: 40, criteria: 'default', stopReason: 'max-rate', plannedSteps: 2 });
    expect(doc.findLimit?.steps.map((step) => [step.ratePerSec, step.passed])).toEqual([
      [20, true],
      [40, true],
    ]);
    // Requests count in the second they ended: one due at the end of a step may end in the next.
    // (A figure of the machine's timing too: judged only when loadseed did not flag its figures.)
    if (!flagged)
      for (const step of doc.findLimit?.steps ?? []) expect(Math.abs(step.requests - (step.ratePerSec ?? 0))).toBeLessThanOrEqual(2);
    expect(doc.findLimit?.steps[1]?.thresholds.map((threshold) => threshold.key)).toEqual(['max_error_rate', 'p95_latency_ms']);
    expect(out.stdout).toContain('limit  at least 40 req/s: every step met the SLA');
    expect(out.stdout).toContain('✓ limit found: at least 40 req/s');
  });

  it('fails a step whose arrivals were not delivered (max_users reached), whatever the SLA: the limit is not overstated', async () => {
    // 10 users on a 200 ms route serve at most 50 iterations/s: at 60/s a sixth of the arrivals find both busy.
    // On latency alone (the SLA is loose), 60/s would pass.
    const file = await scenario(
      'delivered.yml',
      'name: delivered\ntarget: ${TARGET_URL}\nrequests: [{path: /delay/200}]\nload: {profile: breaking_point, start_rate: 20, step_rate: 40, max_rate: 60, step_duration: 1s, max_users: 10}\nsla: {p95_latency_ms: 1000}\n',
    );
    const before = server.requestCount();
    const out = await findLimit([file, '--out', 'delivered.json', '--html', 'delivered.html']);
    expect(out.stderr).not.toMatch(/error:|failed unexpectedly/);
    expect(out.code, out.stdout).toBe(0);
    const doc = await results('delivered.json');
    expect(doc.findLimit).toMatchObject({
      limitRatePerSec: 20,
      stopReason: 'delivery',
      delivery: { maxDroppedRate: 0.01, minDeliveredRatio: 0.95 },
    });
    const failed = doc.findLimit?.steps.at(-1);
    expect(failed).toMatchObject({ ratePerSec: 60, passed: false });
    expect(failed?.thresholds.every((threshold) => threshold.passed)).toBe(true);
    expect(failed?.droppedArrivals).toBeGreaterThan(0);
    expect(failed?.reason).toMatch(/dropped \d+(\.\d+)?% of arrivals$/);
    expect(failed?.throughputPerSec).toBeLessThanOrEqual(51);
    expect(out.stdout).toContain('limit  20 req/s: the highest rate that met the SLA with its arrivals delivered');
    // Every request loadseed counted, the server saw.
    expect(doc.summary.total.count + doc.summary.total.interrupted).toBe(server.requestCount() - before);

    // With the delivery bars off (what find-limit did before), latency alone passes 60/s: 1.2× the 50/s served.
    const lax = await findLimit([file, '--max-dropped-rate', '1', '--min-delivered-ratio', '0', '--out', 'lax.json', '--html', 'lax.html']);
    expect(lax.code).toBe(0);
    expect((await results('lax.json')).findLimit).toMatchObject({ limitRatePerSec: 60, stopReason: 'max-rate' });
    const bad = await findLimit([file, '--max-dropped-rate', '5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--max-dropped-rate "5": expected a share from 0 to 1');
  });

  it('fails a step served well below the rate offered, whatever the SLA: a 110 req/s server is not found to serve 130', async () => {
    // /capacity?rps=110 queues what it cannot serve: at 130/s it serves 110/s, its queue growing by 20 a
    // second; in a 1 s step that adds under 200 ms of latency, which a loose SLA lets pass. 110 of 130 is 85%
    // delivered, well under the 95% bar (at 120/s, 92% was too close to it: a step's edges moved it past).
    const file = await scenario(
      'queue.yml',
      'name: queue\ntarget: ${TARGET_URL}\nrequests: [{path: "/capacity?rps=110&queue=1000"}]\nload: {profile: breaking_point, start_rate: 100, step_rate: 30, max_rate: 130, step_duration: 1s}\nsla: {p95_latency_ms: 1000}\n',
    );
    const out = await findLimit([file, '--out', 'queue.json', '--html', 'queue.html']);
    expect(out.code, out.stdout).toBe(0);
    const search = (await results('queue.json')).findLimit;
    expect(search).toMatchObject({ limitRatePerSec: 100, stopReason: 'delivery' });
    const failed = search?.steps.at(-1);
    expect(failed?.ratePerSec).toBe(130);
    expect(failed?.thresholds.every((threshold) => threshold.passed)).toBe(true);
    expect(failed?.throughputPerSec).toBeLessThanOrEqual(112);
    // What it delivered depends on the machine (a starved one serves less than 110/s); never past the capacity.
    const [, delivered, offered] = /^delivered (\d+(?:\.\d)?)\/s of (\d+(?:\.\d)?)\/s offered$/.exec(failed?.reason ?? '') ?? [];
    expect(Number(delivered), failed?.reason).toBeLessThanOrEqual(112);
    expect(Number(offered), failed?.reason).toBeGreaterThanOrEqual(120);
  });

  it('exits 1 with no limit when the first step already breaks the SLA', async () => {
    const file = await scenario(
      'slow.yml',
      'name: slow\ntarget: ${TARGET_URL}\nrequests: [{path: /delay/30}]\nload: {profile: breaking_point, start_rate: 20, step_rate: 20, max_rate: 100, step_duration: 1s}\nsla: {p95_latency_ms: 10}\n',
    );
    const out = await findLimit([file, '--out', 'slow.json', '--html', 'slow.html']);
    expect(out.code).toBe(1);
    const doc = await results('slow.json');
    expect(doc.verdict).toBe('failed');
    expect(doc.findLimit).toMatchObject({ limitRatePerSec: null, kneeRatePerSec: null, stopReason: 'sla' });
    expect(doc.findLimit?.steps).toHaveLength(1);
    expect(doc.thresholds).toEqual([expect.objectContaining({ key: 'p95_latency_ms', passed: false })]);
    expect(out.stdout).toContain('limit  none: the first step (20 req/s) already failed: p95 latency');
    expect(out.stdout.trim().split('\n').at(-1)).toBe('✗ no limit found: the first step already broke the SLA');
  });

  it('refuses, exit 2 and nothing sent: another profile without the flags, steps under 1 s, a bad flag', async () => {
    const before = server.requestCount();
    const constant = await scenario(
      'plain.yml',
      'name: plain\ntarget: ${TARGET_URL}\nrequests: [{path: /}]\nload: {profile: constant, users: 1, duration: 1s}\n',
    );
    const missing = await findLimit([constant, '--start-rate', '10']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('plain.yml uses the constant profile; find-limit steps an arrival rate up');
    expect(missing.stderr).toContain('(missing: --step-rate, --max-rate, --step-duration)');
    const short = await scenario(
      'short.yml',
      'name: short\ntarget: ${TARGET_URL}\nrequests: [{path: /}]\nload: {profile: breaking_point, start_rate: 10, step_rate: 10, max_rate: 50, step_duration: 500ms}\n',
    );
    const tooShort = await findLimit([short, '--step-duration', '0.5']);
    expect(tooShort.code).toBe(2);
    expect(tooShort.stderr).toContain('step_duration 500ms is shorter than 1s');
    const badRate = await findLimit([short, '--step-duration', '1s', '--max-rate', 'lots']);
    expect(badRate.code).toBe(2);
    expect(badRate.stderr).toContain('--max-rate "lots": expected a rate');
    const inverted = await findLimit([short, '--step-duration', '1s', '--max-rate', '5']);
    expect(inverted.code).toBe(2);
    expect(inverted.stderr).toContain('the max rate (5/s) is below the start rate (10/s)');
    for (const outcome of [missing, tooShort, badRate, inverted]) expect(outcome.stderr).not.toMatch(/\n\s+at /);
    expect(server.requestCount()).toBe(before);
  });

  it('SIGINT mid-search: valid files marked interrupted, the steps judged so far, exit 130', async () => {
    await scenario(
      'long.yml',
      'name: long\ntarget: ${TARGET_URL}\nrequests: [{path: /}]\nload: {profile: breaking_point, start_rate: 10, step_rate: 10, max_rate: 100, step_duration: 1s}\nsla: {p95_latency_ms: 1000}\n',
    );
    // Interrupted as soon as the target has seen steps 1 and 2 (10 + 20 requests): by the target's count, not a
    // guess at start-up time. Step 1 is judged by then: on a 100 ms tick once the run's clock is past its end +
    // 200 ms, and step 2's last request is due at 1.95 s (a late tick still runs before a later-due arrival).
    const before = server.requestCount();
    const out = await findLimit(['long.yml', '--out', 'long.json', '--html', 'long.html'], (kill) => {
      const poll = setInterval(() => {
        if (server.requestCount() - before < 30) return;
        clearInterval(poll);
        kill('SIGINT');
      }, 20);
    });
    expect(out.code).toBe(130);
    const doc = await results('long.json');
    expect(doc.verdict).toBe('interrupted');
    expect(doc.findLimit?.stopReason).toBe('interrupted');
    expect(doc.findLimit?.steps.length).toBeGreaterThanOrEqual(1);
    // Only the steps judged so far: those that ended 200 ms (the settling time) before the load stopped, on
    // the run's own clock, however long the signal took to arrive.
    const stoppedAtMs = doc.run.durationMs - (doc.run.drainMs ?? 0);
    expect(doc.findLimit?.steps.length).toBeLessThanOrEqual(Math.floor((stoppedAtMs - 200) / 1000));
    expect(doc.findLimit?.steps.every((step) => step.passed)).toBe(true);
    expect(doc.findLimit?.limitRatePerSec).toBe(doc.findLimit?.steps.at(-1)?.ratePerSec);
    expect(out.stdout.trim().split('\n').at(-1)).toBe('⚠ interrupted: partial results');
  });

  it('--max-duration stops the search like SIGTERM: reports written, marked interrupted, exit 143', async () => {
    await scenario(
      'capped.yml',
      'name: capped\ntarget: ${TARGET_URL}\nrequests: [{path: /}]\nload: {profile: breaking_point, start_rate: 10, step_rate: 10, max_rate: 100, step_duration: 1s}\nsla: {p95_latency_ms: 1000}\n',
    );
    const before = server.requestCount();
    const out = await findLimit(['capped.yml', '--max-duration', '1s', '--out', 'capped.json', '--html', 'capped.html']);
    expect(out.code).toBe(143);
    expect(out.stderr).toContain('! --max-duration 1s reached: stopping the run, writing the reports');
    const doc = await results('capped.json');
    expect(doc.verdict).toBe('interrupted');
    expect(doc.findLimit?.stopReason).toBe('interrupted');
    // Ten steps planned (10 s); stopped within the first two: the target's own count says so.
    expect(server.requestCount() - before).toBe(doc.summary.total.count);
    expect(doc.summary.total.count).toBeLessThan(10 + 20 + 30);
    expect(await readFile(join(dir, 'capped.html'), 'utf8')).toContain('Interrupted');
  });

  it('explains itself in --help: options, the default SLA, exit codes, examples', async () => {
    const help = await runBuiltCli(['find-limit', '--help']);
    expect(help.code).toBe(0);
    for (const text of [
      '--start-rate <n>',
      '--step-rate <n>',
      '--max-rate <n>',
      '--step-duration <duration>',
      '--out <file>',
      '--html <file>',
      'p95 ≤ 5×',
      'Exit codes: 0 a limit was found',
      '$ loadseed find-limit',
    ]) {
      expect(help.stdout).toContain(text);
    }
  });
});
