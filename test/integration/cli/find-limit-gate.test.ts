import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { readResultsFile } from '../../../src/results/read-results.js';
import type { ResultsDocument } from '../../../src/results/results-document.js';
import type { FindLimitDocument } from '../../../src/sla/find-limit.js';
import { startCappedServer } from '../../helpers/capped-server.js';
import type { CappedServer } from '../../helpers/capped-server.js';
import { runCliInProcess } from '../../helpers/in-process-cli.js';
import type { InProcessOutcome } from '../../helpers/in-process-cli.js';

/**
 * find-limit as a CI gate, in process, against loopback servers of known capacity (test/helpers/capped-server.ts,
 * each in a child process): 10 requests at once served in 100 ms each (100 req/s), the same with 7 slots
 * (70 req/s, a capacity drop of 30%), and 4 slots of 200 ms for the users model (20 req/s).
 *
 * The rate search: a warm-up of 1 s at 30/s, steps of 30/s for 1 s from 30/s (30 … 150), an SLA of p95 ≤ 150 ms
 * (the service time is 100 ms: 50 ms of margin for a busy machine), then 2 refinements: a bracket of 7.5/s.
 * A step's window holds the requests that ended in it: over capacity by a share x, those wait up to about
 * 0.7·x s more by the window's end, so a step fails from about 7% over capacity. Tolerance of the limit against
 * the true capacity: the bracket, widened by 15% of the capacity either side (on a busy machine the server's
 * timers fire late, which lowers its capacity). The gate's tolerance is 15% for the same reason: two searches of
 * the same server on a shared 2-core machine differ by up to a step; a drop of 30% is still twice that.
 */
let dir: string;
let full: CappedServer;
let dropped: CappedServer;
let users: CappedServer;

const CAPACITY_PER_SEC = 100;
const DROPPED_CAPACITY_PER_SEC = 70;
/** The gate's tolerance in these tests (see above). */
const MAX_DROP = '15%';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-find-limit-gate-'));
  [full, dropped, users] = await Promise.all([startCappedServer(10, 100), startCappedServer(7, 100), startCappedServer(4, 200)]);
  await writeFile(
    join(dir, 'gate.yml'),
    `name: gate
target: \${TARGET_URL}
requests: [{path: /work}]
load: {profile: breaking_point, start_rate: 30, step_rate: 30, max_rate: 150, step_duration: 1s, max_users: 500, min_delivered_ratio: 0.8, warmup: {duration: 1s, rate: 30}}
sla: {p95_latency_ms: 150}
`,
  );
  await writeFile(
    join(dir, 'users.yml'),
    `name: users
target: \${TARGET_URL}
requests: [{path: /work}]
load: {profile: constant, users: 1, duration: 1s, warmup: {duration: 1s, users: 2}}
sla: {p95_latency_ms: 360}
`,
  );
}, 30_000);

afterAll(async () => {
  await Promise.all([full?.close(), dropped?.close(), users?.close()]);
  await rm(dir, { recursive: true, force: true });
});

function findLimit(server: CappedServer, args: readonly string[]): Promise<InProcessOutcome> {
  return runCliInProcess(['find-limit', ...args], { cwd: dir, env: { TARGET_URL: server.url } });
}

async function search(file: string): Promise<{ doc: ResultsDocument; findLimit: FindLimitDocument }> {
  // Read as `report` and `--baseline` read it: checked against schemas/results.schema.json.
  const doc = await readResultsFile(file, dir);
  if (doc.findLimit === undefined) throw new Error(`${file}: no findLimit`);
  return { doc, findLimit: doc.findLimit };
}

/**
 * A capacity measurement on a machine so busy that loadseed flagged its own figures (saturated, or a noisy
 * machine), as test/e2e/find-limit.test.ts does: when the search did not find what the server's capacity says
 * (`measured` false) and the run said the machine was too busy, there is nothing to measure: skipped, with why.
 */
function skipWhenFlagged(context: TestContext, doc: ResultsDocument | undefined, measured: boolean): void {
  if (measured || doc === undefined) return;
  const { saturated, noisyMachine, reason, noiseReason } = doc.generator;
  if (saturated || noisyMachine === true) context.skip(`the machine was too busy to measure a capacity: ${reason ?? noiseReason ?? ''}`);
}

/** Within `share` of `capacity`: the bracket [passed, failed) widened by that much either side holds it. */
function holds(bracket: FindLimitDocument['bracket'], capacity: number, share: number): boolean {
  return bracket !== undefined && bracket.passedLevel <= capacity * (1 + share) && bracket.failedLevel >= capacity * (1 - share);
}

