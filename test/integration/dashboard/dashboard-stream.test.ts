import { get, request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { DashboardFrame } from '../../../src/report/dashboard-page-data.js';
import type { ResultsDocument } from '../../../src/results/results-document.js';
import { startTargetServer } from '../../../src/target/target-server.js';
import type { TargetServer } from '../../../src/target/target-server.js';

/**
 * `run --dashboard`, in process, against the built-in target: the event stream read with plain node:http while
 * the run goes on, its last event checked against the results file the run wrote.
 */

interface ServerSentEvent {
  readonly event: string;
  readonly data: string;
}

/** An event stream read to its end: every event in order. */
function readEvents(url: string): Promise<{ readonly response: IncomingMessage; readonly events: Promise<ServerSentEvent[]> }> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      const events: ServerSentEvent[] = [];
      let pending = '';
      response.setEncoding('utf8');
      const done = new Promise<ServerSentEvent[]>((resolveEvents, rejectEvents) => {
        response.on('data', (chunk: string) => {
          pending += chunk;
          let end = pending.indexOf('\n\n');
          while (end !== -1) {
            const lines = pending.slice(0, end).split('\n');
            pending = pending.slice(end + 2);
            const event = lines.find((line) => line.startsWith('event: '))?.slice(7);
            const data = lines.find((line) => line.startsWith('data: '))?.slice(6);
            if (event !== undefined && data !== undefined) events.push({ event, data });
            end = pending.indexOf('\n\n');
          }
        });
        response.on('end', () => resolveEvents(events));
        response.on('error', rejectEvents);
      });
      resolve({ response, events: done });
    }).on('error', reject);
  });
}

/**
 * Runs the CLI in process; `dashboardUrl` resolves once it says where the dashboard is, `said(pattern)` once its
 * stderr matches `pattern`.
 */
function runCli(args: readonly string[], cwd: string, signal = new AbortController().signal) {
  let stderr = '';
  const waiting: { readonly pattern: RegExp; readonly resolve: (match: RegExpExecArray) => void }[] = [];
  const said = (pattern: RegExp): Promise<RegExpExecArray> => {
    const match = pattern.exec(stderr);
    return match !== null ? Promise.resolve(match) : new Promise((resolve) => waiting.push({ pattern, resolve }));
  };
  const code = main(['--no-color', ...args], {
    stdout: { write: () => true },
    stderr: {
      write: (text: string) => {
        stderr += text;
        for (const waiter of waiting) {
          const match = waiter.pattern.exec(stderr);
          if (match !== null) waiter.resolve(match);
        }
        return true;
      },
    },
    env: { NO_COLOR: '1' },
    cwd,
    signal,
  });
  const dashboardUrl = said(/dashboard: (http:\/\/127\.0\.0\.1:[0-9]+\/)\n/).then((match) => match[1] ?? '');
  return { code, dashboardUrl, said, stderr: () => stderr };
}

/** The status of a request with these headers (plain node:http: fetch would not send another Host). */
function statusOf(url: string, headers: Record<string, string>, method = 'GET'): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { headers, method }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

let target: TargetServer;
let dir: string;

