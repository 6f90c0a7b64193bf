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
  const context: ProgressContext = { plan: options.plan, thresholds: options.thresholds ?? [] };
  let stopped = false;
  // Thresholds are judged at most once a second (a mean latency walks a whole histogram); the verdict stands between.
  let judged: { readonly phase: RunProgress['phase']; readonly at: number; readonly thresholds: readonly LiveThreshold[] } | undefined;
  const figuresOf = (progress: RunProgress, at: number): ProgressFigures => {
    const recent = judged !== undefined && judged.phase === progress.phase && at - judged.at < THRESHOLD_JUDGING_INTERVAL_MS;
    const figures = progressFigures(progress, context, recent ? judged?.thresholds : undefined);
    if (!recent) judged = { phase: progress.phase, at, thresholds: figures.thresholds };
    return figures;
  };

  switch (mode) {
    case 'quiet':
      return { mode, intervalMs: LINES_UPDATE_INTERVAL_MS, update: () => {}, stop: () => {} };
    case 'tty': {
      const limiter = DrawLimiter.perSecond(TTY_MAX_DRAWS_PER_SECOND);
      let drawn: string | undefined;
      return {
        mode,
        intervalMs: TTY_UPDATE_INTERVAL_MS,
        update: (progress) => {
          const at = now();
          if (stopped || !limiter.tryDraw(at)) return;
          const columns = stream.columns !== undefined && stream.columns > 0 ? stream.columns : DEFAULT_COLUMNS;
          const line = ttyStatusLine(figuresOf(progress, at), columns, colors);
          if (line === drawn) return;
          stream.write(`\r${line}${CLEAR_TO_END}`);
          drawn = line;
        },
        stop: () => {
          if (stopped) return;
          stopped = true;
          if (drawn !== undefined) stream.write(`\r${CLEAR_TO_END}`);
        },
      };
    }
    case 'lines': {
      const limiter = DrawLimiter.every(options.lineIntervalMs ?? DEFAULT_LINE_INTERVAL_MS);
      return {
        mode,
        intervalMs: LINES_UPDATE_INTERVAL_MS,
        update: (progress) => {
          const at = now();
          if (stopped || !limiter.tryDraw(at)) return;
          stream.write(`${logStatusLine(figuresOf(progress, at), colors)}\n`);
        },
        stop: () => {
          stopped = true;
        },
      };
    }
    default:
      return assertNever(mode);
  }
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