/** A baseline with a limit, which the gate tests need; skipped (with why) when the first test measured none. */
async function baselineOrSkip(context: TestContext): Promise<FindLimitDocument> {
  const base = await readResultsFile('base.json', dir).catch(() => undefined);
  const findLimit = base?.findLimit;
  if (findLimit?.limitRatePerSec == null) return context.skip('no baseline: the first search measured no limit');
  return findLimit;
}

describe('find-limit --refine and --baseline (a real baseline, real capacity)', () => {
  it('refines the limit of a 100 req/s server to a bracket of 7.5/s around its capacity; the server counted every request', async (context) => {
    const before = await full.count();
    const out = await findLimit(full, ['gate.yml', '--refine', '2', '--out', 'base.json', '--html', 'base.html']);
    expect(out.stderr).not.toMatch(/error:|failed unexpectedly/);
    const { doc, findLimit: limit } = await search('base.json');
    skipWhenFlagged(context, doc, out.code === 0 && holds(limit.bracket, CAPACITY_PER_SEC, 0.15));
    expect(out.code, out.stdout + out.stderr).toBe(0);
    expect(limit.model).toBe('rate');
    expect(limit.refinements).toHaveLength(2);
    expect(limit.refinementsRequested).toBe(2);
    expect(limit.bracket?.precision).toBe(7.5);
    const bracket = limit.bracket;
    expect(bracket, out.stdout).toBeDefined();
    if (bracket === undefined) return;
    expect(limit.limitRatePerSec).toBe(bracket.passedLevel);
    // The true capacity lies in the bracket, within 15% of it.
    expect(bracket.passedLevel).toBeLessThanOrEqual(CAPACITY_PER_SEC * 1.15);
    expect(bracket.failedLevel).toBeGreaterThanOrEqual(CAPACITY_PER_SEC * 0.85);
    // Refinements are numbered after the steps, each a run of one step of 1 s at the bracket's midpoints.
    expect(limit.refinements?.map((step) => step.step)).toEqual([limit.steps.length + 1, limit.steps.length + 2]);
    const lastPassed = limit.steps.findLast((step) => step.passed)?.ratePerSec ?? 0;
    expect(limit.refinements?.[0]?.ratePerSec).toBe(lastPassed + 15);
    // Served at the limit: its step's (a refinement's window counts its own requests only, not its lead-in's:
    // those of its first 100 ms end after them, so its window sees about 90% of its rate).
    expect(limit.limitThroughputPerSec).toBeGreaterThan(bracket.passedLevel * 0.7);
    expect(limit.limitThroughputPerSec).toBeLessThanOrEqual(bracket.passedLevel * 1.05);
    // The server's own count: the search's requests and the refinements' (each ended in or after its window), no more.
    const served = (await full.count()) - before;
    const refinementRequests = (limit.refinements ?? []).reduce((sum, step) => sum + step.requests, 0);
    expect(served).toBeGreaterThanOrEqual(doc.summary.total.successes + refinementRequests);
    expect(out.stdout).toMatch(
      /limit {2}\d+(\.\d+)? req\/s: the highest rate that met the SLA \(precision 7\.5 req\/s: the break lies in [\d.]+–[\d.]+ req\/s, after 2 refinements\)/,
    );
    expect(out.stdout).toContain('refinements (bisection between the last step passed and the first failed):');
    const html = await readFile(join(dir, 'base.html'), 'utf8');
    expect(html).toContain('<div class="label">precision</div><div class="value">+7.5 req/s</div>');
  }, 60_000);

  it('passes the gate on equal capacity: the same limit within the tolerance, exit 0, a passing "capacity vs baseline" case', async (context) => {
    const base = await baselineOrSkip(context);
    const out = await findLimit(full, [
      'gate.yml',
      '--max-capacity-drop',
      MAX_DROP,
      '--refine',
      '2',
      '--baseline',
      'base.json',
      '--out',
      'equal.json',
      '--junit',
      'equal.xml',
    ]);
    const { doc, findLimit: limit } = await search('equal.json');
    skipWhenFlagged(context, doc, out.code === 0);
    expect(out.code, out.stdout + out.stderr).toBe(0);
    expect(doc.verdict).toBe('passed');
    expect(limit.baseline).toMatchObject({
      file: 'base.json',
      model: 'rate',
      baselineLimit: base.limitRatePerSec,
      maxDrop: 0.15,
      passed: true,
    });
    expect(limit.baseline?.change).toBeGreaterThanOrEqual(-0.15);
    expect(out.stdout).toMatch(/✓ capacity vs baseline: [\d.]+ req\/s against [\d.]+ req\/s in base\.json/);
    const junit = await readFile(join(dir, 'equal.xml'), 'utf8');
    expect(junit).toMatch(/<testcase classname="loadseed\.gate" name="capacity vs baseline" time="0">\s*<system-out>/);
    expect(junit).toContain('failures="0"');
  }, 60_000);

  it('fails the gate (exit 1) on a planted capacity drop of 30%, every latency threshold at the limit passing', async (context) => {
    const base = await baselineOrSkip(context);
    const out = await findLimit(dropped, [
      'gate.yml',
      '--max-capacity-drop',
      MAX_DROP,
      '--refine',
      '2',
      '--baseline',
      'base.json',
      '--out',
      'drop.json',
      '--junit',
      'drop.xml',
      '--html',
      'drop.html',
    ]);
    const { doc, findLimit: limit } = await search('drop.json');
    skipWhenFlagged(context, doc, holds(limit.bracket, DROPPED_CAPACITY_PER_SEC, 0.15));
    expect(out.code, out.stdout + out.stderr).toBe(1);
    expect(doc.verdict).toBe('failed');
    // The limit found is that of a 70 req/s server, within its bracket widened by 15%.
    const bracket = limit.bracket;
    expect(bracket, out.stdout).toBeDefined();
    expect(bracket?.passedLevel).toBeLessThanOrEqual(DROPPED_CAPACITY_PER_SEC * 1.15);
    expect(bracket?.failedLevel).toBeGreaterThanOrEqual(DROPPED_CAPACITY_PER_SEC * 0.85);
    // The thresholds at the limit passed: the capacity alone failed the run.
    expect(doc.thresholds.every((threshold) => threshold.passed)).toBe(true);
    expect(limit.baseline).toMatchObject({ baselineLimit: base.limitRatePerSec, limit: limit.limitRatePerSec, passed: false });
    expect(limit.baseline?.change).toBeLessThan(-0.15);
    expect(out.stdout).toMatch(
      /✗ capacity vs baseline: [\d.]+ req\/s against [\d.]+ req\/s in base\.json \(−[\d.]+%; more than the 15% drop tolerated\)/,
    );
    expect(out.stdout.trim().split('\n').at(-1)).toMatch(
      /^✗ capacity dropped: limit found: [\d.]+ req\/s \(\+[\d.]+ at most\), −[\d.]+% vs baseline [\d.]+ \(at most −15% passes\)$/,
    );
    const junit = await readFile(join(dir, 'drop.xml'), 'utf8');
    expect(junit).toMatch(
      /name="capacity vs baseline" time="0">\s*<failure type="capacity" message="capacity vs baseline: [\d.]+ req\/s against/,
    );
    const html = await readFile(join(dir, 'drop.html'), 'utf8');
    expect(html).toContain('<div class="figure bad" id="capacity-vs-baseline"><div class="label">capacity vs baseline</div>');
  }, 60_000);
});

