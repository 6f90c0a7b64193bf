import type { ChalkInstance } from 'chalk';
import { assertNever } from '../errors.js';
import { formatCount, formatMs, formatPercent, formatRate } from '../report/format.js';
import type { LiveThreshold } from '../sla/live-thresholds.js';
import type { LoadFigures, ProgressFigures } from './progress-figures.js';
import { printableText } from '../report/printable-text.js';

/** Text as written (colours included) and the columns it takes on screen (colours excluded). */
export interface StatusText {
  readonly text: string;
  readonly width: number;
}

/**
 * One figure of the status line, in ever shorter forms for narrow terminals. `yieldAt[i]` is the priority at
 * which `variants[i]` gives way to `variants[i + 1]` — or, for the last variant, to nothing; a segment with
 * one `yieldAt` fewer than variants is never dropped. Lower priorities give way first.
 */
export interface StatusSegment {
  readonly key: string;
  readonly variants: readonly StatusText[];
  readonly yieldAt: readonly number[];
}

/** A status line in parts: the phase and the time come first (a bar may go between), then the figures. */
export interface StatusParts {
  readonly phase: StatusSegment;
  readonly time: StatusSegment;
  readonly figures: readonly StatusSegment[];
}

/** An unknown figure (before the first interval ends, before the first request). */
const NONE = '–';

/**
 * The order in which figures shorten or go when a terminal is narrow (`StatusSegment.yieldAt`): lowest first.
 * One table, so the trade-offs read at a glance. A figure that is losing a threshold stays almost to the last.
 */
export const YIELD_PRIORITY = {
  noneDropped: 30,
  requestCount: 32,
  barToMinimum: 33,
  thresholdValues: 34,
  measuredWord: 36,
  stage: 40,
  iterationsWord: 50,
  errorsWord: 55,
  rateWords: 60,
  thresholdNames: 62,
  iterations: 65,
  users: 66,
  thresholdsHolding: 67,
  p95: 70,
  errors: 75,
  dropped: 78,
  rate: 82,
  losingFigure: 84,
  inFlight: 85,
  thresholdsLost: 88,
  requestsPerSec: 90,
} as const;
const Y = YIELD_PRIORITY;

/**
 * The figures of one moment as the parts of a status line, coloured with `c`: red for what breaks a
 * threshold, yellow for what deserves a look (errors, dropped arrivals, an arrival rate falling short).
 */
export function statusSegments(figures: ProgressFigures, c: ChalkInstance): StatusParts {
  const anyLost = figures.thresholds.some((live) => live.state === 'lost');
  // The figures shown are the whole run's: red when a whole-run threshold on that very figure is lost.
  const lost = new Set(
    figures.thresholds
      .filter((live) => live.state === 'lost' && live.threshold.request === undefined)
      .map(({ threshold: { metric } }) => (metric.kind === 'percentile-latency' ? `p${metric.percentile}` : metric.kind)),
  );
  const segments: StatusSegment[] = [];
  const add = (key: string, variants: readonly StatusText[], yieldAt: readonly number[]): void => {
    segments.push({ key, variants, yieldAt });
  };

  if (figures.stage !== undefined) add('stage', [plain(figures.stage)], [Y.stage]);
  if (figures.iterations !== undefined) {
    const { done, budget } = figures.iterations;
    const count = `${formatCount(done)}/${formatCount(budget)}`;
    add('iterations', [plain(`${count} iterations`), plain(`${count} it.`)], [Y.iterationsWord, Y.iterations]);
  }
  addLoad(figures.load, figures.stopping, c, add);
  add('requests', [plain(`${formatCount(figures.requests)} requests`)], [Y.requestCount]);
  add('rps', [plain(`${figures.requestsPerSec === undefined ? NONE : formatRate(figures.requestsPerSec)} req/s`)], [Y.requestsPerSec]);
  const p95 = figures.p95Ms === undefined ? NONE : `${formatMs(figures.p95Ms)} ms`;
  const p95Lost = lost.has('p95');
  add('p95', [styled(`p95 ${p95}`, p95Lost ? c.red : identity)], [p95Lost ? Y.losingFigure : Y.p95]);
  const errors = figures.errorRate === undefined ? NONE : formatPercent(figures.errorRate);
  const errorsLost = lost.has('error-rate');
  const errorStyle = errorsLost ? c.red : (figures.errorRate ?? 0) > 0 ? c.yellow : identity;
  add(
    'errors',
    [styled(`${errors} errors`, errorStyle), styled(`${errors} err`, errorStyle)],
    [Y.errorsWord, errorsLost ? Y.losingFigure : Y.errors],
  );
  if (figures.load.kind === 'open' || figures.droppedArrivals > 0) {
    const dropped = figures.droppedArrivals;
    add(
      'dropped',
      [styled(`${formatCount(dropped)} dropped`, dropped > 0 ? c.yellow : identity)],
      [dropped > 0 ? Y.dropped : Y.noneDropped],
    );
  }
  if (figures.stopping) add('in-flight', [plain(`${formatCount(figures.inFlight)} in flight`)], [Y.inFlight]);
  if (figures.thresholds.length > 0) {
    // Once one is lost, the last form (`✗ 1/3 thresholds`) never goes; while all hold, it may, before p95.
    const yieldAt = anyLost
      ? [Y.thresholdValues, Y.thresholdNames, Y.thresholdsLost]
      : [Y.thresholdValues, Y.thresholdNames, Y.thresholdNames, Y.thresholdsHolding];
    add('thresholds', thresholdVariants(figures.thresholds, c), yieldAt);
  }

  return { phase: phaseSegment(figures, c), time: timeSegment(figures), figures: segments };
}

