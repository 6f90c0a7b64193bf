import type UPlot from 'uplot';
import type { FailureKind } from '../../metrics/error-category.js';
import type { ReportPageData } from '../report-page-data.js';
import type { ChartBoard } from './chart-board.js';
import { COLORS, alpha, axis, line, steppedPaths } from './chart-style.js';
import { ticks, valueIn } from './legend-text.js';
import { latencyY, zeroBased } from './scales.js';
import { TIME_SYNC } from './time-axis.js';
import type { TimeAxis } from './time-axis.js';

/** One colour per failure kind, the same in every report. */
const KIND_COLORS: Readonly<Record<string, string>> = {
  connection_refused: '#b42318',
  connection_reset: '#dc6803',
  timeout: '#7a2e0e',
  dns: '#6941c6',
  tls: '#c11574',
  protocol: '#0e7090',
  aborted: '#667085',
  other: '#475467',
  check: '#ca8504',
  script: '#4e5ba6',
  status: '#d92d20',
} satisfies Record<FailureKind, string>;

const perSecond = valueIn(' /s');
const msValue = valueIn(' ms');

/** The right-hand axis of the first chart, left blank on the others, so that the plots line up. */
function blankRight(): UPlot.Axis {
  return axis({
    side: 1,
    size: 52,
    label: ' ',
    grid: { show: false },
    ticks: { show: false },
    values: (_plot, splits) => splits.map(() => ''),
  });
}

/**
 * Throughput and active users. Open model: the arrival rate asked for (dashed, drawn on top: uPlot draws the
 * first series last) and the one achieved (arrivals that found a free user), beside the requests that ended per
 * second.
 */
export function drawThroughput(board: ChartBoard, series: ReportPageData['series'], time: TimeAxis): void {
  const stepped = steppedPaths(board.uplot, 1);
  const lines: UPlot.Series[] = [time.intervalSeries()];
  const columns: number[][] = [];
  if (series.arrivals) {
    lines.push(line('target rate', COLORS.target, { scale: 'rps', paths: stepped, dash: [6, 4], width: 2, value: perSecond }));
    columns.push(time.closed(series.arrivals.targetPerSec));
  }
  lines.push(
    line('requests/s', COLORS.throughput, { scale: 'rps', paths: stepped, fill: alpha(COLORS.throughput, 0.08), value: valueIn(' req/s') }),
  );
  columns.push(time.closed(series.requestsPerSec));
  if (series.arrivals) {
    lines.push(line('achieved rate', COLORS.achieved, { scale: 'rps', paths: stepped, width: 1.5, value: perSecond }));
    columns.push(time.closed(series.arrivals.achievedPerSec));
  }
  lines.push(line('active users', COLORS.users, { scale: 'users', paths: stepped, dash: [4, 4], width: 1.5, value: valueIn(' users') }));
  columns.push(time.closed(series.activeUsers));
  board.draw(
    'chart-throughput',
    220,
    {
      scales: { x: time.scale(), rps: { range: zeroBased }, users: { range: zeroBased } },
      axes: [
        time.axis(),
        axis({ scale: 'rps', label: 'req/s', size: 60, values: ticks }),
        axis({ scale: 'users', label: 'users', side: 1, size: 52, grid: { show: false }, values: ticks }),
      ],
      series: lines,
      cursor: { sync: TIME_SYNC, drag: { x: true, y: false } },
    },
    [time.times, ...columns],
  );
}

/** p50, p95 and p99 per interval. */
export function drawLatencyOverTime(board: ChartBoard, series: ReportPageData['series'], time: TimeAxis): void {
  const stepped = steppedPaths(board.uplot, 1);
  const overTime = latencyY([time.closed(series.p50Ms), time.closed(series.p95Ms), time.closed(series.p99Ms)]);
  board.draw(
    'chart-latency',
    220,
    {
      scales: { x: time.scale(), y: overTime.log ? overTime.scale : { range: zeroBased } },
      axes: [time.axis(), axis({ label: overTime.label, size: 60, values: ticks, splits: overTime.splits }), blankRight()],
      series: [
        time.intervalSeries(),
        line('p50', COLORS.p50, { paths: stepped, value: msValue }),
        line('p95', COLORS.p95, { paths: stepped, value: msValue }),
        line('p99', COLORS.p99, { paths: stepped, value: msValue }),
      ],
      cursor: { sync: TIME_SYNC, drag: { x: true, y: false } },
    },
    [time.times, ...overTime.curves],
  );
}

/** Failures by kind (an error category, or an unexpected status), each its own line; one line when none failed. */
export function drawFailures(board: ChartBoard, series: ReportPageData['series'], time: TimeAxis, colors: readonly string[]): void {
  const stepped = steppedPaths(board.uplot, 1);
  const lines: UPlot.Series[] = [time.intervalSeries()];
  const columns: number[][] = [];
  if (series.failuresByKind.length === 0) {
    lines.push(line('failures/s', COLORS.failures, { paths: stepped, fill: alpha(COLORS.failures, 0.1), value: perSecond }));
    columns.push(time.closed(series.failuresPerSec));
  }
  series.failuresByKind.forEach((entry, index) => {
    const color = KIND_COLORS[entry.kind] ?? colors[index % colors.length] ?? COLORS.failures;
    lines.push(
      line(entry.kind === 'status' ? 'unexpected status' : entry.kind.replace(/_/g, ' '), color, { paths: stepped, value: perSecond }),
    );
    columns.push(time.closed(entry.perSec));
  });
  if (series.anyDropped) {
    lines.push(line('dropped arrivals/s', COLORS.dropped, { paths: stepped, dash: [5, 4], value: perSecond }));
    columns.push(time.closed(series.droppedPerSec));
  }
  const anyErrors = series.anyDropped || series.failuresPerSec.some((value) => value > 0);
  board.draw(
    'chart-errors',
    anyErrors ? 180 : 120,
    {
      scales: { x: time.scale(), y: { range: zeroBased } },
      axes: [time.axis(), axis({ label: 'per second', size: 60, values: ticks }), blankRight()],
      series: lines,
      cursor: { sync: TIME_SYNC, drag: { x: true, y: false } },
    },
    [time.times, ...columns],
  );
}
