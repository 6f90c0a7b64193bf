import type { DashboardFrame } from '../dashboard-page-data.js';
import { ChartBoard } from './chart-board.js';
import { showFigures, showTables } from './dashboard-view.js';
import { inlinedUPlot } from './inlined-uplot.js';
import { drawFailures, drawLatencyOverTime, drawThroughput } from './over-time-charts.js';
import { TimeAxis } from './time-axis.js';

/**
 * The live dashboard's script (`run --dashboard`; bundled into one IIFE at build time, inlined by
 * `dashboard-html.ts`): reads the run's frames from the Server-Sent Events at `events` — a `frame` every second,
 * one `final` at the end — and shows each: figures and tables as text, the charts over time with the HTML
 * report's own code. `<html>` carries the state (`data-state`: connecting, live, lost, final) and the number of
 * frames shown (`data-frames`) for whoever watches the page.
 */
function startDashboard(): void {
  const uplot = inlinedUPlot();
  const board = uplot === undefined ? undefined : new ChartBoard(uplot);
  const root = document.documentElement;
  let frames = 0;
  let final = false;
  let following = false;
  const show = (frame: DashboardFrame): void => {
    showFigures(frame);
    showTables(frame);
    if (board !== undefined && drawCharts(board, frame) && !following) {
      board.followWidths();
      following = true;
    }
    frames += 1;
    root.setAttribute('data-frames', String(frames));
  };
  const events = new EventSource('events');
  events.addEventListener('frame', (event) => {
    if (final) return;
    show(JSON.parse((event as MessageEvent<string>).data) as DashboardFrame);
    setState('live', 'live');
  });
  events.addEventListener('final', (event) => {
    // The run is over: no reconnecting to a server that is about to stop.
    final = true;
    events.close();
    show(JSON.parse((event as MessageEvent<string>).data) as DashboardFrame);
    document.getElementById('results-link')?.removeAttribute('hidden');
    setState('final', 'run over: final results');
  });
  events.addEventListener('error', () => {
    if (!final) setState('lost', events.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting…');
  });
}

function setState(state: 'live' | 'lost' | 'final', text: string): void {
  document.documentElement.setAttribute('data-state', state);
  const status = document.getElementById('status');
  if (status !== null) status.textContent = text;
}

/**
 * The three charts over time of the HTML report, drawn anew from the frame's series (the first time in place of
 * the placeholder); false while no interval is complete.
 */
function drawCharts(board: ChartBoard, frame: DashboardFrame): boolean {
  const series = frame.series;
  if (series.startS.length === 0) return false;
  document.querySelectorAll('.chart > .empty').forEach((placeholder) => placeholder.remove());
  const time = new TimeAxis(series);
  drawThroughput(board, series, time);
  drawLatencyOverTime(board, series, time);
  // Every failure kind has its colour: no per-request palette is needed.
  drawFailures(board, series, time, []);
  return true;
}

startDashboard();
