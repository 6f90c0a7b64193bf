import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultsSchemaProblems } from '../../../src/results/read-results.js';
import type { ResultsDocument } from '../../../src/results/results-document.js';
import { startTargetServer } from '../../../src/target/target-server.js';
import { runCliInProcess } from '../../helpers/in-process-cli.js';
import type { InProcessOutcome } from '../../helpers/in-process-cli.js';
import type { TargetServer } from '../../../src/target/target-server.js';

/**
 * `sse:` and `stream:` steps through the CLI, in process (`main`), against the built-in target: thresholds on
 * their built-in metrics decide the exit code, shards merge to the server's own counts, bad steps exit 2 located.
 */

let dir: string;
let target: TargetServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-sse-'));
  target = await startTargetServer({ port: 0 });
});

afterAll(async () => {
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

function cli(...argv: string[]): Promise<InProcessOutcome> {
  return cliWith({}, ...argv);
}

function cliWith(env: Readonly<Record<string, string>>, ...argv: string[]): Promise<InProcessOutcome> {
  return runCliInProcess(argv, { cwd: dir, env: { TARGET_URL: target.url, ...env } });
}

async function file(name: string, lines: readonly string[]): Promise<string> {
  await writeFile(join(dir, name), [...lines, ''].join('\n'));
  return name;
}

async function results(name: string): Promise<ResultsDocument> {
  const document: unknown = JSON.parse(await readFile(join(dir, name), 'utf8'));
  expect(resultsSchemaProblems(document)).toEqual([]);
  return document as ResultsDocument;
}

const FLOW = [
  'target: ${TARGET_URL}',
  'flows:',
  '  - name: watch',
  '    steps:',
  '      - {name: events, sse: "/sse?events=4&interval_ms=10", until: {event: done}, idle_timeout: 10s}',
  '      - {name: tokens, stream: "/stream?chunks=4&interval_ms=5"}',
];

describe('sse: steps through the CLI', () => {
  it('a threshold on sse_event_gap_ms.p95 passes (exit 0) or fails (exit 1) on the measured gaps', async () => {
    const load = 'load: {profile: constant, users: 1, iterations: 2}';
    await file('pass.yml', [...FLOW, load, 'sla: {metrics: {sse_event_gap_ms: {p95: 5000}}}', 'report: {json: pass.json, html: false}']);
    await file('fail.yml', [...FLOW, load, 'sla: {metrics: {sse_event_gap_ms: {p95: 2}}}', 'report: {json: fail.json, html: false}']);
    const passed = await cli('run', 'pass.yml', '--quiet');
    expect(passed.code, passed.stderr).toBe(0);
    const failed = await cli('run', 'fail.yml', '--quiet');
    expect(failed.code, failed.stderr).toBe(1);
    const document = await results('fail.json');
    const threshold = document.thresholds.find((one) => one.metric?.includes('sse_event_gap_ms') === true);
    expect(threshold?.passed).toBe(false);
    expect(document.summary.metrics?.find((metric) => metric.name === 'sse_events')?.sum).toBe(10);
  });

  it('two shards, merged, count every stream, event and chunk the server sent', async () => {
    const before = target.streamCounts();
    await file('sharded.yml', [
      ...FLOW,
      'load: {profile: constant, users: 3, iterations: 7}',
      'sla: {max_error_rate: 0}',
      'report: {html: false}',
    ]);
    for (const index of [1, 2]) {
      const shard = await cli('run', 'sharded.yml', '--shard', `${index}/2`, '--out', `sharded-${index}.json`, '--quiet');
      expect(shard.code, shard.stderr).toBe(0);
    }
    const merged = await cli('merge', 'sharded-1.json', 'sharded-2.json', '-o', 'sharded.json');
    expect(merged.code, merged.stderr).toBe(0);
    const document = await results('sharded.json');
    const after = target.streamCounts();
    expect(after.sseStreams - before.sseStreams).toBe(7);
    expect(after.streams - before.streams).toBe(7);
    const sum = (name: string): number | undefined => document.summary.metrics?.find((metric) => metric.name === name)?.sum;
    expect(sum('sse_events')).toBe(after.sseEvents - before.sseEvents);
    expect(sum('sse_events')).toBe(7 * 5);
    expect(sum('stream_chunks')).toBe(after.chunks - before.chunks);
    expect(sum('stream_chunks')).toBe(7 * 4);
    expect(document.summary.metrics?.find((metric) => metric.name === 'sse_first_event_ms')?.count).toBe(7);
  });

  it('bad sse and stream steps exit 2, each located', async () => {
    await file('bad.yml', [
      'target: ${TARGET_URL}',
      'flows:',
      '  - name: f',
      '    steps:',
      '      - sse: /sse',
      '        until: {evnt: done}',
      '        idle_timeout: 2x',
      '      - stream: nowhere',
      '      - {sse: /sse, form: {a: 1}}',
      'load: {profile: constant, users: 1, iterations: 1}',
    ]);
    const bad = await cli('validate', 'bad.yml');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bad.yml:6:17  flows[0].steps[0].until.evnt  unknown key "evnt"; did you mean "event"?');
    expect(bad.stderr).toContain('bad.yml:7:23  flows[0].steps[0].idle_timeout  expected a duration greater than zero');
    expect(bad.stderr).toContain(
      'bad.yml:8:17  flows[0].steps[1].stream  expected a path on the target (/events) or an absolute http(s) URL (got "nowhere")',
    );
    expect(bad.stderr).toContain('bad.yml:9:21  flows[0].steps[2].form  unknown key "form"');
    expect(bad.stderr).toContain('4 problems in bad.yml');
    await file('in-requests.yml', [
      'target: ${TARGET_URL}',
      'requests:',
      '  - {name: events, sse: /sse}',
      'load: {profile: constant, users: 1, iterations: 1}',
    ]);
    const misplaced = await cli('run', 'in-requests.yml');
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain(
      'in-requests.yml:3:20  requests[0].sse  unknown key "sse" in a request: sse: steps are flow steps (put them in flows or before)',
    );
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('scenarios/sse.yml runs green against the built-in target', async () => {
    const before = target.streamCounts();
    const example = fileURLToPath(new URL('../../../scenarios/sse.yml', import.meta.url));
    const out = await cliWith({ DURATION: '1s', USERS: '2' }, 'run', example, '--out', 'example.json', '--html', 'example.html', '--quiet');
    expect(out.code, out.stderr).toBe(0);
    const document = await results('example.json');
    expect(document.summary.total.failures).toBe(0);
    const events = document.summary.requests.find((request) => request.name === 'events');
    expect(events?.successes).toBeGreaterThan(0);
    const sum = (name: string): number | undefined => document.summary.metrics?.find((metric) => metric.name === name)?.sum;
    expect(sum('sse_events')).toBe(target.streamCounts().sseEvents - before.sseEvents);
    expect(await readFile(join(dir, 'example.html'), 'utf8')).toContain('sse_event_gap_ms');
  });

  it("the README's example validates as written, and runs green", async () => {
    const readme = await readFile(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    const section = readme.slice(readme.indexOf('### Server-Sent Events and streamed responses'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    expect(yaml).toContain('sse: /sse?events=5&interval_ms=100');
    await file('readme-sse.yml', [yaml]);
    const validated = await cli('validate', 'readme-sse.yml');
    expect(validated.code, validated.stderr).toBe(0);
    const short = yaml
      .replace('target: http://127.0.0.1:8080', 'target: ${TARGET_URL}')
      .replace(/load: .*/, 'load: {profile: constant, users: 2, iterations: 2}');
    await file('readme-sse-short.yml', [short]);
    const out = await cli('run', 'readme-sse-short.yml', '--quiet', '--html', 'readme.html');
    expect(out.code, out.stderr).toBe(0);
  });
});
