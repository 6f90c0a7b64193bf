import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultsSchemaProblems } from '../../src/results/read-results.js';
import type { ResultsDocument } from '../../src/results/results-document.js';
import { startTargetServer } from '../../src/target/target-server.js';
import type { TargetServer } from '../../src/target/target-server.js';
import { runBuiltCli } from './built-cli.js';
import type { CliOutcome } from './built-cli.js';
import { closedPort } from '../integration/engine/servers.js';

/** Runs the built CLI in `dir`; `onStart` may signal the child. */
function loadseed(
  args: readonly string[],
  env: Record<string, string>,
  onStart?: (kill: (signal: NodeJS.Signals) => void) => void,
): Promise<CliOutcome> {
  return runBuiltCli(args, { cwd: dir, env, ...(onStart === undefined ? {} : { onStart }) });
}

async function scenario(name: string, body: string): Promise<string> {
  await writeFile(join(dir, name), body);
  return name;
}

/** A results file the run wrote, checked against schemas/results.schema.json (ajv) on the way. */
async function results(name: string): Promise<ResultsDocument> {
  const document: unknown = JSON.parse(await readFile(join(dir, name), 'utf8'));
  expect(resultsSchemaProblems(document), name).toEqual([]);
  return document as ResultsDocument;
}

let dir: string;
let server: TargetServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-run-'));
  server = await startTargetServer({ port: 0 });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('loadseed run (built CLI)', () => {
  it('sends exactly an iterations budget, passes its thresholds, writes JSON and HTML, exit 0', async () => {
    const before = server.requestCount();
    const file = await scenario(
      'budget.yml',
      `name: budget
target: \${TARGET_URL}
requests:
  - name: home
    path: /
  - name: data
    path: /json
load: {profile: constant, users: 4, iterations: 60}
sla: {max_error_rate: 0, p99_latency_ms: 1000, requests: {data: {max_latency_ms: 2000}}}
report: {json: out/budget.json, html: out/budget.html}
`,
    );
    const out = await loadseed(['run', file], { TARGET_URL: server.url });
    expect(out.stderr).not.toContain('error');
    expect(out.code).toBe(0);
    expect(server.requestCount() - before).toBe(120);
    const doc = await results('out/budget.json');
    expect(doc.verdict).toBe('passed');
    expect(doc.summary.iterations).toBe(60);
    expect(doc.summary.total.count).toBe(120);
    expect(doc.summary.requests.map((stats) => [stats.name, stats.count, stats.failures])).toEqual([
      ['home', 60, 0],
      ['data', 60, 0],
    ]);
    expect(doc.summary.total.statusCodes).toEqual({ 200: 120 });
    expect(doc.thresholds.map((threshold) => threshold.passed)).toEqual([true, true, true]);
    expect(out.stdout).toContain('✓ passed: 3 of 3 thresholds met');
    expect(out.stdout).toContain('html    out/budget.html');
    const html = await readFile(join(dir, 'out/budget.html'), 'utf8');
    expect(html).toContain('<title>budget · loadseed report</title>');
    expect(html).toContain('Passed: 3 of 3 thresholds met');
    // Self-contained: inline scripts only, nothing fetched from anywhere.
    expect(html).not.toMatch(/<script[^>]*\bsrc=|<link\b|https?:\/\/(?!127\.0\.0\.1)/);
  });

  it('exits 1 when a threshold is violated and names it with its measured value and limit', async () => {
    const file = await scenario(
      'slow.yml',
      `target: \${TARGET_URL}
requests: [{name: slow, path: /delay/60}]
load: {profile: constant, users: 2, duration: 600ms}
sla: {requests: {slow: {p95_latency_ms: 20}}}
report: {html: false}
`,
    );
    const out = await loadseed(['run', file, '--out', 'slow.json'], { TARGET_URL: server.url });
    expect(out.code).toBe(1);
    const doc = await results('slow.json');
    expect(doc.verdict).toBe('failed');
    const [threshold] = doc.thresholds;
    expect(threshold?.passed).toBe(false);
    expect(threshold?.measured).toBeGreaterThanOrEqual(59);
    expect(threshold?.measured).toBeLessThan(200);
    expect(out.stdout).toMatch(/✗ p95 latency \d+(\.\d)? ms > 20 ms \(slow\)/);
    expect(out.stdout).toContain('✗ failed: 1 of 1 thresholds violated');
  });

  it('counts a refused target as errors, finishes the run, and exits 1 on max_error_rate', async () => {
    const port = await closedPort();
    const file = await scenario(
      'refused.yml',
      `target: http://127.0.0.1:${port}
requests: [{path: /}]
load: {profile: constant, users: 2, iterations: 20}
sla: {max_error_rate: 0.01}
report: {html: false}
`,
    );
    const out = await loadseed(['run', file, '--out', 'refused.json'], {});
    expect(out.code).toBe(1);
    const doc = await results('refused.json');
    expect(doc.summary.total.count).toBe(20);
    expect(doc.summary.total.errors).toEqual({ connection_refused: 20 });
    expect(doc.summary.total.errorRate).toBe(1);
    expect(out.stdout).toContain('✗ error rate 100% > 1%');
  });

  it('writes JUnit and Markdown, appends to GITHUB_STEP_SUMMARY, and with --json keeps stdout to the results alone', async () => {
    const file = await scenario(
      'ci.yml',
      `name: ci\ntarget: \${TARGET_URL}\nrequests: [{name: slow, path: /delay/30}]\nload: {profile: constant, users: 2, iterations: 10}\nsla: {max_error_rate: 0, requests: {slow: {p50_latency_ms: 5}}}\nreport: {html: false, junit: ci.xml}\n`,
    );
    await writeFile(join(dir, 'step-summary.md'), '# earlier step\n');
    const out = await loadseed(['run', file, '--json', '--markdown', 'ci.md'], {
      TARGET_URL: server.url,
      GITHUB_STEP_SUMMARY: join(dir, 'step-summary.md'),
    });
    expect(out.code).toBe(1);
    const doc = JSON.parse(out.stdout) as ResultsDocument;
    expect(resultsSchemaProblems(doc)).toEqual([]);
    expect(doc.verdict).toBe('failed');
    expect(doc.summary.total.count).toBe(10);
    expect(out.stderr).toContain('✗ failed: 1 of 2 thresholds violated');
    const junit = await readFile(join(dir, 'ci.xml'), 'utf8');
    expect(junit).toContain('<testsuite name="ci" tests="2" failures="1"');
    expect(junit).toMatch(
      /<testcase classname="loadseed.ci" name="p50_latency_ms \(slow\)" time="0">\s*<failure type="threshold" message="p50 latency \d+(\.\d)? ms &gt; 5 ms \(slow\)">/,
    );
    const markdown = await readFile(join(dir, 'ci.md'), 'utf8');
    expect(markdown.split('\n')[0]).toBe('### ❌ loadseed: ci failed: 1 of 2 thresholds violated');
    expect(await readFile(join(dir, 'step-summary.md'), 'utf8')).toBe(`# earlier step\n${markdown}`);
  });

  it('--quiet prints only the verdict', async () => {
    const file = await scenario(
      'quiet.yml',
      `target: \${TARGET_URL}\nrequests: [{path: /}]\nload: {profile: constant, users: 1, iterations: 5}\nreport: {html: false}\n`,
    );
    const out = await loadseed(['run', file, '--quiet'], { TARGET_URL: server.url });
    expect(out.code).toBe(0);
    expect(out.stdout).toBe('✓ passed: 1 of 1 thresholds met\n'); // the default threshold, error rate ≤ 1%: no sla
    expect(out.stderr).toBe('');
  });

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`on ${signal} stops, writes the partial results marked interrupted, and exits ${code}`, async () => {
      const file = await scenario(
        `long-${signal}.yml`,
        `target: \${TARGET_URL}\nrequests: [{path: /delay/20}]\nload: {profile: constant, users: 3, duration: 30s}\nsla: {p95_latency_ms: 1000}\nreport: {json: long-${signal}.json, html: long-${signal}.html}\n`,
      );
      // Signalled once the target has seen 30 more requests: a condition, not a delay (a busy machine may take
      // seconds to start the CLI).
      const seenBefore = server.requestCount();
      let poll: NodeJS.Timeout | undefined;
      const out = await loadseed(['run', file], { TARGET_URL: server.url }, (kill) => {
        poll = setInterval(() => {
          if (server.requestCount() - seenBefore < 30) return;
          clearInterval(poll);
          kill(signal);
        }, 10);
      });
      clearInterval(poll);
      expect(out.code).toBe(code);
      const doc = await results(`long-${signal}.json`);
      expect(doc.run.durationMs).toBeLessThan(30_000); // stopped before the planned end
      expect(doc.verdict).toBe('interrupted');
      expect(doc.run.interrupted).toBe(true);
      expect(doc.summary.total.count).toBeGreaterThan(20);
      expect(await readFile(join(dir, `long-${signal}.html`), 'utf8')).toContain('Interrupted: partial results');
      expect(out.stdout).toContain('⚠ interrupted: partial results');
    });
  }

  it('abort_on_fail stops the run once a threshold is lost: exit 1 within seconds, reports written, aborted (not interrupted)', async () => {
    const file = await scenario(
      'abort.yml',
      `name: abort\ntarget: \${TARGET_URL}\nrequests: [{name: slow, path: /delay/100}]\nload: {profile: constant, users: 2, duration: 30s}\nsla: {p95_latency_ms: 10, min_rps: 1000, abort_on_fail: {delay: 500ms}}\nreport: {json: abort.json, html: abort.html, junit: abort.xml}\n`,
    );
    const out = await loadseed(['run', file], { TARGET_URL: server.url });
    expect(out.code).toBe(1);
    const doc = await results('abort.json');
    expect(doc.run.durationMs).toBeLessThan(30_000); // stopped long before the planned end
    expect(doc.verdict).toBe('failed');
    expect(doc.run.interrupted).toBe(false);
    expect(doc.run.abortedBy).toMatchObject({ kind: 'threshold', key: 'p95_latency_ms', limit: 10 });
    // Found lost on the first evaluation after the 500 ms delay: within a second of it, later only by as much
    // as the run's own event loop was held up (a busy machine); then stopped within the grace of the requests
    // in flight (100 ms each), as late again.
    const lateMs = doc.generator.eventLoopDelayMaxMs;
    const atMs = doc.run.abortedBy?.atMs ?? Number.NaN;
    expect(atMs).toBeGreaterThanOrEqual(450);
    expect(atMs).toBeLessThan(1_500 + lateMs);
    expect(doc.run.durationMs).toBeLessThan(atMs + 500 + lateMs);
    expect(doc.summary.total.count).toBeGreaterThan(4);
    expect(out.stderr).toMatch(/✗ p95 latency \d+(\.\d)? ms > 10 ms at \d+\.\d s: abort_on_fail stops the run/);
    expect(out.stdout).toMatch(/! aborted at \d+\.\d s by abort_on_fail: p95 latency \d+(\.\d)? ms > 10 ms/);
    expect(out.stdout).toMatch(/✗ failed: aborted by p95_latency_ms at \d+\.\d s; 2 of 2 thresholds violated/);
    expect(await readFile(join(dir, 'abort.xml'), 'utf8')).toMatch(/<failure type="aborted" message="aborted at \d+\.\d/);
    expect(await readFile(join(dir, 'abort.html'), 'utf8')).toContain('<title>abort · loadseed report</title>');
  });

  it('report, merge and compare work from real results files alone', async () => {
    // The latencies are the server's own 10 ms, so that the two runs compare equal within the tolerance on a busy
    // machine too (a loopback reply of 0.1 ms can take 2 ms when the runner is starved: 20 times worse).
    const file = await scenario(
      'shard.yml',
      `name: shard\ntarget: \${TARGET_URL}\nrequests: [{name: home, path: /delay/10}, {name: data, path: /delay/10}]\nload: {profile: constant, users: 2, iterations: 40}\nsla: {max_error_rate: 0, requests: {data: {p99_latency_ms: 1000}}}\nreport: {html: false}\n`,
    );
    for (const shard of ['s1', 's2'])
      expect((await loadseed(['run', file, '-q', '--out', `${shard}.json`], { TARGET_URL: server.url })).code).toBe(0);
    const merged = await loadseed(['merge', 's1.json', 's2.json', '-o', 'merged.json', '-q'], {});
    expect(merged.code).toBe(0);
    const doc = await results('merged.json');
    expect(doc.summary.total.count).toBe(160);
    expect(doc.summary.iterations).toBe(80);
    expect(doc.run.shards).toBe(2);
    const report = await loadseed(['report', 'merged.json', '--quiet'], {});
    expect(report.code).toBe(0);
    expect(report.stdout).toBe('html    merged.html\n✓ passed: 2 of 2 thresholds met\n');
    expect(await readFile(join(dir, 'merged.html'), 'utf8')).toContain('<title>shard · loadseed report</title>');
    const compare = await loadseed(['compare', 's1.json', 's2.json', '--max-regression', '1000%', '--markdown', 'compare.md'], {});
    expect(compare.code).toBe(0);
    expect(compare.stdout).toContain('✓ no regression beyond tolerance');
    expect(await readFile(join(dir, 'compare.md'), 'utf8')).toMatch(/^### ✅ loadseed compare: no regression beyond tolerance\n/);
    const notResults = await loadseed(['report', 'shard.yml'], {});
    expect(notResults.code).toBe(2);
    expect(notResults.stderr).toContain('error: shard.yml: not valid JSON');
  });

  it('samples a server process beside the load (monitor) and reports it', async () => {
    // The target server runs in this test process: its pid is a real, busy server.
    const file = await scenario(
      'monitor.yml',
      `target: \${TARGET_URL}\nrequests: [{path: /}]\nmonitor: {interval: 200ms, sources: [{name: target, process: {pid: ${process.pid}}}]}\nload: {profile: constant, users: 2, duration: 1500ms}\nreport: {html: monitor.html, json: monitor.json}\n`,
    );
    const out = await loadseed(['run', file], { TARGET_URL: server.url });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('server resources');
    const doc = await results('monitor.json');
    const [source] = doc.monitor ?? [];
    expect(source?.name).toBe('target');
    expect(source?.points.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...(source?.points ?? []).map((point) => point.memoryBytes ?? 0))).toBeGreaterThan(10 * 1024 * 1024);
  });

  it('refuses, with exit 2 and the line of the key, a data file that does not exist', async () => {
    const file = await scenario(
      'feeder.yml',
      `target: \${TARGET_URL}\ndata: [{file: users.csv}]\nrequests: [{path: '/status/{{ code }}'}]\nload: {profile: constant, users: 1, duration: 1s}\n`,
    );
    const out = await loadseed(['run', file], { TARGET_URL: server.url });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/feeder\.yml:2:\d+ {2}data\[0\]\.file {2}cannot read users\.csv: no such file/);
  });

  it('runs a flow fed by a data file: templated paths, captures, checks', async () => {
    await writeFile(join(dir, 'codes.csv'), 'code\n200\n201\n204\n');
    const file = await scenario(
      'codes.yml',
      [
        'target: ${TARGET_URL}',
        'data: [{file: codes.csv, order: sequential}]',
        'flows:',
        '  - name: codes',
        '    steps:',
        "      - {name: status, path: '/status/{{ code }}', expect: [200, 201, 204], capture: [{as: seen, status: true}]}",
        "      - {name: echo, path: '/status/{{ seen }}', expect: {status: [200, 201, 204], max_latency: 2s}}",
        'load: {profile: constant, users: 1, iterations: 6}',
        'sla: {max_error_rate: 0}',
        '',
      ].join('\n'),
    );
    const out = await loadseed(['run', file, '--out', 'codes.json', '--html', 'codes.html', '--quiet'], { TARGET_URL: server.url });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const doc = await results('codes.json');
    const [status, echo] = doc.summary.requests;
    expect(status).toMatchObject({ name: 'status', count: 6, failures: 0, statusCodes: { 200: 2, 201: 2, 204: 2 } });
    expect(echo).toMatchObject({ name: 'echo', count: 6, failures: 0, statusCodes: { 200: 2, 201: 2, 204: 2 } });
  });

  it('quickstart runs the shipped scenario against the built-in target and writes both reports', async () => {
    const out = await loadseed(['quickstart', '--quiet'], {});
    expect(out.code).toBe(0);
    expect(out.stdout).toBe('✓ passed: 3 of 3 thresholds met\n');
    const doc = await results('reports/quickstart.json');
    expect(doc.scenario.name).toBe('quickstart');
    expect(doc.run.warmupExcluded).toBe(true);
    expect(doc.summary.requests.map((stats) => stats.name)).toEqual(['home', 'catalog', 'search']);
    expect(doc.summary.total.count).toBeGreaterThan(100);
    expect(await readdir(join(dir, 'reports'))).toEqual(['quickstart.html', 'quickstart.json']);
  });
});
