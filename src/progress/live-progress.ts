import { performance } from 'node:perf_hooks';
import type { ChalkInstance } from 'chalk';
import type { RunProgress } from '../engine/run-result.js';
import { assertNever } from '../errors.js';
import type { Plan } from '../plan/build-plan.js';
import type { PlannedThreshold } from '../plan/thresholds.js';
import { DrawLimiter } from './draw-limiter.js';
import { logStatusLine } from './log-status-line.js';
import type { LiveThreshold } from '../sla/live-thresholds.js';
import { progressFigures } from './progress-figures.js';
import type { ProgressContext, ProgressFigures } from './progress-figures.js';
import { ttyStatusLine } from './tty-status-line.js';
import { waitingLine } from './waiting-line.js';

/** `auto`: `tty` when the stream is a terminal, `lines` otherwise. `quiet`: draws nothing. */
export type ProgressMode = 'auto' | 'tty' | 'lines' | 'quiet';

/** Where the display writes (the CLI's stderr); `isTTY` and `columns` as on a `tty.WriteStream`. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface LiveProgressOptions {
  readonly stream: ProgressStream;
  readonly plan: Plan;
  /** Judged live on the measured phase; none by default. */
  readonly thresholds?: readonly PlannedThreshold[];
  /** Colours for `stream`, e.g. `colorsFor(io.stderr, io.env, noColor)`; with colours off, lines hold plain text. */
  readonly colors: ChalkInstance;
  /** Default `auto`. */
  readonly mode?: ProgressMode;
  /** Monotonic clock in ms, for throttling. Default `performance.now`. */
  readonly now?: () => number;
  /** `lines` mode: one line at most this often. Default 5000 ms. */
  readonly lineIntervalMs?: number;
  /** The wall clock in ms since the epoch, for the wait before a start instant. Default `Date.now`. */
  readonly epochNow?: () => number;
}

/** The live display of a run. `update` and `stop` are bound: pass them around as they are. */
export interface LiveProgress {
  /** The mode in effect (`auto` resolved). */
  readonly mode: 'tty' | 'lines' | 'quiet';
  /** How often to call `update` (`RunOptions.progressIntervalMs`): 100 ms in a terminal, 1000 ms otherwise. */
  readonly intervalMs: number;
  /**
   * A moment of the run (`RunOptions.onProgress`). Draws from its recorder's counters and last interval (not
   * a whole `snapshot()`), at most 10 times in any second (`tty`) or once per `lineIntervalMs` (`lines`);
   * calls in between return at once, reading nothing. Thresholds are judged at most once a second. Call it
   * from a timer, never from a response callback. Ignored after `stop`.
   */
  readonly update: (progress: RunProgress) => void;
  /**
   * The wait before the run's start instant (`run --start-at`): "waiting to start at 12:00:00Z (in 12.3 s)",
   * throttled like `update`. Call it from a timer until the first phase starts. Ignored after `stop`.
   */
  readonly waiting: (startAtEpochMs: number) => void;
  /** Ends the display: clears the bar (`tty`), so what follows starts on a clean line. Idempotent. */
  readonly stop: () => void;
}

export const DEFAULT_LINE_INTERVAL_MS = 5_000;
const TTY_MAX_DRAWS_PER_SECOND = 10;
const TTY_UPDATE_INTERVAL_MS = 100;
const LINES_UPDATE_INTERVAL_MS = 1_000;
const DEFAULT_COLUMNS = 80;
const THRESHOLD_JUDGING_INTERVAL_MS = 1_000;
/** Erase from the cursor to the end of the line (CSI K): after `\r` and the new text, the old text is gone. */
const CLEAR_TO_END = '\x1b[K';

/**
 * The live progress of a run, for people: in a terminal a bar with live figures redrawn in place; in logs a
 * plain status line every few seconds; in quiet mode nothing. It reads only what `update` hands it.
 */
