import type { GeneratorLoad } from '../metrics/generator-load.js';
import type { Recorder } from '../metrics/recorder.js';
import type { Segment } from '../plan/segment.js';

/** The two phases of a run: the warm-up (not measured), then the measured profile. */
export type RunPhaseName = 'warmup' | 'measured';

/** A moment of a run, for live display. Read the numbers with `recorder.snapshot()` (cheap at ≤10 Hz). */
export interface RunProgress {
  readonly phase: RunPhaseName;
  /** Since the phase's t=0. */
  readonly elapsedMs: number;
  readonly plannedDurationMs: number;
  readonly activeUsers: number;
  readonly inFlight: number;
  /** The phase reached its end (or was stopped) and is in its grace period. */
  readonly stopping: boolean;
  /** The phase's recorder (the warm-up one during warm-up). */
  readonly recorder: Recorder;
}

export interface RunOptions {
  /** Run only this share of the plan (a shard of a sharded run, `--shard`); default: all of it. */
  readonly shard?: Segment;
  /** Aborting stops the run like reaching its end: nothing new, grace period, then interrupted. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RunProgress) => void;
  /** Default 1000 ms. */
  readonly progressIntervalMs?: number;
  /**
   * Start the measured phase at this instant (ms since the epoch, `run --start-at`), once connected, rather
   * than at once; a warm-up runs right before it (see engine/start-instant.ts). Past already: at once.
   */
  readonly startAtEpochMs?: number;
  /** Called as each phase starts, with its t=0 (ms since the epoch): the end of a wait for `startAtEpochMs`. */
  readonly onPhaseStart?: (phase: RunPhaseName, originEpochMs: number) => void;
}

export interface RunResult {
  /** The measured profile's figures. */
  readonly recorder: Recorder;
  /** The warm-up's figures, kept apart (empty when there was no warm-up). */
  readonly warmupRecorder: Recorder;
  readonly warmupRan: boolean;
  /** Wall clock (labels only) of the measured phase's t=0 and of its end. */
  readonly startedAtEpochMs: number;
  readonly endedAtEpochMs: number;
  /** Measured phase, t=0 to the last request settled (grace period included), on the monotonic clock. */
  readonly elapsedMs: number;
  /**
   * The end of `elapsedMs` after the load stopped (planned end, budget spent, interrupt, abort): nothing new
   * started, the requests in flight finished. 0 when nothing was in flight.
   */
  readonly drainMs: number;
  /** Stopped by the abort signal (SIGINT) rather than by reaching the end of the plan. */
  readonly interrupted: boolean;
  /** Request name per request index, as the recorders know them. */
  readonly requestNames: readonly string[];
  /** Connections opened before t=0, without sending anything, so the first requests were not cold. */
  readonly preconnectedConnections: number;
  /** loadseed's own load during the measured phase (CPU, event loop), and whether it was the bottleneck. */
  readonly generator: GeneratorLoad;
  /** The measured phase ended early because a data file was used up (`unique`, `when_exhausted: stop`). */
  readonly dataExhausted?: boolean;
  /** `setup` requests that failed (before the load, not measured): why, one line each. */
  readonly setupFailures?: readonly string[];
}
