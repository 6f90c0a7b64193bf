import type { RunProgress } from '../engine/run-result.js';
import type { Recorder } from '../metrics/recorder.js';
import { seriesPointDocument } from '../results/results-document.js';
import type { ResultsDocument } from '../results/results-document.js';

/** One interval as the results file writes it. */
export type SeriesPointDocument = ResultsDocument['series'][number];

/** The series so far: every interval begun, and how many of them are complete. */
export interface SeriesSoFar {
  /** Every interval begun (the failures by kind add up to the failures counted over these). */
  readonly all: readonly SeriesPointDocument[];
  /** The first `completeCount` of `all` have ended: the charts show those, not the one still running. */
  readonly completeCount: number;
  readonly completeMs: number;
}

/**
 * Intervals ending this many intervals before now no longer change: nothing ends in them any more, and a worker
 * thread's figures (reported at most a progress interval late) have caught up with them.
 */
const SETTLING_INTERVALS = 2;

/**
 * The series of the phase running, read a second at a time for the dashboard. Reading an interval computes its
 * percentiles (a walk of its histogram): the settled ones are read once and kept, so that a frame reads only the
 * last few intervals however long the run. Starts over when the phase changes or the series' intervals double.
 */
export class LiveSeries {
  #phase: RunProgress['phase'] | undefined;
  #bucketMs = 0;
  readonly #settled: SeriesPointDocument[] = [];

  read(recorder: Recorder, phase: RunProgress['phase'], elapsedMs: number): SeriesSoFar {
    const bucketMs = recorder.seriesBucketMs;
    if (phase !== this.#phase || bucketMs !== this.#bucketMs) {
      this.#phase = phase;
      this.#bucketMs = bucketMs;
      this.#settled.length = 0;
    }
    const completeCount = Math.max(0, Math.floor(elapsedMs / bucketMs));
    const settledCount = Math.max(0, completeCount - SETTLING_INTERVALS);
    const all: SeriesPointDocument[] = this.#settled.slice(0, settledCount);
    for (let index = all.length; ; index++) {
      const point = recorder.seriesPoint(index);
      if (point === undefined && index >= completeCount) break;
      const document =
        point === undefined ? { ...EMPTY_POINT, startMs: index * bucketMs, durationMs: bucketMs } : seriesPointDocument(point);
      // An interval the recorder has not made yet (nothing ended in it) is not kept: once made, it holds the users.
      if (point !== undefined && index < settledCount && index === this.#settled.length) this.#settled.push(document);
      all.push(document);
    }
    return { all, completeCount, completeMs: completeCount * bucketMs };
  }
}

const EMPTY_POINT: SeriesPointDocument = {
  startMs: 0,
  durationMs: 0,
  requests: 0,
  failures: 0,
  failuresByKind: {},
  arrivals: 0,
  droppedArrivals: 0,
  activeUsers: 0,
  p50Ms: 0,
  p95Ms: 0,
  p99Ms: 0,
};
