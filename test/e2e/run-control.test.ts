import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultsDocument } from '../../src/results/results-document.js';
import { startTargetServer } from '../../src/target/target-server.js';
import type { TargetServer } from '../../src/target/target-server.js';
import { readCheckedResults, runBuiltCli } from './built-cli.js';

/**
 * Stopping a run at any stage — warm-up, ramp, steady load, a flow's journey — leaves complete, valid files
 * marked interrupted, and the documented exit code (130 SIGINT, 143 SIGTERM).
 */
let dir: string;
let server: TargetServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-control-'));
  server = await startTargetServer({ port: 0 });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function interrupted(
  name: string,
  load: string,
  signal: NodeJS.Signals,
  afterRequests: number,
  requests = '[{path: /delay/20}]',
): Promise<{ code: number | null; doc: ResultsDocument; html: string }> {
  await writeFile(
    join(dir, `${name}.yml`),
    `name: ${name}\ntarget: \${TARGET_URL}\nrequests: ${requests}\nload: ${load}\nsla: {p95_latency_ms: 1000}\nreport: {json: ${name}.json, html: ${name}.html, junit: ${name}.xml}\n`,
  );
  // The signal goes once the target has seen that many more requests (a condition, not a delay: a busy
  // machine may take seconds to start the CLI).
  const seenBefore = server.requestCount();
  let poll: NodeJS.Timeout | undefined;
  const out = await runBuiltCli(['run', `${name}.yml`], {
    cwd: dir,
    env: { TARGET_URL: server.url },
    onStart: (kill) => {
      poll = setInterval(() => {
        if (server.requestCount() - seenBefore < afterRequests) return;
        clearInterval(poll);
        kill(signal);
      }, 10);
    },
  });
  clearInterval(poll);
  const doc = await readCheckedResults(dir, `${name}.json`);
  // Whole files only: no partial file left behind.
  expect((await readdir(dir)).filter((file) => file.includes('.partial'))).toEqual([]);
  expect(await readFile(join(dir, `${name}.xml`), 'utf8')).toMatch(/<\/testsuites>\s*$/);
  return { code: out.code, doc, html: await readFile(join(dir, `${name}.html`), 'utf8') };
}

describe('run control (built CLI)', () => {
  it('SIGINT during the warm-up: nothing measured, valid files marked interrupted, exit 130', async () => {
    const { code, doc, html } = await interrupted('warmup', '{profile: constant, users: 2, duration: 30s, warmup: 20s}', 'SIGINT', 1);
    expect(code).toBe(130);
    expect(doc.verdict).toBe('interrupted');
    expect(doc.run.interrupted).toBe(true);
    expect(doc.summary.total.count).toBe(0);
    expect(html).toContain('</html>');
  });

  it('SIGTERM during a ramp: the figures so far, marked interrupted, exit 143', async () => {
    const { code, doc } = await interrupted('ramp', '{profile: ramp, start_users: 1, end_users: 20, ramp_duration: 30s}', 'SIGTERM', 20);
    expect(code).toBe(143);
    expect(doc.verdict).toBe('interrupted');
    expect(doc.summary.total.count).toBeGreaterThan(10);
    expect(doc.run.durationMs).toBeLessThan(30_000); // stopped before the planned end
  });

  it('SIGINT in the open model: arrivals stop, in-flight requests finish, exit 130', async () => {
    const { code, doc } = await interrupted('open', '{profile: arrival_rate, rate: 50, duration: 30s}', 'SIGINT', 30);
    expect(code).toBe(130);
    expect(doc.run.interrupted).toBe(true);
    expect(doc.summary.total.count).toBeGreaterThan(20);
    expect(doc.summary.total.interrupted).toBe(0);
  });

  it('SIGINT during a flow (undici transport): the same', async () => {
    const { code, doc } = await interrupted(
      'flow',
      '{profile: constant, users: 3, duration: 30s}',
      'SIGINT',
      30,
      "[{name: templated, path: '/delay/20', headers: {x-id: '{{ $uuid }}'}}]",
    );
    expect(code).toBe(130);
    expect(doc.run.http?.transport).toBe('flow');
    expect(doc.verdict).toBe('interrupted');
    expect(doc.summary.total.count).toBeGreaterThan(20);
  });
});

describe('run control (in process)', () => {
  it('a signal while the reports are written: they are finished whole, the exit code says interrupted', async () => {
    const { main } = await import('../../src/cli/main.js');
    await writeFile(
      join(dir, 'late.yml'),
      `name: late\ntarget: ${server.url}\nrequests: [{path: /}]\nload: {profile: constant, users: 1, iterations: 5}\nreport: {json: late.json, html: late.html}\n`,
    );
    const controller = new AbortController();
    let stdout = '';
    let stderr = '';
    const code = await main(['--no-color', 'run', 'late.yml'], {
      // The summary is printed once the load is over and the files are written: SIGINT arrives then.
      stdout: {
        write: (text: string) => {
          stdout += text;
          if (!controller.signal.aborted) controller.abort('SIGINT');
        },
      },
      stderr: { write: (text: string) => (stderr += text) },
      env: { NO_COLOR: '1' },
      cwd: dir,
      signal: controller.signal,
    });
    expect(code).toBe(130);
    expect(stderr).toContain('SIGINT while writing the reports: they are complete');
    const doc = await readCheckedResults(dir, 'late.json');
    expect(doc.verdict).toBe('passed');
    expect(doc.summary.total.count).toBe(5);
    expect(await readFile(join(dir, 'late.html'), 'utf8')).toMatch(/<\/html>\s*$/);
    expect(stdout).toContain('✓ passed: 1 of 1 thresholds met'); // the default threshold: no sla
  });
});
