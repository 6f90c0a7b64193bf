import type { ChalkInstance } from 'chalk';
import { TIMING_PHASES } from '../metrics/request-timings.js';
import type { StatsDocument } from '../results/results-document.js';
import { formatCount, formatMs } from './format.js';

/**
 * The timing phases in the console summary: one compact line for the whole run by default, or (`--breakdown`)
 * a table per request name. Phases never measured (no new connection, no lookup, a file from before timings)
 * are left out; nothing at all when none was.
 */

/** `timing p95  dns 1.20 ms (4 conn.) · connect 0.31 ms (4 conn.) · ttfb 50.8 ms · download 0.12 ms` */
export function timingLine(total: StatsDocument, c: ChalkInstance): string[] {
  const timings = total.timings;
  if (timings === undefined) return [];
  const parts = TIMING_PHASES.filter((phase) => timings[phase].count > 0).map((phase) => {
    const timing = timings[phase];
    const connections = phase === 'ttfb' || phase === 'download' ? '' : c.dim(` (${formatCount(timing.count)} conn.)`);
    return `${phase} ${formatMs(timing.p95)} ms${connections}`;
  });
  return parts.length === 0 ? [] : ['', `${c.dim('timing p95')}  ${parts.join(c.dim(' · '))}`];
}

/** The columns of `timingRows`' cells, after the phase. */
export const TIMING_COLUMNS = ['count', 'mean ms', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'] as const;

/** One request name's (or the total's) measured phases: the phase, then `TIMING_COLUMNS`' cells. Empty when none was measured. */
export function timingRows(stats: StatsDocument): { readonly phase: string; readonly cells: readonly string[] }[] {
  const timings = stats.timings;
  if (timings === undefined) return [];
  return TIMING_PHASES.filter((phase) => timings[phase].count > 0).map((phase) => {
    const timing = timings[phase];
    return {
      phase,
      cells: [
        formatCount(timing.count),
        formatMs(timing.mean),
        formatMs(timing.p50),
        formatMs(timing.p95),
        formatMs(timing.p99),
        formatMs(timing.max),
      ],
    };
  });
}

/** Per request name (and the total when there are several): each measured phase's count, mean, p50, p95, p99, max. */
export function timingTable(requests: readonly StatsDocument[], total: StatsDocument, c: ChalkInstance): string[] {
  const header = ['request', 'phase', ...TIMING_COLUMNS];
  const rows = (requests.length > 1 ? [...requests, total] : requests).flatMap((stats) =>
    timingRows(stats).map((row) => [stats.name, row.phase, ...row.cells]),
  );
  if (rows.length === 0) return [];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((cells) => (cells[column] ?? '').length)));
  const format = (cells: readonly string[]): string =>
    cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  return [
    '',
    c.bold('timing breakdown') + c.dim('  (dns, connect, tls: once per new connection)'),
    c.dim(format(header)),
    ...rows.map(format),
  ];
}