function phaseSegment(figures: ProgressFigures, c: ChalkInstance): StatusSegment {
  if (figures.stopping) return { key: 'phase', variants: [styled('finishing', c.yellow)], yieldAt: [] };
  switch (figures.phase) {
    case 'warmup':
      return { key: 'phase', variants: [styled('warm-up', c.cyan)], yieldAt: [] };
    case 'measured':
      // The usual phase: the word can go early (warm-up and finishing stay, they are the exceptions).
      return { key: 'phase', variants: [plain('measured')], yieldAt: [Y.measuredWord] };
    default:
      return assertNever(figures.phase);
  }
}

function timeSegment(figures: ProgressFigures): StatusSegment {
  return { key: 'time', variants: [plain(`${clock(figures.elapsedMs)}/${clock(figures.plannedDurationMs)}`)], yieldAt: [] };
}

function addLoad(
  load: LoadFigures,
  stopping: boolean,
  c: ChalkInstance,
  add: (key: string, variants: readonly StatusText[], yieldAt: readonly number[]) => void,
): void {
  switch (load.kind) {
    case 'closed':
      add('users', [plain(`${formatCount(load.activeUsers)} user${load.activeUsers === 1 ? '' : 's'}`)], [Y.users]);
      return;
    case 'open': {
      // Targets are mostly whole numbers as written in the scenario: `50/s`, not `50.0/s`.
      const target = formatRate(load.targetRatePerSec).replace(/\.0$/, '');
      const achieved = load.achievedRatePerSec;
      if (achieved === undefined) {
        add('rate', [plain(`target ${target}/s`)], [Y.rate]);
        return;
      }
      // Short of 95% of what that same interval asked for: loadseed could not keep up, or users ran out.
      const expected = load.intervalTargetRatePerSec ?? load.targetRatePerSec;
      const style = !stopping && expected > 0 && achieved < 0.95 * expected ? c.yellow : identity;
      const achievedText = formatRate(achieved);
      add(
        'rate',
        [
          join([plain(`target ${target}/s · achieved `), styled(`${achievedText}/s`, style)]),
          join([styled(achievedText, style), plain(` of ${target}/s`)]),
        ],
        [Y.rateWords, Y.rate],
      );
      return;
    }
    default:
      assertNever(load);
  }
}

/**
 * All thresholds, the lost ones with their measured value; then names only; then only the lost ones (or how
 * many hold); then a count.
 */
function thresholdVariants(thresholds: readonly LiveThreshold[], c: ChalkInstance): StatusText[] {
  const mark = (live: LiveThreshold, detailed: boolean): StatusText => {
    switch (live.state) {
      case 'passing':
        return styled(`✓ ${live.label}`, c.green);
      case 'pending':
        return styled(`… ${live.label}`, c.dim);
      case 'lost':
        return styled(`✗ ${detailed ? (live.description ?? live.label) : live.label}`, c.red);
      default:
        return assertNever(live.state);
    }
  };
  const total = thresholds.length;
  const lost = thresholds.filter((live) => live.state === 'lost');
  const passing = thresholds.filter((live) => live.state === 'passing').length;
  const count =
    lost.length > 0
      ? styled(`✗ ${lost.length}/${total} thresholds`, c.red)
      : passing > 0
        ? styled(`✓ ${passing}/${total} thresholds`, c.green)
        : styled(`… ${total} threshold${total === 1 ? '' : 's'}`, c.dim);
  return [
    join(
      thresholds.map((live) => mark(live, true)),
      ' ',
    ),
    join(
      thresholds.map((live) => mark(live, false)),
      ' ',
    ),
    lost.length > 0
      ? join(
          lost.map((live) => mark(live, false)),
          ' ',
        )
      : count,
    count,
  ];
}

/** `0:42`, `12:05`, `1:02:03`. */
function clock(durationMs: number): string {
  const seconds = Math.max(0, Math.floor(durationMs / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

function identity(text: string): string {
  return text;
}

function plain(text: string): StatusText {
  const safe = printableText(text);
  return { text: safe, width: widthOf(safe) };
}

function styled(text: string, style: (text: string) => string): StatusText {
  const safe = printableText(text);
  return { text: style(safe), width: widthOf(safe) };
}

function join(parts: readonly StatusText[], separator = ''): StatusText {
  const separatorWidth = widthOf(separator);
  return {
    text: parts.map((part) => part.text).join(separator),
    width: parts.reduce((sum, part) => sum + part.width, 0) + separatorWidth * Math.max(0, parts.length - 1),
  };
}

/** Columns `text` takes (no escapes in it): one per code point, two for East Asian wide ones and emoji. */
function widthOf(text: string): number {
  let width = 0;
  for (const char of text) width += isWide(char.codePointAt(0) ?? 0) ? 2 : 1;
  return width;
}

function isWide(codePoint: number): boolean {
  return (
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0xa4cf) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x1f300 && codePoint <= 0x1faff) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd)
  );
}
