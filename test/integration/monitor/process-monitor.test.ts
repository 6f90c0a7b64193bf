import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { platform } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { MonitorSourceResults } from '../../../src/monitor/monitor-results.js';
import { startMonitor } from '../../../src/monitor/start-monitor.js';

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
  const process = spawn(globalThis.process.execPath, ['-e', `process.stdout.write('ready\\n'); ${code}`, marker], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(process);
  await once(process.stdout!, 'data');
  return process;
}

const BUSY = 'for (;;) {}';
const IDLE = 'setInterval(() => {}, 10_000)';

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
    // Start-up (loading node) is over: measure from here.
    const monitor = startMonitor(
      [
        { kind: 'process', name: 'busy', process: { pid: busy.pid! } },
        { kind: 'process', name: 'idle', process: { pid: idle.pid! } },
      ],
      { intervalMs: 250 },
    );
    const cpuBefore = cpuSeconds(busy.pid!);
    const wallBefore = performance.now();
    await sleep(1_400);
    const [busyResults, idleResults] = await monitor.stop();
    const truePercent = ((cpuSeconds(busy.pid!) - cpuBefore) / ((performance.now() - wallBefore) / 1000)) * 100;
    // One core spinning: ≈100% on a quiet machine, less beside a CPU hog; the truth is its own CPU time.
    expect(busyResults!.points.length).toBeGreaterThanOrEqual(5);
    expect(Math.abs(cpuMean(busyResults!) - truePercent)).toBeLessThan(20);
    expect(cpuMean(busyResults!)).toBeLessThan(110);
    expect(cpuMean(idleResults!)).toBeLessThan(10);
    for (const source of [busyResults!, idleResults!]) {
      expect(source.warnings).toEqual([]);
      expect(source.points.every((point) => (point.memoryBytes ?? 0) > 10_000_000)).toBe(true);
      // The first sample only sets the counter; the ones after have CPU.
      expect(source.points[0]?.cpuPercent).toBeNull();
      expect(source.points.slice(1).every((point) => point.cpuPercent !== null)).toBe(true);
      // Offsets from when the monitor started, 250 ms apart or more: how much later a busy machine runs a
      // timer is not bounded here.
      expect(source.points[0]!.offsetMs).toBeGreaterThanOrEqual(0);
      const gaps = source.points.slice(1).map((point, index) => point.offsetMs - source.points[index]!.offsetMs);
      expect(Math.min(...gaps)).toBeGreaterThan(150);
    }
  });

  it('finds a process by command, follows it when it is restarted, and warns (without failing) while none runs', async () => {
    const marker = `loadseed-monitor-test-${randomUUID()}`;
    let server = await child(BUSY, marker);
    const firstPid = server.pid!;
    const monitor = startMonitor([{ kind: 'process', name: 'server', process: { command: marker } }], { intervalMs: 200 });
    await sleep(700);
    server.kill('SIGKILL');
    await once(server, 'exit');
    await sleep(400);
    server = await child(IDLE, marker);
    await sleep(700);
    const [results] = await monitor.stop();
    expect(results!.target).toBe(`command ${marker}`);
    const warnings = results!.warnings.join('\n');
    expect(warnings).toContain(`pid ${firstPid} ("${marker}") exited`);
    expect(warnings).toMatch(new RegExp(`no process matches "${marker}": \\d+ of \\d+ samples`));
    const points = results!.points;
    const busyPart = points.filter((point) => point.offsetMs < 650 && point.cpuPercent !== null);
    const idlePart = points.filter((point) => point.offsetMs > points[points.length - 1]!.offsetMs - 450 && point.cpuPercent !== null);
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
    const monitor = startMonitor([{ kind: 'process', name: 'gone', process: { pid } }], { intervalMs: 100 });
    await sleep(250);
    const [results] = await monitor.stop();
    expect(results!.points.every((point) => point.cpuPercent === null && point.memoryBytes === null)).toBe(true);
    expect(results!.warnings).toEqual([`pid ${pid} is not running: every sample`]);
  });
});
