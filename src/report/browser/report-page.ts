import type { ReportPageData } from '../report-page-data.js';
import { ChartBoard } from './chart-board.js';
import { drawHistogram, drawSpectra } from './distribution-charts.js';
import { drawFindLimit } from './find-limit-chart.js';
import { inlinedUPlot } from './inlined-uplot.js';
import { drawMonitor } from './monitor-chart.js';
import { drawFailures, drawLatencyOverTime, drawThroughput } from './over-time-charts.js';
import { TimeAxis } from './time-axis.js';

/**
 * The HTML report's script (bundled into one IIFE at build time, inlined by `html-report.ts`): draws the charts
 * from the JSON block #report-data with uPlot. Text reaches the page through uPlot's legend (textContent);
 * nothing here builds markup from strings. When done it sets `data-charts` on <html> to the number drawn.
 */
function drawReportCharts(): void {
  const source = document.getElementById('report-data');
  const uplot = inlinedUPlot();
  if (source === null || uplot === undefined) return;
  const data = JSON.parse(source.textContent ?? '') as ReportPageData;
  const board = new ChartBoard(uplot);

  if (data.distribution) drawHistogram(board, data.distribution);
  if (data.spectrum) drawSpectra(board, data.spectrum, data.colors);
  const series = data.series;
  if (series.startS.length > 0) {
    const time = new TimeAxis(series);
    drawThroughput(board, series, time);
    drawLatencyOverTime(board, series, time);
    drawFailures(board, series, time, data.colors);
    if (data.monitor) drawMonitor(board, data.monitor, time, data.colors);
  }
  if (data.findLimit) drawFindLimit(board, data.findLimit);

  board.followWidths();
  document.documentElement.setAttribute('data-charts', String(board.count));
}

drawReportCharts();