beforeAll(async () => {
  target = await startTargetServer({ host: '127.0.0.1', port: 0 });
  dir = await mkdtemp(join(tmpdir(), 'loadseed-dashboard-'));
  // One thread (workers: 1): the run stays in this process, which is what vitest runs (src/, not dist/).
  await writeFile(
    join(dir, 'dash.yml'),
    [
      'name: dashboard stream',
      `target: ${target.url}`,
      'workers: 1',
      'requests:',
      '  - {name: fast, path: /delay/5}',
      '  - {name: broken, path: /status/500}',
      'load: {profile: constant, users: 4, duration: 2s}',
      'sla: {p95_latency_ms: 2000, max_error_rate: 0.01}',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await target?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('run --dashboard: the event stream', () => {
  it('sends frames while the run goes on, then a final one with the totals of the results file, then ends', async () => {
    const before = target.requestCount();
    const run = runCli(['run', 'dash.yml', '--dashboard', '0', '--out', 'stream.json'], dir);
    const url = await run.dashboardUrl;
    const { response, events } = await readEvents(`${url}events`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const code = await run.code;
    // The stream ends by itself once the final frame is sent: no client-side timeout here.
    const received = await events;
    expect(code).toBe(1); // max_error_rate: half the requests fail
    expect(run.stderr()).toMatch(/▶ dashboard: http:\/\/127\.0\.0\.1:[0-9]+\/\n/);

    const live = received.filter((event) => event.event === 'frame').map((event) => JSON.parse(event.data) as DashboardFrame);
    const finals = received.filter((event) => event.event === 'final');
    expect(received.at(-1)?.event).toBe('final');
    expect(finals).toHaveLength(1);
    // During the run: at least one frame of the measured phase with requests in it, counts that only grow.
    const measured = live.filter((frame) => frame.kind === 'live' && frame.phase === 'measured' && frame.total.requests > 0);
    expect(measured.length).toBeGreaterThanOrEqual(1);
    const counts = live.map((frame) => frame.total.requests);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    for (const frame of measured) {
      expect(frame.requests.map((stats) => stats.name)).toEqual(['fast', 'broken']);
      expect(frame.total.requests).toBe(frame.requests.reduce((sum, stats) => sum + stats.requests, 0));
      expect(frame.failuresByKind.reduce((sum, entry) => sum + entry.count, 0)).toBe(frame.total.failures);
      expect(frame.thresholds.map((threshold) => [threshold.name, threshold.state])).toEqual([
        ['p95_latency_ms', 'pass'],
        ['max_error_rate', 'fail'],
      ]);
    }

    const final = JSON.parse(finals[0]!.data) as DashboardFrame;
    const doc = JSON.parse(await readFile(join(dir, 'stream.json'), 'utf8')) as ResultsDocument;
    const total = doc.summary.total;
    expect(final.kind).toBe('final');
    expect(final.verdict).toBe(doc.verdict);
    expect(final.total).toEqual({
      name: 'total',
      requests: total.count,
      failures: total.failures,
      requestsPerSec: total.requestsPerSec,
      p50Ms: total.latencyMs.p50,
      p95Ms: total.latencyMs.p95,
      p99Ms: total.latencyMs.p99,
      maxMs: total.latencyMs.max,
    });
    // …which are the server's own count, and no frame during the run showed more.
    expect(total.count).toBe(target.requestCount() - before);
    expect(Math.max(...counts)).toBeLessThanOrEqual(total.count);
    expect(final.requests.map((stats) => [stats.name, stats.requests, stats.failures])).toEqual(
      doc.summary.requests.map((stats) => [stats.name, stats.count, stats.failures]),
    );
    expect(final.failuresByKind).toEqual([{ kind: 'status', count: total.failures }]);
    expect(final.thresholds.map((threshold) => threshold.state)).toEqual(
      doc.thresholds.map((threshold) => (threshold.passed ? 'pass' : 'fail')),
    );
    expect(final.generator.cpuPercent).toBe(doc.generator.cpuPercent);
  });

  it('with --dashboard-linger, serves the results document after the run until SIGINT; the exit code stays the run’s', async () => {
    const stop = new AbortController();
    const run = runCli(
      ['run', 'dash.yml', '--dashboard', '0', '--dashboard-linger', '30s', '--out', 'linger.json', '--quiet'],
      dir,
      stop.signal,
    );
    const url = await run.dashboardUrl;
    // The run is over and its files are written once it says it lingers.
    await run.said(/stay at /);
    const served = await fetch(`${url}results.json`);
    expect(served.status).toBe(200);
    expect(await served.json()).toEqual(JSON.parse(await readFile(join(dir, 'linger.json'), 'utf8')));
    // A stream opened now gets the final frame and ends.
    const late = await readEvents(`${url}events`);
    expect((await late.events).map((event) => event.event)).toEqual(['final']);
    // Another origin's name for 127.0.0.1 (DNS rebinding) reads nothing.
    expect(await statusOf(`${url}results.json`, { host: 'attacker.example' })).toBe(421);
    expect(await statusOf(`${url}results.json`, { host: new URL(url).host })).toBe(200);
    expect(await statusOf(`${url}results.json`, {}, 'POST')).toBe(405);
    expect(await statusOf(`${url}nothing-here`, {})).toBe(404);
    stop.abort('SIGINT');
    expect(await run.code).toBe(1);
    await expect(fetch(url)).rejects.toThrow();
  });

  it('refuses a port in use before any load: exit 2, a located message, nothing sent', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    const before = target.requestCount();
    try {
      const run = runCli(['run', 'dash.yml', '--dashboard', String(port)], dir);
      expect(await run.code).toBe(2);
      expect(run.stderr()).toContain(`--dashboard ${port}: 127.0.0.1:${port} is in use: pick another port, or 0 for any free one`);
      expect(run.stderr()).not.toMatch(/\n\s+at /);
      expect(target.requestCount()).toBe(before);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
