import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A process's counters from Linux's /proc/<pid>/stat and /proc/<pid>/status. */
export interface ProcFigures {
  /** utime + stime: CPU time used so far (every thread), in clock ticks (`getconf CLK_TCK` per second). */
  readonly cpuTicks: number;
  /** VmRSS in bytes; null for a process without one (a kernel thread). */
  readonly rssBytes: number | null;
  /**
   * Time its main thread has spent runnable but waiting for a CPU so far, in ns (`/proc/<pid>/schedstat`, its
   * second field); absent where the kernel does not keep it.
   */
  readonly runQueueWaitNs?: number;
}

/** Why a process could not be read: gone (or a zombie), or another error (permissions…). */
export type ProcProblem = { readonly kind: 'gone' } | { readonly kind: 'error'; readonly reason: string };

/**
 * The figures of process `pid` from `procRoot` (normally /proc), or why there are none. A zombie (exited, not
 * yet reaped by its parent) counts as gone. Never throws.
 */
export async function readProcFigures(procRoot: string, pid: number): Promise<ProcFigures | ProcProblem> {
  let stat: string;
  let status: string;
  try {
    [stat, status] = await Promise.all([
      readFile(join(procRoot, String(pid), 'stat'), 'latin1'),
      readFile(join(procRoot, String(pid), 'status'), 'latin1'),
    ]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ESRCH: the process exited between the open and the read.
    if (code === 'ENOENT' || code === 'ESRCH') return { kind: 'gone' };
    return { kind: 'error', reason: `cannot read /proc/${pid} (${code ?? String(error)})` };
  }
  const parsed = parseProcStat(stat);
  if (parsed === undefined) return { kind: 'error', reason: `cannot read /proc/${pid}/stat (unexpected format)` };
  if (parsed.state === 'Z' || parsed.state === 'X') return { kind: 'gone' };
  const runQueueWaitNs = await readRunQueueWaitNs(procRoot, pid);
  return { cpuTicks: parsed.cpuTicks, rssBytes: parseVmRssBytes(status), ...(runQueueWaitNs === undefined ? {} : { runQueueWaitNs }) };
}

/** The main thread's run-queue wait so far (ns) from `/proc/<pid>/schedstat`; undefined when it cannot be read. */
async function readRunQueueWaitNs(procRoot: string, pid: number): Promise<number | undefined> {
  try {
    return parseSchedstatWaitNs(await readFile(join(procRoot, String(pid), 'schedstat'), 'latin1'));
  } catch {
    return undefined;
  }
}

/** `/proc/<pid>/schedstat`: `<ns on a CPU> <ns waiting on a run queue> <time slices>`; the second, or undefined. */
export function parseSchedstatWaitNs(text: string): number | undefined {
  const waitNs = Number(text.trim().split(/\s+/)[1]);
  return Number.isFinite(waitNs) && waitNs >= 0 ? waitNs : undefined;
}

/**
 * `/proc/<pid>/stat`: `pid (comm) state ppid … utime stime …`. The command name may hold spaces and
 * parentheses, so fields are counted from the last `)`: state is field 3, utime 14 and stime 15.
 */
export function parseProcStat(text: string): { readonly state: string; readonly cpuTicks: number } | undefined {
  const close = text.lastIndexOf(')');
  if (close === -1) return undefined;
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 (state): field n is fields[n - 3].
  const state = fields[0];
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (state === undefined || !Number.isFinite(utime) || !Number.isFinite(stime) || fields[12] === undefined) return undefined;
  return { state, cpuTicks: utime + stime };
}

/** `VmRSS:   123456 kB` of /proc/<pid>/status, in bytes; null when absent. */
export function parseVmRssBytes(status: string): number | null {
  const match = /^VmRSS:\s*(\d+)\s*kB\s*$/m.exec(status);
  return match === null ? null : Number(match[1]) * 1024;
}
