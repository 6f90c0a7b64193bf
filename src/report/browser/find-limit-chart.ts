import type UPlot from 'uplot';
import type { FindLimitChartData } from '../report-page-data.js';
import type { ChartBoard } from './chart-board.js';
import { COLORS, axis, line } from './chart-style.js';
import { ticks, valueIn } from './legend-text.js';
import { latencyScale, latencyY } from './scales.js';

/** A dashed vertical line at a load (rate or users), labelled at its top. */
interface RateMark {
  readonly level: number;
  readonly color: string;
  readonly label: string;
}

const msValue = valueIn(' ms');

/**
 * The breaking point (`loadseed find-limit`): each step's p50/p95/p99 (left axis) and error rate (right axis)
 * against the rate it offered (or the users it held: `--users`); dashed vertical lines at the limit and the knee.
 */
export function drawFindLimit(board: ChartBoard, limit: FindLimitChartData): void {
  const rates = limit.levels;
  const first = rates[0];
  const lastRate = rates[rates.length - 1];
  if (first === undefined || lastRate === undefined) return;
  // Half a step of room on either side, so that the first and last points are not on the frame.
  const rateGap = rates.length > 1 ? (lastRate - first) / (rates.length - 1) : Math.max(first, 1);
  const byRate = latencyY([limit.p50Ms, limit.p95Ms, limit.p99Ms]);
  const maxErrorPercent = Math.max(...limit.errorPercent, 0);
  const marks: RateMark[] = [];
  if (limit.limit != null) {
    marks.push({ level: limit.limit, color: COLORS.achieved, label: limit.knee === limit.limit ? 'limit · knee' : 'limit' });
  }
  if (limit.knee != null && limit.knee !== limit.limit) marks.push({ level: limit.knee, color: COLORS.target, label: 'knee' });
  const pointed = { points: { show: true, size: 6 } };
  board.draw(
    'chart-find-limit',
    280,
    {
      scales: {
        x: { time: false, range: () => [first - rateGap / 2, lastRate + rateGap / 2] },
        y: byRate.log ? byRate.scale : latencyScale(),
        errors: { range: () => [0, maxErrorPercent > 0 ? maxErrorPercent * 1.1 : 1] },
      },
      axes: [
        axis({ label: limit.unit === 'users' ? 'concurrent users' : 'offered load (req/s)', values: ticks }),
        axis({ label: byRate.label, size: 60, values: ticks, splits: byRate.splits }),
        axis({ scale: 'errors', label: 'error rate %', side: 1, size: 52, grid: { show: false }, values: ticks }),
      ],
      series: [
        { label: limit.unit === 'users' ? 'users' : 'rate', value: valueIn(limit.unit === 'users' ? ' users' : ' req/s') },
        line('p50', COLORS.p50, { ...pointed, value: msValue }),
        line('p95', COLORS.p95, { ...pointed, value: msValue }),
        line('p99', COLORS.p99, { ...pointed, value: msValue }),
        line('error rate', COLORS.failures, { ...pointed, scale: 'errors', dash: [5, 4], width: 1.5, value: valueIn('%') }),
      ],
      hooks: { draw: [(plot) => drawMarks(plot, marks)] },
      cursor: { drag: { x: true, y: false } },
    },
    [[...rates], ...byRate.curves, [...limit.errorPercent]],
  );
}

/** Draws the marks on the canvas, in canvas pixels (hence the device pixel ratio). */
function drawMarks(plot: UPlot, marks: readonly RateMark[]): void {
  const ratio = window.devicePixelRatio || 1;
  const ctx = plot.ctx;
  ctx.save();
  ctx.font = `${Math.round(11 * ratio)}px system-ui, sans-serif`;
  ctx.lineWidth = 1.5 * ratio;
  ctx.setLineDash([5 * ratio, 4 * ratio]);
  for (const mark of marks) {
    const x = Math.round(plot.valToPos(mark.level, 'x', true));
    ctx.strokeStyle = mark.color;
    ctx.fillStyle = mark.color;
    ctx.beginPath();
    ctx.moveTo(x, plot.bbox.top);
    ctx.lineTo(x, plot.bbox.top + plot.bbox.height);
    ctx.stroke();
    ctx.fillText(mark.label, x + 4 * ratio, plot.bbox.top + 12 * ratio);
  }
  ctx.restore();
}
