import type { PlannedMonitorSource } from '../plan/build-plan.js';
import { clockTicksPerSec } from './clock-ticks.js';
import { cpuPercent } from './cpu-percent.js';
import { findProcess } from './find-process.js';
import type { MonitorReading } from './monitor-series.js';
import { readProcFigures } from './proc-figures.js';
import type { ProcFigures } from './proc-figures.js';
import { readCommandLine } from './process-command-line.js';
import { SampleProblems } from './sample-problems.js';
import type { SampledProcess, SourceSampler } from './source-sampler.js';

/** A server restarting in a loop is followed all run long; the list of processes it went through stays short. */
const MAX_SAMPLED_PROCESSES = 16;

/** The last reading of a process: its figures then, and when. */
interface Previous {
  readonly pid: number;
  readonly figures: ProcFigures;
  readonly atMs: number;
}

export type ProcessSource = Extract<PlannedMonitorSource, { readonly kind: 'process' }>;

export interface ProcessSamplerOptions {
  /** The clock readings are timed by, in ms (any origin). */
  readonly now: () => number;
  /** Where /proc is (tests give a directory of their own). */
  readonly procRoot: string;
  /** `os.platform()`: /proc is read on `linux` only. */
  readonly platform: string;
  /** Clock ticks per second of /proc's CPU times; default `getconf CLK_TCK` (else 100). */
  readonly clockTicksPerSec?: number;
}

/**
 * Samples a local process from /proc: CPU from the growth of utime + stime between two readings over the wall
 * time between them (% of one core), memory from VmRSS, and how long its main thread waited for a CPU (the
 * growth of its run-queue wait, % of the wall time) where the kernel keeps it. A process named by `command` is looked up on the
 * first sample and again whenever it has exited (a restarted server is followed); one named by `pid` is not.
 * Each process read is recorded once, with its command line and when it was first read, so that the reports
 * say which process the figures are of (`processes()`). Off Linux: one warning, no readings.
 */
export function processSampler(source: ProcessSource, options: ProcessSamplerOptions): SourceSampler {
  const problems = new SampleProblems();
  const command = 'command' in source.process ? source.process.command : undefined;
  let pid = 'pid' in source.process ? source.process.pid : undefined;
  let previous: Previous | undefined;
  const sampled: SampledProcess[] = [];
  const recordSampled = async (pid: number, atMs: number): Promise<void> => {
    if (sampled[sampled.length - 1]?.pid === pid) return;
    const entry = { pid, commandLine: await readCommandLine(options.procRoot, pid), atMs };
    // Past the bound, the last entry gives way to the newest: the first processes and the current one are kept.
    if (sampled.length >= MAX_SAMPLED_PROCESSES) sampled.pop();
    sampled.push(entry);
  };
  const failed = (reason: string): MonitorReading => {
    problems.count(reason);
    return { atMs: options.now(), cpuPercent: null, memoryBytes: null };
  };

  const sample = async (): Promise<MonitorReading | undefined> => {
    if (options.platform !== 'linux') {
      problems.note(`process monitoring reads Linux's /proc, and this is ${options.platform}: not sampled`);
      return undefined;
    }
    const ticksPerSec = options.clockTicksPerSec ?? (await clockTicksPerSec());
    if (pid === undefined && command !== undefined) {
      pid = await findProcess(options.procRoot, command);
      if (pid === undefined) return failed(`no process matches "${command}"`);
    }
    if (pid === undefined) return undefined;
    let figures = await readProcFigures(options.procRoot, pid);
    if ('kind' in figures && figures.kind === 'gone' && command !== undefined) {
      // Followed by command: the server restarted (or another process of that name took over).
      const exited = pid;
      pid = await findProcess(options.procRoot, command);
      if (pid === undefined) {
        problems.note(`pid ${exited} ("${command}") exited`);
        return failed(`no process matches "${command}"`);
      }
      problems.note(`pid ${exited} ("${command}") exited; followed pid ${pid}`);
      figures = await readProcFigures(options.procRoot, pid);
    }
    if ('kind' in figures) return failed(figures.kind === 'gone' ? `pid ${pid} is not running` : figures.reason);
    const atMs = options.now();
    await recordSampled(pid, atMs);
    const reading = readingOf(figures, atMs, previous?.pid === pid ? previous : undefined, ticksPerSec);
    previous = { pid, figures, atMs };
    return reading;
  };

  return {
    name: source.name,
    kind: 'process',
    target: command === undefined ? `pid ${pid ?? '?'}` : `command ${command}`,
    sample: () => sample().catch((error: unknown) => failed(`cannot read the process (${(error as Error).message})`)),
    processes: () => sampled,
    warnings: (samples) => problems.warnings(samples),
  };
}

/**
 * A reading of a process's figures at `atMs`: CPU from the growth of its CPU time since `previous` (the same
 * process's last reading), over the wall time (% of one core); null without one. Waiting for a CPU likewise,
 * from the growth of its main thread's run-queue wait (% of the wall time), where both readings have it.
 */
function readingOf(figures: ProcFigures, atMs: number, previous: Previous | undefined, ticksPerSec: number): MonitorReading {
  if (previous === undefined) return { atMs, cpuPercent: null, memoryBytes: figures.rssBytes };
  const wallMs = atMs - previous.atMs;
  const cpu = cpuPercent((figures.cpuTicks - previous.figures.cpuTicks) / ticksPerSec, wallMs);
  const before = previous.figures.runQueueWaitNs;
  const wait =
    before === undefined || figures.runQueueWaitNs === undefined ? null : cpuPercent((figures.runQueueWaitNs - before) / 1e9, wallMs);
  return { atMs, cpuPercent: cpu, memoryBytes: figures.rssBytes, ...(wait === null ? {} : { waitPercent: wait }) };
}
