import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { platform } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { MonitorSourceResults } from '../../../src/monitor/monitor-results.js';
import { startMonitor } from '../../../src/monitor/start-monitor.js';
import { SamplerClock } from '../../helpers/sampler-clock.js';

/**
 * The process monitor against real processes whose CPU use is known: `node -e` children spinning in a busy
 * loop (≈100% of one core) or sleeping (≈0%). Linux only (/proc).
 */
const children = new Set<ChildProcess>();

afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});

/** A node child that says `ready` once started, then runs `code`; `marker` is an argument that names it. */
async function child(code: string, marker = 'x'): Promise<ChildProcess> {
  const process = spawn(globalThis.process.execPath, ['-e', `process.stdout.write('ready\\n'); ${code}`, marker], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(process);
  await once(process.stdout, 'data');
  return process;
}

const BUSY = 'for (;;) {}';
const IDLE = 'setInterval(() => {}, 10_000)';

const INTERVAL_MS = 250;

/**
 * What the sampler promises about time: samples in order, none twice, and no more of them than its interval
 * allows over its own span (ticks are at least an interval apart; one sample's reading may lag its tick, so
 * one more is allowed). How late a busy machine runs a timer is not bounded.
 */
function expectSampledInOrder(source: MonitorSourceResults): void {
  const offsets = source.points.map((point) => point.offsetMs);
  expect(offsets[0]).toBeGreaterThanOrEqual(0);
  for (let index = 1; index < offsets.length; index += 1) expect(offsets[index]).toBeGreaterThan(offsets[index - 1]!);
  const spanMs = offsets[offsets.length - 1]! - offsets[0]!;
  expect(offsets.length).toBeLessThanOrEqual(Math.floor(spanMs / source.intervalMs) + 2);
}

/** CPU over the source's whole span, from its samples: each interval's figure weighted by its length. */
function cpuOverSpan(source: MonitorSourceResults): number {
  let weighted = 0;
  for (let index = 1; index < source.points.length; index += 1) {
    const point = source.points[index]!;
    weighted += point.cpuPercent! * (point.offsetMs - source.points[index - 1]!.offsetMs);
  }
  return weighted / (source.points[source.points.length - 1]!.offsetMs - source.points[0]!.offsetMs);
}

/** The process's true CPU (%) over the source's span, from its CPU time read at the clock readings nearest the first and last samples. */
function trueCpuPercent(source: MonitorSourceResults, cpuAt: readonly (readonly [number, number])[]): number {
  const originMs = cpuAt[0]![0];
  const at = (offsetMs: number): readonly [number, number] =>
    cpuAt.reduce((best, each) => (Math.abs(each[0] - originMs - offsetMs) < Math.abs(best[0] - originMs - offsetMs) ? each : best));
  const [firstMs, firstCpu] = at(source.points[0]!.offsetMs);
  const [lastMs, lastCpu] = at(source.points[source.points.length - 1]!.offsetMs);
  return ((lastCpu - firstCpu) / ((lastMs - firstMs) / 1000)) * 100;
}

function cpuMean(source: MonitorSourceResults): number {
  const values = source.points.map((point) => point.cpuPercent).filter((value): value is number => value !== null);
  expect(values.length).toBeGreaterThan(0);
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** The process's own CPU time (user + system), in seconds, from /proc/<pid>/stat: the truth the monitor is checked against. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

describe.skipIf(platform() !== 'linux')('monitoring real processes (/proc)', () => {
  it('measures a busy process at about one core and an idle one at about none, with their RSS', async () => {
    const busy = await child(BUSY);
    const idle = await child(IDLE);
    // The truth the monitor is checked against: the busy child's own CPU time, read at each of the monitor's
    // readings (just after the monitor read its figures).
    const busyCpuAt = new Map<number, number>();
    const clock = new SamplerClock((atMs) => busyCpuAt.set(atMs, cpuSeconds(busy.pid!)));
    // Start-up (loading node) is over: measure from here.
    const monitor = startMonitor(
      [
        { kind: 'process', name: 'busy', process: { pid: busy.pid! } },
        { kind: 'process', name: 'idle', process: { pid: idle.pid! } },
      ],
      { intervalMs: INTERVAL_MS, now: clock.now },
    );
    // Two sources × 7 samples (the origin was read as it started): 7 samples of each once the one under way ends.
    await clock.more(2 * 7);
    const [busyResults, idleResults] = await monitor.stop();
    for (const source of [busyResults!, idleResults!]) {
      expect(source.warnings).toEqual([]);
      expect(source.points.length).toBeGreaterThanOrEqual(7);
      expect(source.points.every((point) => (point.memoryBytes ?? 0) > 10_000_000)).toBe(true);
      // The first sample only sets the counter; the ones after have CPU.
      expect(source.points[0]?.cpuPercent).toBeNull();
      expect(source.points.slice(1).every((point) => point.cpuPercent !== null)).toBe(true);
      expectSampledInOrder(source);
    }
    // One core spinning: ≈100% on a quiet machine, less beside a CPU hog, and never more than the core it
    // has. The truth is its own CPU time over the monitor's own span (first to last sample).
    const truePercent = trueCpuPercent(busyResults!, [...busyCpuAt]);
    expect(Math.abs(cpuOverSpan(busyResults!) - truePercent)).toBeLessThan(10);
    expect(cpuOverSpan(busyResults!)).toBeLessThan(110);
    expect(cpuMean(idleResults!)).toBeLessThan(10);
  });

  it('finds a process by command, follows it when it is restarted, and warns (without failing) while none runs', async () => {
    const marker = `loadseed-monitor-test-${randomUUID()}`;
    let server = await child(BUSY, marker);
    const firstPid = server.pid!;
    const clock = new SamplerClock();
    const monitor = startMonitor([{ kind: 'process', name: 'server', process: { command: marker } }], { intervalMs: 200, now: clock.now });
    const originMs = clock.peek();
    // 3 samples of the busy child (2 with CPU); the origin was read as the monitor started.
    await clock.more(3);
    const killedAtMs = clock.peek();
    server.kill('SIGKILL');
    await once(server, 'exit');
    // The second sample after the exit began after the first one ended: nothing matched then.
    await clock.more(2);
    server = await child(IDLE, marker);
    const restartedAtMs = clock.peek();
    // The new child found, then settled: 4 samples after it said it was ready.
    await clock.more(4);
    const [results] = await monitor.stop();
    expect(results!.target).toBe(`command ${marker}`);
    const warnings = results!.warnings.join('\n');
    expect(warnings).toContain(`pid ${firstPid} ("${marker}") exited`);
    expect(warnings).toMatch(new RegExp(`no process matches "${marker}": \\d+ of \\d+ samples`));
    const points = results!.points;
    expectSampledInOrder(results!);
    // The origin was read just before originMs: offsets measured from it are a little larger, never smaller.
    const busyPart = points.filter((point) => point.offsetMs <= killedAtMs - originMs && point.cpuPercent !== null);
    const idlePart = points.filter((point) => point.offsetMs >= restartedAtMs - originMs + 1 && point.cpuPercent !== null);
    expect(busyPart.length).toBeGreaterThan(0);
    expect(idlePart.length).toBeGreaterThan(0);
    // Busy at ≈100% of a core on a quiet machine; at least well above the idle child's ≈0 beside a CPU hog.
    expect(Math.max(...busyPart.map((point) => point.cpuPercent!))).toBeGreaterThan(20);
    // The idle child settles once Node has started it (which on a busy machine spans more than one sample).
    expect(Math.min(...idlePart.map((point) => point.cpuPercent!))).toBeLessThan(10);
    // While no process ran: failed samples, null figures.
    expect(points.some((point) => point.cpuPercent === null && point.memoryBytes === null)).toBe(true);
  });

  it('a pid that is gone is a warning, never an exception', async () => {
    const gone = await child(IDLE);
    const pid = gone.pid!;
    gone.kill('SIGKILL');
    await once(gone, 'exit');
    const clock = new SamplerClock();
    const monitor = startMonitor([{ kind: 'process', name: 'gone', process: { pid } }], { intervalMs: 100, now: clock.now });
    await clock.more(2);

    const [results] = await monitor.stop();
    expect(results!.points.every((point) => point.cpuPercent === null && point.memoryBytes === null)).toBe(true);
    expect(results!.warnings).toEqual([`pid ${pid} is not running: every sample`]);
  });
});
