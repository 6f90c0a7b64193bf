import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findProcess } from '../../../src/monitor/find-process.js';
import { measuredProcesses } from '../../../src/monitor/measured-processes.js';
import { parseProcStat, parseSchedstatWaitNs, parseVmRssBytes, readProcFigures } from '../../../src/monitor/proc-figures.js';
import { MAX_COMMAND_LINE_CHARS, printableCommandLine, readCommandLine } from '../../../src/monitor/process-command-line.js';
import { processSampler } from '../../../src/monitor/process-sampler.js';
import type { ProcessSource } from '../../../src/monitor/process-sampler.js';

/** A /proc/<pid>/stat line: utime and stime are fields 14 and 15. */
function statLine(pid: number, comm: string, utime: number, stime: number, state = 'S'): string {
  const fields = [
    state,
    '1',
    String(pid),
    String(pid),
    '0',
    '-1',
    '4194560',
    '100',
    '0',
    '0',
    '0',
    String(utime),
    String(stime),
    '0',
    '0',
    '20',
    '0',
    '1',
    '0',
    '100',
  ];
  return `${pid} (${comm}) ${fields.join(' ')}\n`;
}

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'loadseed-proc-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fake process in the fake /proc: its stat, status, comm and cmdline. */
async function fakeProcess(
  pid: number,
  options: { comm: string; cmdline?: readonly string[]; ticks?: number; rssKb?: number | null; state?: string },
): Promise<void> {
  const dir = join(root, String(pid));
  await mkdir(dir, { recursive: true });
  const ticks = options.ticks ?? 0;
  await writeFile(join(dir, 'stat'), statLine(pid, options.comm, ticks - Math.floor(ticks / 4), Math.floor(ticks / 4), options.state));
  const rss = options.rssKb === null ? '' : `VmRSS:\t  ${options.rssKb ?? 1000} kB\n`;
  await writeFile(join(dir, 'status'), `Name:\t${options.comm}\nState:\tS (sleeping)\nVmPeak:\t 999999 kB\n${rss}Threads:\t1\n`);
  await writeFile(join(dir, 'comm'), `${options.comm.slice(0, 15)}\n`);
  await writeFile(join(dir, 'cmdline'), (options.cmdline ?? [options.comm]).map((arg) => `${arg}\0`).join(''));
}

function clock(startMs = 1_000): { now: () => number; advance: (ms: number) => void } {
  let at = startMs;
  return { now: () => at, advance: (ms) => (at += ms) };
}

const byPid = (pid: number): ProcessSource => ({ kind: 'process', name: `pid ${pid}`, process: { pid } });
const byCommand = (command: string): ProcessSource => ({ kind: 'process', name: command, process: { command } });

