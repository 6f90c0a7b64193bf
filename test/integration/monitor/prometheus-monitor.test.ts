import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlannedMonitorSource } from '../../../src/plan/build-plan.js';
import { startMonitor } from '../../../src/monitor/start-monitor.js';
import { SamplerClock } from '../../helpers/sampler-clock.js';

/**
 * The Prometheus monitor against a real endpoint on 127.0.0.1: its CPU counter grows by a known amount per
 * second of real time, split over two label sets, and its memory gauge is known.
 */
const servers = new Set<Server>();

afterEach(async () => {
  for (const server of servers) await close(server);
  servers.clear();
});

/** An exporter whose process_cpu_seconds_total grows by `cpuSecondsPerSec` every second (two series, summed). */
async function exporter(cpuSecondsPerSec: number, memoryBytes: number, timestamped = false): Promise<{ server: Server; url: string }> {
  const startedAt = performance.now();
  const server = createServer((request, response) => {
    const nowMs = performance.now();
    const cpuSeconds = ((nowMs - startedAt) / 1000) * cpuSecondsPerSec;
    // The exporter stamps its counter with the moment it read it (as an exporter may): the CPU % is then a
    // pure function of the server's own clock, whatever delays a busy machine puts between it and the monitor.
    const stamp = timestamped ? ` ${Math.round(performance.timeOrigin + nowMs)}` : '';
    response.setHeader('content-type', 'text/plain; version=0.0.4; charset=utf-8');
    response.end(
      [
        '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.',
        '# TYPE process_cpu_seconds_total counter',
        `process_cpu_seconds_total{mode="user"} ${100 + cpuSeconds * 0.75}${stamp}`,
        `process_cpu_seconds_total{mode="system"} ${20 + cpuSeconds * 0.25}${stamp}`,
        '# HELP process_resident_memory_bytes Resident memory size in bytes.',
        '# TYPE process_resident_memory_bytes gauge',
        `process_resident_memory_bytes ${memoryBytes}`,
        `http_requests_total{path="/a\\"b"} 12`,
        '',
      ].join('\n'),
    );
  });
  servers.add(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics` };
}

async function close(server: Server): Promise<void> {
  if (!server.listening) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

const source = (url: string): PlannedMonitorSource => ({
  kind: 'prometheus',
  name: 'exporter',
  url,
  cpuMetric: 'process_cpu_seconds_total',
  memoryMetric: 'process_resident_memory_bytes',
});

describe('monitoring a Prometheus endpoint on loopback', () => {
  it('gives the counter growth per second as CPU % (within 15%), and the memory gauge', async () => {
    // 0.4 CPU seconds per second: 40% of one core.
    const { url } = await exporter(0.4, 123_456_789, true);
    const clock = new SamplerClock();
    // The scrape timeout is the monitor's own business (tested below): here a starved runner must not turn a slow
    // answer into a failed sample (the default is 80% of the interval, 160 ms).
    const monitor = startMonitor([source(url)], { intervalMs: 200, now: clock.now, scrapeTimeoutMs: 10_000 });
    await clock.more(6); // 6 samples (one reading each), the first without CPU

    const [results] = await monitor.stop();
    expect(results!.warnings).toEqual([]);
    expect(results!.target).toBe(url);
    const cpu = results!.points.slice(1).map((point) => point.cpuPercent);
    expect(cpu.length).toBeGreaterThanOrEqual(4);
    for (const value of cpu) {
      expect(value).toBeGreaterThan(40 * 0.85);
      expect(value).toBeLessThan(40 * 1.15);
    }
    expect(results!.points[0]!.cpuPercent).toBeNull();
    expect(results!.points.every((point) => point.memoryBytes === 123_456_789)).toBe(true);
  });

  it('an endpoint that goes down mid-run: a warning with the count of failed samples, the samples before it kept', async () => {
    const { server, url } = await exporter(1, 50_000_000);
    const clock = new SamplerClock();
    const monitor = startMonitor([source(url)], { intervalMs: 150, now: clock.now });
    await clock.more(4); // 4 answered samples
    await close(server);
    // The sample under way as it closed may still have been answered; the two after it began once it was closed.
    await clock.more(3);
    const [results] = await monitor.stop();
    const points = results!.points;
    const good = points.filter((point) => point.memoryBytes !== null);
    const failed = points.filter((point) => point.memoryBytes === null);
    expect(good.length).toBeGreaterThanOrEqual(3);
    expect(failed.length).toBeGreaterThanOrEqual(2);
    // Every good sample came before every failed one.
    expect(Math.max(...good.map((point) => point.offsetMs))).toBeLessThan(Math.min(...failed.map((point) => point.offsetMs)));
    // Without timestamps the monitor dates a sample by the answer's arrival, which a busy machine delays: each
    // point may be off, but the points' time-weighted mean over the run telescopes to the exporter's growth.
    expect(good.slice(1).every((point) => point.cpuPercent !== null)).toBe(true);
    let weighted = 0;
    for (let i = 1; i < good.length; i++) weighted += good[i]!.cpuPercent! * (good[i]!.offsetMs - good[i - 1]!.offsetMs);
    const meanPercent = weighted / (good.at(-1)!.offsetMs - good[0]!.offsetMs);
    expect(Math.abs(meanPercent - 100)).toBeLessThan(15);
    expect(failed.every((point) => point.cpuPercent === null)).toBe(true);
    expect(results!.warnings).toEqual([`cannot reach the endpoint (ECONNREFUSED): ${failed.length} of ${points.length} samples`]);
  });

  it('an endpoint slower than its timeout, an HTTP error, a metric it lacks: warnings, each once', async () => {
    let mode: 'slow' | 'error' | 'no-cpu' = 'slow';
    // Scrapes served in each mode. The monitor samples one at a time: a second scrape in a mode means the
    // sample of the first one is over (timed out, or read).
    const served = { slow: 0, error: 0, 'no-cpu': 0 };
    const twice = async (which: typeof mode): Promise<void> => {
      while (served[which] < 2) await sleep(5);
    };
    const server = createServer((request, response) => {
      served[mode] += 1;
      if (mode === 'slow') setTimeout(() => response.end('process_cpu_seconds_total 1\n'), 300).unref();
      else if (mode === 'error') response.writeHead(503).end('unavailable');
      else response.end('process_resident_memory_bytes 42\n');
    });
    servers.add(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    const monitor = startMonitor([source(url)], { intervalMs: 200, scrapeTimeoutMs: 100 });
    await twice('slow');
    mode = 'error';
    await twice('error');
    mode = 'no-cpu';
    await twice('no-cpu');
    const [results] = await monitor.stop();
    const warnings = results!.warnings;
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/^no answer within 100 ms: \d+ of \d+ samples$/);
    expect(warnings[1]).toMatch(/^the endpoint answered HTTP 503: \d+ of \d+ samples$/);
    expect(warnings[2]).toMatch(/^no sample of process_cpu_seconds_total: \d+ of \d+ samples$/);
    expect(results!.points[results!.points.length - 1]).toMatchObject({ cpuPercent: null, memoryBytes: 42 });
  });
});
