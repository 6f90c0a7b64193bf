import type UPlot from 'uplot';
import type { ReportPageData } from '../report-page-data.js';
import type { ChartBoard } from './chart-board.js';
import { COLORS, axis, line, steppedPaths } from './chart-style.js';
import { ticks, valueIn } from './legend-text.js';
import { zeroBased } from './scales.js';
import { TIME_SYNC } from './time-axis.js';
import type { TimeAxis } from './time-axis.js';

/**
 * uPlot.join's null mode of each column of a source: none for its time column, and 2 (`Expand`) for its CPU and
 * memory, so that a failed sample's gap also spans the instants joined in from the other sources.
 */
const NULL_MODES: UPlot.JoinNullMode[] = [0, 2, 2];

/**
 * Server resources (`monitor`): each source's CPU (left axis; a sample is the mean over the interval that ends at
 * it, so the step comes before it) and memory (right axis, dashed) in the source's colour. Sources are sampled at
 * instants of their own: uPlot.join puts them on one time column, bridging the others' instants; a failed sample
 * (null) stays a gap.
 */
export function drawMonitor(
  board: ChartBoard,
  monitor: NonNullable<ReportPageData['monitor']>,
  time: TimeAxis,
  colors: readonly string[],
): void {
  if (monitor.length === 0) return;
  const stepBefore = steppedPaths(board.uplot, -1);
  const lines: UPlot.Series[] = [{ label: 'time', value: (_plot, value) => (value == null ? '–' : time.elapsed(value)) }];
  const tables: UPlot.AlignedData[] = [];
  const nullModes: UPlot.JoinNullMode[][] = [];
  monitor.forEach((source, index) => {
    const color = colors[index % colors.length] ?? COLORS.response;
    tables.push([[...source.offsetS], [...source.cpuPercent], [...source.memoryMb]]);
    nullModes.push(NULL_MODES);
    lines.push(line(`${source.name} CPU`, color, { scale: 'cpu', paths: stepBefore, value: valueIn('%') }));
    lines.push(line(`${source.name} memory`, color, { scale: 'mb', dash: [5, 4], width: 1.5, value: valueIn(' MB') }));
  });
  board.draw(
    'chart-monitor',
    220,
    {
      scales: { x: time.scale(), cpu: { range: zeroBased }, mb: { range: zeroBased } },
      axes: [
        time.axis(),
        axis({ scale: 'cpu', label: 'CPU % of one core', size: 60, values: ticks }),
        axis({ scale: 'mb', label: 'memory MB', side: 1, size: 52, grid: { show: false }, values: ticks }),
      ],
      series: lines,
      cursor: { sync: TIME_SYNC, drag: { x: true, y: false } },
    },
    board.uplot.join(tables, nullModes),
  );
}
