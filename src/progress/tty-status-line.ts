import type { ChalkInstance } from 'chalk';
import cliProgress from 'cli-progress';
import type { ProgressFigures } from './progress-figures.js';
import { statusSegments, YIELD_PRIORITY } from './status-segments.js';
import type { StatusSegment } from './status-segments.js';

const BAR_MIN_WIDTH = 10;
const BAR_MAX_WIDTH = 30;
const SEPARATOR = ' · ';
const { barCompleteChar, barIncompleteChar } = cliProgress.Presets.shades_classic;

/**
 * The terminal's status line: phase, a progress bar, elapsed/planned time, then the live figures — all within
 * `columns - 1` (so the terminal never wraps it, and `\r` can redraw it in place). The bar takes a sixth of
 * the width (10 to 30 columns), or 10 when that is short, never what happens to be left: it does not jump
 * as the figures change length. When the width runs short the least useful figures shorten or go first
 * (`StatusSegment.yieldAt`); the bar goes last; a terminal too narrow even for that gets the line cut with `…`.
 */
export function ttyStatusLine(figures: ProgressFigures, columns: number, c: ChalkInstance): string {
  const maxWidth = Math.max(1, columns - 1);
  const parts = statusSegments(figures, c);
  const slots: Slot[] = [parts.phase, parts.time, ...parts.figures].map((segment) => ({ segment, variant: 0 }));
  const [phase, time, ...rest] = slots as [Slot, Slot, ...Slot[]];
  let barWidth = Math.min(BAR_MAX_WIDTH, Math.max(BAR_MIN_WIDTH, Math.floor(columns / 6)));

  const textWidth = (): number =>
    (isShown(phase) ? widthOf(phase) + 1 : 0) +
    widthOf(time) +
    rest.filter(isShown).reduce((sum, slot) => sum + SEPARATOR.length + widthOf(slot), 0);
  const lineWidth = (): number => textWidth() + (barWidth > 0 ? barWidth + 1 : 0);

  // Give way in priority order until the line fits.
  const steps = [
    ...slots.flatMap((slot) => slot.segment.yieldAt.map((priority) => ({ priority, apply: () => (slot.variant += 1) }))),
    { priority: YIELD_PRIORITY.barToMinimum, apply: () => (barWidth = BAR_MIN_WIDTH) },
    { priority: Number.POSITIVE_INFINITY, apply: () => (barWidth = 0) },
  ].sort((a, b) => a.priority - b.priority);
  for (const step of steps) {
    if (lineWidth() <= maxWidth) break;
    step.apply();
  }

  const head = [isShown(phase) ? textOf(phase) : undefined, barWidth > 0 ? drawBar(figures, barWidth, c) : undefined, textOf(time)]
    .filter((text) => text !== undefined)
    .join(' ');
  const line = [head, ...rest.filter(isShown).map(textOf)].join(c.dim(SEPARATOR));
  return lineWidth() > maxWidth ? truncate(line, maxWidth) : line;
}

interface Slot {
  readonly segment: StatusSegment;
  /** Index into `segment.variants`; past the end, the segment is not shown. */
  variant: number;
}

function isShown(slot: Slot): boolean {
  return slot.variant < slot.segment.variants.length;
}

function widthOf(slot: Slot): number {
  return slot.segment.variants[slot.variant]?.width ?? 0;
}

function textOf(slot: Slot): string {
  return slot.segment.variants[slot.variant]?.text ?? '';
}

/** cli-progress's bar: green while every threshold holds, red once one is lost; cyan in warm-up, yellow when finishing. */
function drawBar(figures: ProgressFigures, width: number, c: ChalkInstance): string {
  const bar = cliProgress.Format.BarFormat(figures.fraction, {
    barsize: width,
    barCompleteString: barCompleteChar.repeat(width + 1),
    barIncompleteString: barIncompleteChar.repeat(width + 1),
    barGlue: '',
  });
  const lost = figures.thresholds.some((live) => live.state === 'lost');
  const color = figures.stopping ? c.yellow : figures.phase === 'warmup' ? c.cyan : lost ? c.red : c.green;
  const done = bar.split(barIncompleteChar, 1)[0] ?? '';
  return color(done) + c.dim(bar.slice(done.length));
}

// eslint-disable-next-line no-control-regex -- an SGR escape sequence starts with ESC
const ESCAPE = /\x1b\[[0-9;]*m/y;

/** Cuts a coloured line to `maxWidth` columns, the last one `…`, keeping escapes whole and resetting after. */
function truncate(line: string, maxWidth: number): string {
  let out = '';
  let width = 0;
  let styled = false;
  let index = 0;
  while (index < line.length) {
    ESCAPE.lastIndex = index;
    const escape = ESCAPE.exec(line);
    if (escape !== null) {
      out += escape[0];
      styled = true;
      index += escape[0].length;
      continue;
    }
    const char = String.fromCodePoint(line.codePointAt(index) ?? 0);
    if (width + 1 >= maxWidth) {
      out += '…';
      break;
    }
    out += char;
    width += 1;
    index += char.length;
  }
  return styled ? `${out}\x1b[0m` : out;
}