describe('find-limit --users (the closed model)', () => {
  it('finds the user count of a 4-slot, 200 ms server: 4 users, 20 req/s; 6 users break the SLA', async (context) => {
    const out = await findLimit(users, [
      'users.yml',
      '--users',
      '2:4:14',
      '--step-duration',
      '1s',
      '--refine',
      '1',
      '--out',
      'users.json',
      '--html',
      'users.html',
    ]);
    const { doc, findLimit: limit } = await search('users.json');
    skipWhenFlagged(context, doc, out.code === 0 && (limit.limitUsers === 4 || limit.limitUsers === 6));
    expect(out.code, out.stdout + out.stderr).toBe(0);
    expect(limit).toMatchObject({ model: 'users', limitRatePerSec: null, kneeRatePerSec: null, criteria: 'sla' });
    // 4 slots of 200 ms: up to 4 users wait for none (200 ms); 6 users settle in waves (300 ms on average, p95
    // 300–400 ms, against the SLA's 360), 8 users wait 400 ms. The limit is 4 or 6, bracketed to 2 users.
    expect([4, 6]).toContain(limit.limitUsers);
    expect(limit.bracket?.passedLevel).toBe(limit.limitUsers);
    expect(limit.bracket?.failedLevel).toBeGreaterThan(limit.limitUsers ?? 0);
    expect(limit.steps.slice(0, 2).map((step) => step.users)).toEqual([2, 6]);
    expect(limit.refinements).toHaveLength(1);
    // Throughput at the limit: 4 users over 200 ms is 20 req/s; the refinement's window counts its own requests only (it sees
    // 4 or 5 waves of 4).
    expect(limit.limitThroughputPerSec).toBeGreaterThanOrEqual(15);
    expect(limit.limitThroughputPerSec).toBeLessThanOrEqual(21);
    expect(out.stdout).toMatch(/step +users +offered\/s/);
    expect(out.stderr).toContain(
      '▶ users: users stepped up 2→14 by 4, in 4 steps (closed model) · 4s (+1s warm-up) · 1 request: GET /work',
    );
    expect(out.stdout).toMatch(
      /limit {2}[46] users \([\d.]+ req\/s served\): the most users that met the SLA \(precision [12] users?: the break lies in [46]–[5-8] users, after 1 refinement\)/,
    );
    const html = await readFile(join(dir, 'users.html'), 'utf8');
    expect(html).toContain('"findLimit":{"unit":"users","levels":[2,');
  }, 60_000);
});

