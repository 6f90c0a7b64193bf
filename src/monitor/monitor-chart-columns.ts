import type { MonitorResults } from './monitor-results.js';

/** One source as the HTML report's chart draws it: columns of numbers, one entry per point. */
export interface MonitorChartColumns {
  readonly name: string;
  /** Seconds from the measured phase's t=0 (the time axis of the other over-time charts). */
  readonly offsetS: readonly number[];
  /** % of one core; null: no figure (a gap in the line). */
  readonly cpuPercent: readonly (number | null)[];
  /** Megabytes (10^6 bytes), to 0.1. */
  readonly memoryMb: readonly (number | null)[];
}

/** The sources that have points, as chart columns (sources without any are left out: their warnings say why). */
export function monitorChartColumns(monitor: MonitorResults): MonitorChartColumns[] {
  return monitor
    .filter((source) => source.points.length > 0)
    .map((source) => ({
      name: source.name,
      offsetS: source.points.map((point) => Math.round(point.offsetMs) / 1000),
      cpuPercent: source.points.map((point) => point.cpuPercent),
      memoryMb: source.points.map((point) => (point.memoryBytes === null ? null : Math.round(point.memoryBytes / 100_000) / 10)),
    }));
}
