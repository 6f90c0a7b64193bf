import type { MonitoredProcess } from './monitor-results.js';
import type { SampledProcess } from './source-sampler.js';

/**
 * The processes a source sampled during the measured phase, as its points are kept: one replaced by the next
 * before t=0 (`originMs`, during a warm-up) is left out; one sampled since before t=0 is sampled from 0 on.
 * Offsets in whole ms from `originMs`.
 */
export function measuredProcesses(processes: readonly SampledProcess[], originMs: number): MonitoredProcess[] {
  return processes
    .filter((_, index) => (processes[index + 1]?.atMs ?? Number.POSITIVE_INFINITY) > originMs)
    .map(({ pid, commandLine, atMs }) => ({ pid, commandLine, fromOffsetMs: Math.max(0, Math.round(atMs - originMs)) }));
}
