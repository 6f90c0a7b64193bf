import type { DashboardFrame, DashboardStats, DashboardThreshold } from '../dashboard-page-data.js';
import { formatCount, formatMs, formatPercent, formatRate } from '../format.js';

/**
 * The dashboard's text: figures, progress, verdict, tables. Every string reaches the page as `textContent`
 * of elements made here; nothing is parsed as markup.
 */

/** The progress line, the verdict (final frame only) and the key figures. */
export function showFigures(frame: DashboardFrame): void {
  showProgress(frame);
  showVerdict(frame);
  const { total, generator } = frame;
  const live = frame.kind === 'live';
  const lastRate = frame.series.requestsPerSec[frame.series.requestsPerSec.length - 1];
  setText('figure-requests', formatCount(total.requests));
  setText('note-requests', live && frame.inFlight !== undefined ? `${formatCount(frame.inFlight)} in flight` : 'in the results file');
  setText('figure-throughput', formatRate(total.requestsPerSec));
  setText('note-throughput', live && lastRate !== undefined ? `mean; last interval ${formatRate(lastRate)} req/s` : 'mean');
  setText('figure-failures', formatCount(total.failures));
  setText('note-failures', total.requests === 0 ? 'no requests yet' : `${formatPercent(total.failures / total.requests)} of requests`);
  document.getElementById('card-failures')?.classList.toggle('bad', total.failures > 0);
  const users = live ? frame.activeUsers : Math.max(0, ...frame.series.activeUsers);
  setText('figure-users', users === undefined ? '–' : formatCount(users));
  setText('note-users', live ? 'active now' : 'most active at once');
  setText('figure-p50', latency(total.p50Ms));
  setText('note-p50', live ? 'since the start' : 'whole run');
  setText('figure-p95', latency(total.p95Ms));
  setText('figure-p99', latency(total.p99Ms));
  setText('note-p99', total.maxMs === null ? '' : `max ${formatMs(total.maxMs)} ms`);
  setText('figure-cpu', generator.cpuPercent.toFixed(0));
  setText('note-cpu', live ? 'of one core, last second' : 'of one core, whole run');
}

/** The thresholds, the requests and the failures by category, as table rows; the load generator's health. */
export function showTables(frame: DashboardFrame): void {
  const live = frame.kind === 'live';
  fillTable(
    'thresholds',
    frame.thresholds.map((threshold) => thresholdRow(threshold, live)),
    'No thresholds: the run passes whatever its figures (sla: false).',
    3,
  );
  const requests = frame.requests.map((stats) => requestRow(stats));
  if (frame.requests.length > 1) requests.push(requestRow(frame.total, 'total'));
  fillTable('requests', requests, 'No request has ended yet.', 8);
  const total = frame.total.requests;
  fillTable(
    'errors',
    frame.failuresByKind.map(({ kind, count }) =>
      row([cell(kindLabel(kind), 'name bad'), cell(formatCount(count)), cell(total === 0 ? '–' : formatPercent(count / total))]),
    ),
    'No request failed.',
    3,
  );
  showGenerator(frame);
}

function showProgress(frame: DashboardFrame): void {
  const progress = document.getElementById('progress');
  progress?.setAttribute('data-phase', frame.kind === 'final' ? 'final' : frame.phase);
  const elapsedS = frame.elapsedMs / 1000;
  const plannedS = frame.plannedDurationMs / 1000;
  if (frame.kind === 'final') {
    setText('phase', 'the run is over: the figures of its results file');
    setText('elapsed', `${elapsedS.toFixed(1)} s measured`);
  } else {
    setText(
      'phase',
      frame.phase === 'warmup'
        ? 'warm-up: not measured, its figures are left out of the results'
        : frame.stopping
          ? 'the load has stopped: the requests in flight are finishing'
          : 'measured phase',
    );
    setText('elapsed', plannedS > 0 ? `${elapsedS.toFixed(0)} s of ${plannedS.toFixed(0)} s` : `${elapsedS.toFixed(0)} s`);
  }
  const fraction = frame.kind === 'final' || plannedS <= 0 ? 1 : Math.min(1, elapsedS / plannedS);
  const bar = document.getElementById('progress-bar');
  if (bar !== null) bar.style.width = `${(fraction * 100).toFixed(1)}%`;
}