describe('find-limit gate: bad inputs exit 2, located, nothing sent', () => {
  /** The outcome of a refused search: exit 2, the message, and how many requests the server got meanwhile (none). */
  async function refused(args: readonly string[]): Promise<{ message: string; sent: number }> {
    const before = await full.count();
    const out = await findLimit(full, ['gate.yml', ...args]);
    expect(out.code, out.stdout + out.stderr).toBe(2);
    expect(out.stderr).not.toMatch(/\n\s+at /);
    return { message: out.stderr.trim(), sent: (await full.count()) - before };
  }

  /** A copy of base.json (a real search's results) with `change` applied, written as `name`. */
  async function baselineVariant(name: string, change: (doc: ResultsDocument) => unknown): Promise<string> {
    const doc = JSON.parse(await readFile(join(dir, 'base.json'), 'utf8')) as ResultsDocument;
    await writeFile(join(dir, name), JSON.stringify(change(doc)));
    return name;
  }

  it('refuses a baseline that is missing, not a find-limit result, without a limit, interrupted, of another scenario or model', async () => {
    const findLimitOf = (doc: ResultsDocument): FindLimitDocument => doc.findLimit as FindLimitDocument;
    const cases: [readonly string[], string][] = [
      [['--baseline', 'missing.json'], 'missing.json: no such file'],
      [
        ['--baseline', await baselineVariant('run.json', ({ findLimit: _dropped, ...doc }) => doc)],
        '--baseline run.json: not a find-limit result (no findLimit block: written by `loadseed run`?)',
      ],
      [
        [
          '--baseline',
          await baselineVariant('none.json', (doc) => ({
            ...doc,
            verdict: 'failed',
            findLimit: { ...findLimitOf(doc), limitRatePerSec: null },
          })),
        ],
        '--baseline none.json: it has no limit found (its first step already failed): nothing to compare with',
      ],
      [
        ['--baseline', await baselineVariant('stopped.json', (doc) => ({ ...doc, verdict: 'interrupted' }))],
        '--baseline stopped.json: that search was interrupted: its limit is not a measurement',
      ],
      [
        ['--baseline', await baselineVariant('other.json', (doc) => ({ ...doc, scenario: { ...doc.scenario, name: 'checkout' } }))],
        '--baseline other.json: it is for scenario "checkout", this search for "gate"',
      ],
      [
        ['--users', '2:2:6', '--step-duration', '1s', '--baseline', 'base.json'],
        '--baseline base.json: its limit was found in the rate model (arrival rate), this search steps users (--users): the figures are not comparable',
      ],
      [['--max-rate', '60', '--baseline', 'base.json'], 'the search stops at 60, below'],
      [['--max-capacity-drop', '5%'], '--max-capacity-drop compares the limit with a baseline: give --baseline earlier.json'],
      [
        ['--baseline', 'base.json', '--max-capacity-drop', 'ten'],
        '--max-capacity-drop must be a percentage such as 10% or 2.5% (got "ten")',
      ],
      [['--baseline', 'base.json', '--max-capacity-drop', '100%'], 'a drop of 100% or more would pass anything'],
      [['--refine', '11'], '--refine "11": expected a whole number of bisections from 0 to 10'],
      [['--refine', '1.5'], '--refine "1.5"'],
      [['--users', '0:2:6', '--step-duration', '1s'], '--users "0:2:6": expected start:step:max, whole numbers of users'],
      [['--users', '6:2:2', '--step-duration', '1s'], '--users "6:2:2": the max (2) is below the start (6)'],
      [
        ['--users', '2:2:6', '--start-rate', '10'],
        '--users steps concurrent users (the closed model): --start-rate set an arrival rate; drop them',
      ],
      [['--users', '2:2:6', '--step-duration', '500ms'], 'step_duration 500ms is shorter than 1s'],
    ];
    for (const [args, message] of cases) {
      const outcome = await refused(args);
      expect(outcome.message).toContain(message);
      expect(outcome.sent).toBe(0);
    }
  }, 60_000);

  it('refuses --users without a step duration when the scenario has none', async () => {
    await writeFile(
      join(dir, 'constant.yml'),
      'name: c\ntarget: ${TARGET_URL}\nrequests: [{path: /}]\nload: {profile: constant, users: 1, duration: 1s}\n',
    );
    const out = await findLimit(full, ['constant.yml', '--users', '1:1:3']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(
      '--users needs --step-duration (how long each step holds, such as 10s): constant.yml has no breaking_point step_duration',
    );
  });
});
