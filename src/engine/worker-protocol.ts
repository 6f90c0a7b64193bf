import type { ThreadLoad } from '../metrics/generator-load.js';
import type { EncodedRecorder } from '../metrics/recorder.js';
import type { Plan } from '../plan/build-plan.js';
import type { Segment } from '../plan/segment.js';
import type { PhaseName } from './execute-run.js';

/**
 * The messages between the thread running a plan (`runPlan` with `workers` > 1) and its worker threads, one
 * per plan segment. Per phase: every worker says `ready` once its users are connected; when all are, the main
 * thread sends `start` with one t=0 on the shared clock, a moment ahead, so every segment starts together.
 * `progress` carries a worker's recorder every progress interval; `done` its final recorders (transferred).
 */
export interface WorkerInput {
  /** As structured-cloned: request bodies arrive as Uint8Array. */
  readonly plan: Plan;
  readonly segment: Segment;
  /** What `setup` captured, in the main thread, before the load. */
  readonly setupVariables?: Readonly<Record<string, string>>;
  /** Send progress this often; absent: never. */
  readonly progressIntervalMs?: number;
}

export type ToWorker = { readonly kind: 'start'; readonly phase: PhaseName; readonly originSharedMs: number } | { readonly kind: 'abort' };

export interface WorkerProgress {
  readonly kind: 'progress';
  readonly phase: PhaseName;
  readonly plannedDurationMs: number;
  readonly activeUsers: number;
  readonly inFlight: number;
  readonly stopping: boolean;
  readonly recorder: EncodedRecorder;
}

export interface WorkerOutcome {
  readonly recorder: EncodedRecorder;
  readonly warmupRecorder: EncodedRecorder;
  readonly warmupRan: boolean;
  /** From the shared t=0 of the measured phase to this worker's end. */
  readonly elapsedMs: number;
  /** The end of `elapsedMs` after this worker's load stopped (see RunResult.drainMs). */
  readonly drainMs: number;
  readonly interrupted: boolean;
  readonly dataExhausted?: boolean;
  readonly preconnectedConnections: number;
  /** Absent when the measured phase never began. */
  readonly thread?: ThreadLoad;
}

export type FromWorker =
  { readonly kind: 'ready'; readonly phase: PhaseName } | WorkerProgress | { readonly kind: 'done'; readonly outcome: WorkerOutcome };
