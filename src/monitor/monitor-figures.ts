import type { MonitoredProcess, MonitorSourceResults } from './monitor-results.js';

/** A source's figures over the run, for summaries: CPU in % of one core, memory in bytes; null without data. */
export interface MonitorFigures {
  readonly meanCpuPercent: number | null;
  readonly maxCpuPercent: number | null;
  readonly maxMemoryBytes: number | null;
  /** Points with at least one figure. */
  readonly points: number;
}

/** Mean and peak CPU (of the points: a merged point is already an average) and peak memory of a source. */
export function monitorFigures(source: MonitorSourceResults): MonitorFigures {
  let cpuSum = 0;
  let cpuCount = 0;
  let maxCpuPercent: number | null = null;
  let maxMemoryBytes: number | null = null;
  let points = 0;
  for (const point of source.points) {
    if (point.cpuPercent !== null) {
      cpuSum += point.cpuPercent;
      cpuCount += 1;
      maxCpuPercent = Math.max(maxCpuPercent ?? 0, point.cpuPercent);
    }
    if (point.memoryBytes !== null) maxMemoryBytes = Math.max(maxMemoryBytes ?? 0, point.memoryBytes);
    if (point.cpuPercent !== null || point.memoryBytes !== null) points += 1;
  }
  return { meanCpuPercent: cpuCount === 0 ? null : Math.round((cpuSum / cpuCount) * 10) / 10, maxCpuPercent, maxMemoryBytes, points };
}

/** `CPU mean 43.2%, max 97.0% of one core · memory max 182 MB`, or `no samples`. */
export function monitorFiguresText(figures: MonitorFigures): string {
  const parts: string[] = [];
  if (figures.meanCpuPercent !== null && figures.maxCpuPercent !== null) {
    parts.push(`CPU mean ${figures.meanCpuPercent.toFixed(1)}%, max ${figures.maxCpuPercent.toFixed(1)}% of one core`);
  }
  if (figures.maxMemoryBytes !== null) parts.push(`memory max ${formatMemory(figures.maxMemoryBytes)}`);
  return parts.length === 0 ? 'no samples' : parts.join(' · ');
}

/**
 * Which processes a source's figures are of, one line each: `pid 1234 "node dist/cli/main.js serve"`; each one
 * after the first (a restarted server, followed) with when it took over: `pid 1300 "node server.js" from 3.2 s`.
 */
export function monitoredProcessesText(processes: readonly MonitoredProcess[]): string[] {
  return processes.map((sampled, index) => {
    const commandLine = sampled.commandLine === '' ? '' : ` "${sampled.commandLine}"`;
    const from = index === 0 ? '' : ` from ${(sampled.fromOffsetMs / 1000).toFixed(1)} s`;
    return `pid ${sampled.pid}${commandLine}${from}`;
  });
}

/** Bytes in MB (10^6) or GB: `182 MB`, `42.5 MB`, `3.2 GB`. */
export function formatMemory(bytes: number): string {
  const mb = bytes / 1e6;
  if (mb >= 10_000) return `${(mb / 1000).toFixed(1)} GB`;
  return `${mb >= 100 ? mb.toFixed(0) : mb.toFixed(1)} MB`;
}