describe('/proc parsing', () => {
  it('reads utime + stime and the state after the last parenthesis, whatever the command name holds', () => {
    expect(parseProcStat(statLine(42, 'a (weird) name) x', 150, 50, 'R'))).toEqual({ state: 'R', cpuTicks: 200 });
    expect(parseProcStat('42 (truncated) S 1 2')).toBeUndefined();
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  it('reads VmRSS in bytes, null without one (a kernel thread)', () => {
    expect(parseVmRssBytes('Name:\tx\nVmRSS:\t   20480 kB\nRssAnon:\t 1 kB\n')).toBe(20_971_520);
    expect(parseVmRssBytes('Name:\tkthreadd\nState:\tS\n')).toBeNull();
  });

  it('counts a zombie and a missing process as gone', async () => {
    await fakeProcess(7, { comm: 'zombie', state: 'Z' });
    expect(await readProcFigures(root, 7)).toEqual({ kind: 'gone' });
    expect(await readProcFigures(root, 8)).toEqual({ kind: 'gone' });
    await fakeProcess(9, { comm: 'kworker', rssKb: null, ticks: 12 });
    expect(await readProcFigures(root, 9)).toEqual({ cpuTicks: 12, rssBytes: null });
  });
});

describe('findProcess', () => {
  it('prefers a process named so (comm or argv[0]) to one whose command line contains the name, then the lowest pid', async () => {
    await fakeProcess(10, { comm: 'bash', cmdline: ['bash', '-c', 'tail -f nginx.log'] });
    await fakeProcess(30, { comm: 'nginx', cmdline: ['nginx: worker process'] });
    await fakeProcess(20, { comm: 'nginx', cmdline: ['nginx: master process', '/usr/sbin/nginx'] });
    await fakeProcess(40, { comm: 'python3', cmdline: ['/usr/bin/python3', 'app.py', '--port', '8000'] });
    await fakeProcess(50, { comm: 'MainThread', cmdline: ['/opt/venv/bin/gunicorn', 'app:wsgi'] });
    await fakeProcess(60, { comm: 'a-very-long-comm', cmdline: ['x'] });
    expect(await findProcess(root, 'nginx')).toBe(20);
    expect(await findProcess(root, 'app.py')).toBe(40);
    expect(await findProcess(root, 'gunicorn')).toBe(50);
    expect(await findProcess(root, 'a-very-long-command-name')).toBe(60);
    expect(await findProcess(root, 'postgres')).toBeUndefined();
    expect(await findProcess(join(root, 'missing'), 'nginx')).toBeUndefined();
  });
});

describe('processSampler: CPU and memory maths on a fake clock', () => {
  it('gives CPU as the growth of utime + stime in ticks over the wall time, in % of one core, and VmRSS', async () => {
    const time = clock();
    const sampler = processSampler(byPid(100), { now: time.now, procRoot: root, platform: 'linux', clockTicksPerSec: 100 });
    await fakeProcess(100, { comm: 'server', ticks: 1_000, rssKb: 10_000 });
    expect(await sampler.sample()).toEqual({ atMs: 1_000, cpuPercent: null, memoryBytes: 10_240_000 });
    // 1 s later, 150 ticks more: 1.5 CPU seconds in 1 s = 150% (one core and a half).
    time.advance(1_000);
    await fakeProcess(100, { comm: 'server', ticks: 1_150, rssKb: 12_000 });
    expect(await sampler.sample()).toEqual({ atMs: 2_000, cpuPercent: 150, memoryBytes: 12_288_000 });
    // 500 ms later, 5 ticks: 0.05 s in 0.5 s = 10%.
    time.advance(500);
    await fakeProcess(100, { comm: 'server', ticks: 1_155, rssKb: 12_000 });
    expect((await sampler.sample())?.cpuPercent).toBeCloseTo(10, 9);
    // Idle: no tick in 2 s.
    time.advance(2_000);
    expect((await sampler.sample())?.cpuPercent).toBe(0);
    expect(sampler.warnings(4)).toEqual([]);
    expect([sampler.kind, sampler.target]).toEqual(['process', 'pid 100']);
    expect(sampler.processes?.()).toEqual([{ pid: 100, commandLine: 'server', atMs: 1_000 }]);
  });

  it('gives the main thread’s wait for a CPU as the growth of its run-queue wait over the wall time, where schedstat is', async () => {
    expect(parseSchedstatWaitNs('4056555 16773733 5\n')).toBe(16_773_733);
    expect(parseSchedstatWaitNs('garbage')).toBeUndefined();
    const time = clock();
    const sampler = processSampler(byPid(101), { now: time.now, procRoot: root, platform: 'linux', clockTicksPerSec: 100 });
    await fakeProcess(101, { comm: 'server', ticks: 100 });
    await writeFile(join(root, '101', 'schedstat'), '1000000000 2000000000 40\n');
    expect(await sampler.sample()).toEqual({ atMs: 1_000, cpuPercent: null, memoryBytes: 1_024_000 });
    // 1 s later: 30 ticks on a CPU (30%) and 0.65 s more waiting on a run queue (65%): short of CPU.
    time.advance(1_000);
    await fakeProcess(101, { comm: 'server', ticks: 130 });
    await writeFile(join(root, '101', 'schedstat'), '1300000000 2650000000 90\n');
    const reading = await sampler.sample();
    expect(reading?.cpuPercent).toBeCloseTo(30, 9);
    expect(reading?.waitPercent).toBeCloseTo(65, 9);
  });

  it('uses the clock ticks per second given (CLK_TCK)', async () => {
    const time = clock();
    const sampler = processSampler(byPid(5), { now: time.now, procRoot: root, platform: 'linux', clockTicksPerSec: 250 });
    await fakeProcess(5, { comm: 'x', ticks: 0 });
    await sampler.sample();
    time.advance(2_000);
    await fakeProcess(5, { comm: 'x', ticks: 250 });
    expect((await sampler.sample())?.cpuPercent).toBe(50);
  });

  it('records a process that is gone as failed samples with one warning, never an exception', async () => {
    const time = clock();
    const sampler = processSampler(byPid(77), { now: time.now, procRoot: root, platform: 'linux', clockTicksPerSec: 100 });
    await fakeProcess(77, { comm: 'x', ticks: 10 });
    await sampler.sample();
    await rm(join(root, '77'), { recursive: true });
    time.advance(1_000);
    expect(await sampler.sample()).toEqual({ atMs: 2_000, cpuPercent: null, memoryBytes: null });
    time.advance(1_000);
    await sampler.sample();
    expect(sampler.warnings(3)).toEqual(['pid 77 is not running: 2 of 3 samples']);
  });

  it('follows a command to the next process of that name when it exits, CPU starting afresh', async () => {
    const time = clock();
    const sampler = processSampler(byCommand('api-server'), { now: time.now, procRoot: root, platform: 'linux', clockTicksPerSec: 100 });
    expect(await sampler.sample()).toEqual({ atMs: 1_000, cpuPercent: null, memoryBytes: null });
    await fakeProcess(200, { comm: 'api-server', ticks: 500 });
    time.advance(1_000);
    expect((await sampler.sample())?.memoryBytes).toBe(1_024_000);
    time.advance(1_000);
    await fakeProcess(200, { comm: 'api-server', ticks: 600 });
    expect((await sampler.sample())?.cpuPercent).toBe(100);
    // Restarted as pid 300: its counter is not compared with the old one's.
    await rm(join(root, '200'), { recursive: true });
    await fakeProcess(300, { comm: 'api-server', ticks: 3 });
    time.advance(1_000);
    expect(await sampler.sample()).toEqual({ atMs: 4_000, cpuPercent: null, memoryBytes: 1_024_000 });
    time.advance(1_000);
    await fakeProcess(300, { comm: 'api-server', ticks: 28 });
    expect((await sampler.sample())?.cpuPercent).toBe(25);
    expect(sampler.target).toBe('command api-server');
    expect(sampler.warnings(5)).toEqual([
      'pid 200 ("api-server") exited; followed pid 300',
      'no process matches "api-server": 1 of 5 samples',
    ]);
    // Both processes, each from its first reading: the reports say which one the figures are of, and from when.
    expect(sampler.processes?.()).toEqual([
      { pid: 200, commandLine: 'api-server', atMs: 2_000 },
      { pid: 300, commandLine: 'api-server', atMs: 4_000 },
    ]);
  });

  it('records a process once, with its printable command line; past 16, the first 15 and the latest', async () => {
    const time = clock();
    const sampler = processSampler(byCommand('worker.js'), { now: time.now, procRoot: root, platform: 'linux', clockTicksPerSec: 100 });
    for (let pid = 1_000; pid < 1_020; pid++) {
      await fakeProcess(pid, { comm: 'node', cmdline: ['node', 'worker.js', `--run=${pid}\u001b[2J`] });
      await sampler.sample();
      time.advance(100);
      await sampler.sample();
      time.advance(100);
      await rm(join(root, String(pid)), { recursive: true });
    }
    const processes = sampler.processes?.() ?? [];
    expect(processes.map((each) => each.pid)).toEqual([...Array.from({ length: 15 }, (_, index) => 1_000 + index), 1_019]);
    expect(processes[0]).toEqual({ pid: 1_000, commandLine: 'node worker.js --run=1000 [2J', atMs: 1_000 });
    expect(processes[15]).toEqual({ pid: 1_019, commandLine: 'node worker.js --run=1019 [2J', atMs: 1_000 + 19 * 200 });
  });

  it('off Linux: one warning, no readings', async () => {
    const sampler = processSampler(byPid(1), { now: () => 0, procRoot: root, platform: 'darwin', clockTicksPerSec: 100 });
    expect(await sampler.sample()).toBeUndefined();
    expect(await sampler.sample()).toBeUndefined();
    expect(sampler.warnings(0)).toEqual(["process monitoring reads Linux's /proc, and this is darwin: not sampled"]);
  });
});

describe('the command line of a process', () => {
  it('is its arguments joined by spaces, [comm] without any (a kernel thread), empty when unreadable', async () => {
    await fakeProcess(10, { comm: 'node', cmdline: ['/usr/bin/node', 'dist/cli/main.js', 'serve', '--port', '8080'] });
    await fakeProcess(11, { comm: 'kthreadd', cmdline: [] });
    expect(await readCommandLine(root, 10)).toBe('/usr/bin/node dist/cli/main.js serve --port 8080');
    expect(await readCommandLine(root, 11)).toBe('[kthreadd]');
    expect(await readCommandLine(root, 12)).toBe('');
  });

  it('is printable: control and reordering characters as spaces, clipped to 200 characters (whole ones) with …', () => {
    expect(printableCommandLine('app --title=\u001b]0;pwned\u0007 --x=\u009b1m\nnext\u202eevil\u2066')).toBe(
      'app --title= ]0;pwned  --x= 1m next evil ',
    );
    expect(printableCommandLine('café ✓ 日本')).toBe('café ✓ 日本');
    const long = printableCommandLine(`node ${'😀'.repeat(300)}`);
    expect(Array.from(long)).toHaveLength(MAX_COMMAND_LINE_CHARS);
    expect(long).toBe(`node ${'😀'.repeat(MAX_COMMAND_LINE_CHARS - 6)}…`);
    expect(printableCommandLine('x'.repeat(MAX_COMMAND_LINE_CHARS))).toBe('x'.repeat(MAX_COMMAND_LINE_CHARS));
  });
});

describe('the processes of the measured phase', () => {
  const sampled = [
    { pid: 1, commandLine: 'a', atMs: 1_000 },
    { pid: 2, commandLine: 'b', atMs: 2_000 },
    { pid: 3, commandLine: 'c', atMs: 3_500 },
  ];

  it('leaves out one replaced before t=0, counts from 0 one sampled since before, in whole ms', () => {
    expect(measuredProcesses(sampled, 2_500.4)).toEqual([
      { pid: 2, commandLine: 'b', fromOffsetMs: 0 },
      { pid: 3, commandLine: 'c', fromOffsetMs: 1_000 },
    ]);
    expect(measuredProcesses(sampled, 500)).toEqual([
      { pid: 1, commandLine: 'a', fromOffsetMs: 500 },
      { pid: 2, commandLine: 'b', fromOffsetMs: 1_500 },
      { pid: 3, commandLine: 'c', fromOffsetMs: 3_000 },
    ]);
    expect(measuredProcesses(sampled, 9_000)).toEqual([{ pid: 3, commandLine: 'c', fromOffsetMs: 0 }]);
    expect(measuredProcesses([], 0)).toEqual([]);
  });
});