export function createLiveProgress(options: LiveProgressOptions): LiveProgress {
  const { stream, colors } = options;
  const mode = resolveMode(options.mode ?? 'auto', stream);
  const now = options.now ?? (() => performance.now());
  const epochNow = options.epochNow ?? Date.now;
  const context: ProgressContext = { plan: options.plan, thresholds: options.thresholds ?? [] };
  // Thresholds are judged at most once a second (a mean latency walks a whole histogram); the verdict stands between.
  let judged: { readonly phase: RunProgress['phase']; readonly at: number; readonly thresholds: readonly LiveThreshold[] } | undefined;
  const figuresOf = (progress: RunProgress, at: number): ProgressFigures => {
    const recent = judged !== undefined && judged.phase === progress.phase && at - judged.at < THRESHOLD_JUDGING_INTERVAL_MS;
    const figures = progressFigures(progress, context, recent ? judged?.thresholds : undefined);
    if (!recent) judged = { phase: progress.phase, at, thresholds: figures.thresholds };
    return figures;
  };

  if (mode === 'quiet') return { mode, intervalMs: LINES_UPDATE_INTERVAL_MS, update: () => {}, waiting: () => {}, stop: () => {} };
  const painter = mode === 'tty' ? ttyPainter(stream, colors) : linesPainter(stream, colors, options.lineIntervalMs);
  let stopped = false;
  return {
    mode,
    intervalMs: painter.intervalMs,
    update: (progress) => {
      const at = now();
      if (stopped || !painter.limiter.tryDraw(at)) return;
      painter.paint(painter.statusLine(figuresOf(progress, at)));
    },
    waiting: (startAtEpochMs) => {
      if (stopped || !painter.limiter.tryDraw(now())) return;
      painter.paint(waitingLine(startAtEpochMs, epochNow(), colors));
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      painter.clear();
    },
  };
}

/** How a mode puts a status line on the stream, and how often. */
interface Painter {
  readonly intervalMs: number;
  readonly limiter: DrawLimiter;
  readonly statusLine: (figures: ProgressFigures) => string;
  readonly paint: (line: string) => void;
  /** What is left drawn, taken away (the terminal's bar). */
  readonly clear: () => void;
}

/** A terminal: one line redrawn in place (unless unchanged), at most 10 times a second, cleared at the end. */
function ttyPainter(stream: ProgressStream, colors: ChalkInstance): Painter {
  let drawn: string | undefined;
  return {
    intervalMs: TTY_UPDATE_INTERVAL_MS,
    limiter: DrawLimiter.perSecond(TTY_MAX_DRAWS_PER_SECOND),
    statusLine: (figures) =>
      ttyStatusLine(figures, stream.columns !== undefined && stream.columns > 0 ? stream.columns : DEFAULT_COLUMNS, colors),
    paint: (line) => {
      if (line === drawn) return;
      stream.write(`\r${line}${CLEAR_TO_END}`);
      drawn = line;
    },
    clear: () => {
      if (drawn !== undefined) stream.write(`\r${CLEAR_TO_END}`);
    },
  };
}

/** Logs: a plain line every `lineIntervalMs` (default 5 s). */
function linesPainter(stream: ProgressStream, colors: ChalkInstance, lineIntervalMs: number | undefined): Painter {
  return {
    intervalMs: LINES_UPDATE_INTERVAL_MS,
    limiter: DrawLimiter.every(lineIntervalMs ?? DEFAULT_LINE_INTERVAL_MS),
    statusLine: (figures) => logStatusLine(figures, colors),
    paint: (line) => stream.write(`${line}\n`),
    clear: () => {},
  };
}

function resolveMode(mode: ProgressMode, stream: ProgressStream): LiveProgress['mode'] {
  switch (mode) {
    case 'auto':
      return stream.isTTY === true ? 'tty' : 'lines';
    case 'tty':
    case 'lines':
    case 'quiet':
      return mode;
    default:
      return assertNever(mode);
  }
}