function showVerdict(frame: DashboardFrame): void {
  const box = document.getElementById('verdict');
  const verdict = frame.verdict;
  if (box === null || verdict === undefined) return;
  const failed = frame.thresholds.filter((threshold) => threshold.state === 'fail').length;
  const count = frame.thresholds.length;
  box.className = `verdict ${verdict}`;
  box.removeAttribute('hidden');
  setText('verdict-mark', verdict === 'passed' ? '✓' : verdict === 'failed' ? '✗' : '!');
  setText('verdict-title', verdict === 'passed' ? 'Passed' : verdict === 'failed' ? 'Failed' : 'Interrupted: partial results');
  setText(
    'verdict-detail',
    count === 0
      ? 'No thresholds were set.'
      : failed === 0
        ? `${count} of ${count} thresholds met.`
        : `${failed} of ${count} thresholds violated.`,
  );
}

function showGenerator(frame: DashboardFrame): void {
  const { generator } = frame;
  const live = frame.kind === 'live';
  const threads = generator.workers > 1 ? `, ${generator.workers} worker threads` : '';
  setText('generator-cpu', `${generator.cpuPercent.toFixed(1)}% of one core (the whole process${threads})`);
  setText('generator-loop', `${generator.busyPercent.toFixed(1)}% busy (${live ? 'main thread, last second' : 'busiest thread'})`);
  setText('generator-delay', `p99 ${formatMs(generator.eventLoopDelayP99Ms)} ms, max ${formatMs(generator.eventLoopDelayMaxMs)} ms`);
  setText(
    'generator-verdict',
    live
      ? 'judged at the end of the run'
      : generator.saturated === true
        ? `saturated: ${generator.reason ?? 'the figures may show loadseed’s limits'}`
        : 'not saturated: the figures are the target’s',
  );
}

function thresholdRow(threshold: DashboardThreshold, live: boolean): HTMLTableRowElement {
  const result =
    threshold.state === 'pending'
      ? cell('… pending', 'pending')
      : threshold.state === 'pass'
        ? cell(live ? '✓ passing' : '✓ pass', 'pass')
        : cell(live ? '✗ failing' : '✗ fail', 'fail');
  return row([cell(threshold.name, 'key'), cell(threshold.description === '' ? '–' : threshold.description, 'text'), result]);
}

function requestRow(stats: DashboardStats, className?: string): HTMLTableRowElement {
  const errors =
    stats.failures === 0
      ? '0'
      : `${formatCount(stats.failures)} (${formatPercent(stats.requests === 0 ? 0 : stats.failures / stats.requests)})`;
  return row(
    [
      cell(stats.name, 'name'),
      cell(formatCount(stats.requests)),
      cell(formatRate(stats.requestsPerSec)),
      cell(latency(stats.p50Ms)),
      cell(latency(stats.p95Ms)),
      cell(latency(stats.p99Ms)),
      cell(latency(stats.maxMs)),
      cell(errors, stats.failures > 0 ? 'bad' : undefined),
    ],
    className,
  );
}

/** `connection_refused` → `connection refused`; `status` → `unexpected status`. */
function kindLabel(kind: string): string {
  return kind === 'status' ? 'unexpected status' : kind.replace(/_/g, ' ');
}

function latency(valueMs: number | null): string {
  return valueMs === null ? '–' : formatMs(valueMs);
}

/** Replaces the rows of the table in section `id`; one row saying `empty` when there are none. */
function fillTable(id: string, rows: HTMLTableRowElement[], empty: string, columns: number): void {
  const body = document.querySelector(`#${id} tbody`);
  if (body === null) return;
  if (rows.length === 0) {
    const only = cell(empty, 'text');
    only.colSpan = columns;
    rows.push(row([only]));
  }
  body.replaceChildren(...rows);
}

function row(cells: readonly HTMLTableCellElement[], className?: string): HTMLTableRowElement {
  const tr = document.createElement('tr');
  if (className !== undefined) tr.className = className;
  tr.append(...cells);
  return tr;
}

function cell(text: string, className?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (className !== undefined) td.className = className;
  return td;
}

function setText(id: string, text: string): void {
  const element = document.getElementById(id);
  if (element !== null && element.textContent !== text) element.textContent = text;
}
