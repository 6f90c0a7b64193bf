import { describe, expect, it } from 'vitest';
import { prometheusSampler, requestOf } from '../../../src/monitor/prometheus-sampler.js';
import type { FetchFunction, PrometheusSource } from '../../../src/monitor/prometheus-sampler.js';

const SOURCE: PrometheusSource = {
  kind: 'prometheus',
  name: 'api',
  url: 'http://127.0.0.1:9100/metrics',
  cpuMetric: 'process_cpu_seconds_total',
  memoryMetric: 'process_resident_memory_bytes',
};

/**
 * A fake endpoint on a fake clock: each scrape takes `latencyMs` (the clock moves by it while the request is
 * out), then answers `body()` (or throws / answers the status it is told to).
 */
function fakeEndpoint(body: () => string, latencyMs = 0) {
  let at = 10_000;
  const state = { status: 200, fail: undefined as Error | undefined, requests: [] as { url: string; headers: Record<string, string> }[] };
  const fetch: FetchFunction = (url, init) => {
    state.requests.push({ url, headers: init.headers });
    at += latencyMs;
    if (state.fail !== undefined) return Promise.reject(state.fail);
    return Promise.resolve(new Response(body(), { status: state.status }));
  };
  return { fetch, now: () => at, advance: (ms: number) => (at += ms), state };
}

function exposition(cpuSeconds: number, memoryBytes: number): string {
  return [
    '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.',
    '# TYPE process_cpu_seconds_total counter',
    `process_cpu_seconds_total ${cpuSeconds}`,
    '# TYPE process_resident_memory_bytes gauge',
    `process_resident_memory_bytes ${memoryBytes}`,
    '',
  ].join('\n');
}

describe('prometheusSampler: CPU and memory maths on a fake clock', () => {
  it('gives CPU as the counter growth over the time between scrapes ×100, memory as the gauge', async () => {
    let cpu = 100;
    const endpoint = fakeEndpoint(() => exposition(cpu, 52_428_800), 10);
    const sampler = prometheusSampler(SOURCE, { now: endpoint.now, fetch: endpoint.fetch, timeoutMs: 800 });
    // Timed when the answer arrives: sent at 10,000, answered at 10,010.
    expect(await sampler.sample()).toEqual({ atMs: 10_010, cpuPercent: null, memoryBytes: 52_428_800 });
    endpoint.advance(990);
    cpu += 0.25;
    // 0.25 CPU s in 1 s: 25%.
    const second = await sampler.sample();
    expect(second?.atMs).toBe(11_010);
    expect(second?.cpuPercent).toBeCloseTo(25, 9);
    endpoint.advance(1_990);
    cpu += 4;
    // 4 CPU s in 2 s: two cores busy, 200%.
    expect((await sampler.sample())?.cpuPercent).toBeCloseTo(200, 9);
    expect(sampler.warnings(3)).toEqual([]);
    expect(endpoint.state.requests[0]).toEqual({
      url: 'http://127.0.0.1:9100/metrics',
      headers: { accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1' },
    });
  });

  it('sums every label set of a metric, or those its selector picks', async () => {
    let t = 0;
    const endpoint = fakeEndpoint(() =>
      [
        `node_cpu_seconds_total{cpu="0",mode="idle"} ${1000 + t}`,
        `node_cpu_seconds_total{cpu="0",mode="user"} ${10 + 0.3 * t}`,
        `node_cpu_seconds_total{cpu="1",mode="idle"} ${1000 + t}`,
        `node_cpu_seconds_total{cpu="1",mode="user"} ${10 + 0.1 * t}`,
        `node_memory_Active_bytes 1000`,
        `app_heap_bytes{space="old"} 300`,
        `app_heap_bytes{space="new"} 200`,
      ].join('\n'),
    );
    const busy = prometheusSampler(
      { ...SOURCE, cpuMetric: 'node_cpu_seconds_total{mode!="idle"}', memoryMetric: 'app_heap_bytes' },
      { now: endpoint.now, fetch: endpoint.fetch, timeoutMs: 800 },
    );
    expect((await busy.sample())?.memoryBytes).toBe(500);
    endpoint.advance(2_000);
    t = 2;
    // (0.6 + 0.2) CPU s in 2 s = 40%.
    expect((await busy.sample())?.cpuPercent).toBeCloseTo(40, 9);
  });

  it('takes a counter that went down as reset (its new value is the growth) and says so once', async () => {
    let cpu = 50;
    const endpoint = fakeEndpoint(() => exposition(cpu, 1));
    const sampler = prometheusSampler(SOURCE, { now: endpoint.now, fetch: endpoint.fetch, timeoutMs: 800 });
    await sampler.sample();
    endpoint.advance(1_000);
    cpu = 0.5;
    expect((await sampler.sample())?.cpuPercent).toBeCloseTo(50, 9);
    endpoint.advance(1_000);
    cpu = 1;
    expect((await sampler.sample())?.cpuPercent).toBeCloseTo(50, 9);
    expect(sampler.warnings(3)).toEqual(['process_cpu_seconds_total went down: a counter reset (the process restarted?)']);
  });

  it('uses the exposition timestamps for the rate when every CPU sample has one', async () => {
    let cpu = 1;
    let stampMs = 5_000;
    const endpoint = fakeEndpoint(() => `process_cpu_seconds_total ${cpu} ${stampMs}\nprocess_resident_memory_bytes 7\n`);
    const sampler = prometheusSampler(SOURCE, { now: endpoint.now, fetch: endpoint.fetch, timeoutMs: 800 });
    await sampler.sample();
    endpoint.advance(3_000);
    cpu = 2;
    stampMs = 9_000;
    // 1 CPU s over the 4 s between the timestamps (not the 3 s between the scrapes): 25%.
    expect((await sampler.sample())?.cpuPercent).toBeCloseTo(25, 9);
  });

  it('records each failure once per reason with its count: HTTP errors, unreachable, timeouts, a missing metric, malformed lines', async () => {
    let text = exposition(1, 2);
    const endpoint = fakeEndpoint(() => text);
    const sampler = prometheusSampler(SOURCE, { now: endpoint.now, fetch: endpoint.fetch, timeoutMs: 800 });
    const take = async (times = 1) => {
      for (let i = 0; i < times; i++) {
        endpoint.advance(1_000);
        const reading = await sampler.sample();
        expect(reading).toBeDefined();
      }
    };
    await take();
    endpoint.state.status = 503;
    await take(2);
    endpoint.state.status = 200;
    endpoint.state.fail = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9100'), { code: 'ECONNREFUSED' }),
    });
    await take(3);
    endpoint.state.fail = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    await take();
    endpoint.state.fail = undefined;
    text = 'process_cpu_seconds_total{ 5\nprocess_resident_memory_bytes 9\n';
    await take();
    text = 'process_resident_memory_bytes NaN\n';
    await take();
    expect(sampler.warnings(9)).toEqual([
      'the endpoint answered HTTP 503: 2 of 9 samples',
      'cannot reach the endpoint (ECONNREFUSED): 3 of 9 samples',
      'no answer within 800 ms: 1 of 9 samples',
      'malformed lines skipped (line 1: process_cpu_seconds_total: unclosed label set): 1 of 9 samples',
      'no sample of process_cpu_seconds_total: 2 of 9 samples',
      'process_resident_memory_bytes is NaN: 1 of 9 samples',
    ]);
  });

  it('a failed sample has null figures and keeps the counter: the next good one spans the gap', async () => {
    let cpu = 10;
    const endpoint = fakeEndpoint(() => exposition(cpu, 3));
    const sampler = prometheusSampler(SOURCE, { now: endpoint.now, fetch: endpoint.fetch, timeoutMs: 800 });
    await sampler.sample();
    endpoint.advance(1_000);
    endpoint.state.status = 500;
    expect(await sampler.sample()).toEqual({ atMs: 11_000, cpuPercent: null, memoryBytes: null });
    endpoint.state.status = 200;
    endpoint.advance(1_000);
    cpu = 11;
    expect((await sampler.sample())?.cpuPercent).toBeCloseTo(50, 9);
  });

  it('says once that a metric setting is not a selector, and samples the other', async () => {
    const endpoint = fakeEndpoint(() => exposition(1, 42));
    const sampler = prometheusSampler(
      { ...SOURCE, cpuMetric: 'cpu{mode=idle}' },
      { now: endpoint.now, fetch: endpoint.fetch, timeoutMs: 800 },
    );
    expect((await sampler.sample())?.memoryBytes).toBe(42);
    expect(sampler.warnings(1)).toEqual([
      'cpu_metric "cpu{mode=idle}" is not a metric name or selector (expected a value in double quotes at character 10, found "i"): not sampled',
    ]);
  });
});

describe('requestOf', () => {
  it('turns credentials in the URL into a Basic header and shows the URL without the password', () => {
    expect(requestOf('http://user:p%40ss@host:9100/metrics?x=1')).toEqual({
      url: 'http://host:9100/metrics?x=1',
      headers: { accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1', authorization: `Basic ${Buffer.from('user:p@ss').toString('base64')}` },
      shown: 'http://user:***@host:9100/metrics?x=1',
    });
    expect(requestOf('https://host/metrics').shown).toBe('https://host/metrics');
  });
});
