import type { Recorder } from '../metrics/recorder.js';
import { percentileUs } from '../metrics/latency-histogram.js';
import type { SeriesWindow } from '../metrics/time-series.js';
import type { LoadProfile } from '../plan/profile.js';
import type { PlannedThreshold } from '../plan/thresholds.js';
import { evaluateThresholds } from './evaluate-thresholds.js';
import type { ThresholdOutcome, ThresholdSubject } from './evaluate-thresholds.js';

/**
 * `loadseed find-limit`: the arrival rate stepped up and held (the `breaking_point` profile), each step judged
 * on its own window of data, the run stopped after the first step that breaks the SLA. The maths lives here,
 * pure but for reading a recorder; the command (cli/find-limit-command.ts) runs the plan and writes the files.
 *
 * - **Windows.** A step's figures come from the recorder's time series: the intervals lying wholly inside the
 *   step, merged (`Recorder.seriesWindow`). Window edges sit on the interval grid (1 s; it doubles when a run
 *   outgrows 240 intervals), moved inwards, so no step's figures mix in another step's data. A step should
 *   therefore last a whole number of intervals: a step of 1.5 s is judged on its one whole second.
 *   Requests count in the interval they ended in; open-model arrivals (offered, dropped) in the one they were
 *   due in.
 * - **Verdict of a step.** The scenario's run-wide `sla` thresholds on the step's window; without any, the
 *   default: error rate ≤ 1% and p95 ≤ 5 × the first step's p95 (at least 1 ms). A step with more than 10%
 *   errors fails whatever the SLA says (a target that answers fast 503s is not keeping up). So does a step whose
 *   arrivals were not delivered, whatever the SLA says: more than 1% of them dropped (every user busy:
 *   max_users), or arrivals served at less than 95% of the rate offered (requests ended in the window over the
 *   run's requests per iteration). Latency alone judges only what was sent: a route that serves 40/s, its
 *   extra arrivals dropped, would otherwise pass at 100/s. Both bars are tunable (`DeliveryRule`). Requests
 *   count in the interval they ended in, arrivals in the one they were due in: with a mean latency L, a window
 *   of W seconds at rate r, after an interval at rate r0, expects r·W − (r − r0)·L requests to end in it
 *   (a first step, r0 = 0, loses r·L to the next second), and is judged against that, with one arrival of
 *   slack (a request that ends just past the window's edge is not a shortfall).
 * - **Limit.** The rate of the last step that passed before the first one that failed: the highest rate that
 *   met the SLA. None (null) when the first step failed. When every step passed, the last step's rate: the
 *   target's limit is at least that (`stopReason: 'max-rate'`).
 * - **Knee.** Kneedle (Satopää et al., 2011) on the curve of p95 latency against the rate: both axes
 *   normalised to 0–1, the knee is the step farthest below the straight line from the first step to the last
 *   (largest x̂ − ŷ): where latency stops being flat and starts to climb. Reported when that distance is at
 *   least KNEE_MIN_DISTANCE; with fewer than 3 steps with data, or a curve with no bend, none (null).
 */

/** A step of the profile: its rate, held from `startMs` to `endMs` (ms from the measured phase's t=0). */
export interface LimitStep {
  /** 0-based. */
  readonly index: number;
  readonly ratePerSec: number;
  readonly startMs: number;
  readonly endMs: number;
}

/** A threshold as a step was judged by it (the shape of the results file's `thresholds`). */
export interface StepThresholdDocument {
  readonly key: string;
  readonly limit: number;
  readonly measured: number | null;
  readonly passed: boolean;
  readonly description: string;
}

/** One step's figures and verdict. Latencies in ms, rates per second, all over the step's window. */
export interface FindLimitStepDocument {
  /** 1-based, as people count steps. */
  readonly step: number;
  /** The rate the profile asked for in this step. */
  readonly ratePerSec: number;
  /** The step, planned: ms from the measured phase's t=0. */
  readonly startMs: number;
  readonly endMs: number;
  /** The window judged: the step's whole time-series intervals. */
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  /** Arrivals due in the window (started or dropped), per second: the load offered. */
  readonly offeredPerSec: number;
  /** Requests that ended in the window, per second: the throughput achieved. */
  readonly throughputPerSec: number;
  readonly requests: number;
  readonly failures: number;
  /** failures / requests; 0 when none ended. */
  readonly errorRate: number;
  /** Arrivals due in the window that found every user busy (max_users) and were never sent. */
  readonly droppedArrivals: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly passed: boolean;
  /** Why it failed, for people: the first threshold violated, or the error rate that stopped the search. */
  readonly reason?: string;
  readonly thresholds: readonly StepThresholdDocument[];
}

/**
 * What ended the search: a step broke the SLA, errors climbed past 10%, every step passed (`max-rate`), a
 * signal, or the run ended before its last step for another reason (a `unique` data file used up).
 */
export type FindLimitStopReason = 'sla' | 'errors' | 'delivery' | 'max-rate' | 'interrupted' | 'ended-early';

/** When a step's arrivals count as delivered: both hold, whatever the SLA says. Fractions 0–1. */
export interface DeliveryRule {
  /** Dropped arrivals (every user busy) over those offered, at most this. */
  readonly maxDroppedRate: number;
  /** Arrivals served a second (requests ended over requests per iteration) over those offered, at least this. */
  readonly minDeliveredRatio: number;
}

/** Default delivery: at most 1% of arrivals dropped, at least 95% of the offered rate achieved. */
export const DEFAULT_DELIVERY: DeliveryRule = { maxDroppedRate: 0.01, minDeliveredRatio: 0.95 };

/** Arrivals a window may fall short by before its delivery is judged (the edge of a window splits no request). */
const EDGE_SLACK_ARRIVALS = 1;

/** The results file's `findLimit` block. */
export interface FindLimitDocument {
  /** The highest rate that met the SLA; null when even the first step failed. */
  readonly limitRatePerSec: number | null;
  /** Where p95 latency starts to climb (Kneedle); null when the curve shows no knee. */
  readonly kneeRatePerSec: number | null;
  /** `sla`: the scenario's run-wide thresholds; `default`: error rate ≤ 1% and p95 ≤ 5 × the first step's. */
  readonly criteria: 'sla' | 'default';
  /** The bars every step's arrivals had to clear besides the SLA. */
  readonly delivery: DeliveryRule;
  readonly stopReason: FindLimitStopReason;
  readonly stepDurationMs: number;
  /** Steps the profile planned; `steps` holds those judged. */
  readonly plannedSteps: number;
  readonly steps: readonly FindLimitStepDocument[];
}

/** A step with more errors than this fails whatever the SLA says, and stops the search. */
export const MAX_STEP_ERROR_RATE = 0.1;
/** Default SLA: error rate at most this. */
export const DEFAULT_MAX_ERROR_RATE = 0.01;
/** Default SLA: p95 at most this many times the first step's p95… */
export const DEFAULT_P95_GROWTH = 5;
/** …and never below this (sub-millisecond loopback noise is no breaking point). */
export const DEFAULT_MIN_P95_LIMIT_MS = 1;
/** Kneedle: the knee must lie at least this far (of the normalised range) below the first-to-last line. */
export const KNEE_MIN_DISTANCE = 0.1;

/**
 * The steps of a `breaking_point` profile as build-plan.ts plans it (a jump to each rate, then a hold of
 * `step_duration`): one per hold. Undefined for any other profile.
 */
export function breakingPointSteps(profile: LoadProfile): LimitStep[] | undefined {
  if (profile.kind !== 'ramping-arrival-rate') return undefined;
  const steps: LimitStep[] = [];
  let atMs = 0;
  let rate = profile.startRatePerSec;
  for (const stage of profile.stages) {
    if (stage.durationMs > 0) {
      // A ramp (a target that differs from the rate held) is not a step of a breaking-point profile.
      if (stage.target !== rate) return undefined;
      steps.push({ index: steps.length, ratePerSec: stage.target, startMs: atMs, endMs: atMs + stage.durationMs });
    }
    atMs += stage.durationMs;
    rate = stage.target;
  }
  return steps.length === 0 ? undefined : steps;
}

/** What thresholds read from one window of the time series: figures of the requests that ended in it. */
export function windowSubject(window: SeriesWindow): ThresholdSubject {
  const seconds = (window.endMs - window.startMs) / 1000;
  const histogram = window.histogram;
  return {
    count: window.requests,
    failures: window.failures,
    meanLatencyMs: window.requests === 0 ? 0 : histogram.mean / 1000,
    maxLatencyMs: window.requests === 0 ? 0 : histogram.maxValue / 1000,
    percentileLatencyMs: (percentile) => percentileUs(histogram, percentile) / 1000,
    requestsPerSec: seconds > 0 ? window.requests / seconds : 0,
    arrivals: window.arrivals + window.droppedArrivals,
    dropped: window.droppedArrivals,
    // The time series keeps no timing phases: steps are not judged by them (see FindLimit's thresholds).
    timingMs: () => undefined,
  };
}

/** The default SLA of a step, once the first step's p95 is known (ms). */
export function defaultStepThresholds(firstStepP95Ms: number): PlannedThreshold[] {
  return [
    { key: 'max_error_rate', metric: { kind: 'error-rate' }, limit: DEFAULT_MAX_ERROR_RATE },
    {
      key: 'p95_latency_ms',
      metric: { kind: 'percentile-latency', percentile: 95 },
      limit: Math.max(DEFAULT_MIN_P95_LIMIT_MS, round3(DEFAULT_P95_GROWTH * firstStepP95Ms)),
    },
  ];
}

/** What a step's delivery is judged by, besides its window. */
export interface StepDelivery {
  /** The bars. Default DEFAULT_DELIVERY. */
  readonly rule?: DeliveryRule;
  /** Requests an iteration makes (1 for a one-request flow, the default): arrivals are iterations. */
  readonly requestsPerArrival?: number;
  /** Arrivals offered a second in the interval just before the window (0, the default, before the first). */
  readonly previousOfferedPerSec?: number;
}

/**
 * Why a step's arrivals were not delivered (`delivered 41/s of 100/s offered`, `dropped 12% of arrivals`), or
 * undefined when they were. Arrivals served: requests ended in the window over requests per arrival, against
 * those expected to end in it (the offered ones, moved by the mean latency: see the top of this file).
 */
export function undeliveredReason(window: SeriesWindow, delivery: StepDelivery = {}): string | undefined {
  const rule = delivery.rule ?? DEFAULT_DELIVERY;
  const offered = window.arrivals + window.droppedArrivals;
  const seconds = (window.endMs - window.startMs) / 1000;
  if (offered === 0 || !(seconds > 0)) return undefined;
  const requestsPerArrival = delivery.requestsPerArrival !== undefined && delivery.requestsPerArrival > 0 ? delivery.requestsPerArrival : 1;
  const servedArrivals = window.requests / requestsPerArrival;
  const meanLatencySec = window.requests === 0 ? 0 : Math.min(window.histogram.mean / 1e6, seconds);
  const expected = Math.max(0, offered - (offered / seconds - (delivery.previousOfferedPerSec ?? 0)) * meanLatencySec);
  const problems: string[] = [];
  // One arrival of slack: a window counts whole requests, and one that ends a hair past its edge is not a
  // shortfall (at 10/s, one late request is 10% of a 1 s window).
  if (servedArrivals + EDGE_SLACK_ARRIVALS < rule.minDeliveredRatio * expected) {
    problems.push(`delivered ${rate(servedArrivals / seconds)}/s of ${rate(offered / seconds)}/s offered`);
  }
  if (window.droppedArrivals > rule.maxDroppedRate * offered)
    problems.push(`dropped ${percent(window.droppedArrivals / offered)} of arrivals`);
  return problems.length === 0 ? undefined : problems.join(', ');
}

/**
 * One step judged on its window by `thresholds` (run-wide ones: a window has no per-request figures), and on
 * whether its arrivals were delivered (`undeliveredReason`).
 */
export function judgeStep(
  step: LimitStep,
  window: SeriesWindow,
  thresholds: readonly PlannedThreshold[],
  delivery: StepDelivery = {},
): FindLimitStepDocument {
  const subject = windowSubject(window);
  // A window has the run's figures only: a request's or a tag's threshold finds no data in it.
  const outcomes = evaluateThresholds(thresholds, (request, _scenario, tag) =>
    request === undefined && tag === undefined ? subject : undefined,
  );
  const seconds = (window.endMs - window.startMs) / 1000;
  const errorRate = window.requests === 0 ? 0 : window.failures / window.requests;
  const violated = outcomes.find((outcome) => !outcome.passed);
  const errorsClimbed = errorRate > MAX_STEP_ERROR_RATE;
  const reason = errorsClimbed
    ? `error rate ${percent(errorRate)} > ${percent(MAX_STEP_ERROR_RATE)}`
    : window.requests === 0
      ? 'no request ended in the step'
      : (violated?.description ?? undeliveredReason(window, delivery));
  const percentileMs = (percentile: number): number => round3(percentileUs(window.histogram, percentile) / 1000);
  return {
    step: step.index + 1,
    ratePerSec: step.ratePerSec,
    startMs: step.startMs,
    endMs: step.endMs,
    windowStartMs: window.startMs,
    windowEndMs: window.endMs,
    offeredPerSec: seconds > 0 ? round3((window.arrivals + window.droppedArrivals) / seconds) : 0,
    throughputPerSec: seconds > 0 ? round3(window.requests / seconds) : 0,
    requests: window.requests,
    failures: window.failures,
    errorRate: round6(errorRate),
    droppedArrivals: window.droppedArrivals,
    p50Ms: percentileMs(50),
    p95Ms: percentileMs(95),
    p99Ms: percentileMs(99),
    passed: reason === undefined,
    ...(reason === undefined ? {} : { reason }),
    thresholds: outcomes.map(stepThresholdDocument),
  };
}

/**
 * The knee of a latency curve by Kneedle: points (x, y) in increasing x; the x of the point farthest below the
 * straight line from the first point to the last, both axes normalised to 0–1, when that distance is at least
 * `minDistance`. Undefined with fewer than 3 points, a flat curve, or none below the line by that much.
 */
export function kneeOf(points: readonly { readonly x: number; readonly y: number }[], minDistance = KNEE_MIN_DISTANCE): number | undefined {
  if (points.length < 3) return undefined;
  const xs = points.map((point) => point.x);
  const ys = points.map((point) => point.y);
  const xMin = Math.min(...xs);
  const xSpan = Math.max(...xs) - xMin;
  const yMin = Math.min(...ys);
  const ySpan = Math.max(...ys) - yMin;
  if (!(xSpan > 0) || !(ySpan > 0)) return undefined;
  let best: { readonly x: number; readonly distance: number } | undefined;
  for (const point of points) {
    const distance = (point.x - xMin) / xSpan - (point.y - yMin) / ySpan;
    if (best === undefined || distance > best.distance) best = { x: point.x, distance };
  }
  return best !== undefined && best.distance >= minDistance ? best.x : undefined;
}

/** The limit of judged steps (in order): the rate of the last one passed before the first one failed. */
export function limitOf(steps: readonly FindLimitStepDocument[]): number | undefined {
  let limit: number | undefined;
  for (const step of steps) {
    if (!step.passed) break;
    limit = step.ratePerSec;
  }
  return limit;
}

/** The knee of judged steps: Kneedle on p95 against the rate, over the steps where requests ended. */
export function kneeOfSteps(steps: readonly FindLimitStepDocument[]): number | undefined {
  return kneeOf(steps.filter((step) => step.requests > 0).map((step) => ({ x: step.ratePerSec, y: step.p95Ms })));
}

export interface FindLimitWatchOptions {
  /** The scenario's run-wide thresholds; empty: the default SLA. */
  readonly thresholds: readonly PlannedThreshold[];
  /**
   * How long after a step's end to judge it, so that arrivals dispatched a little late (recorded at the time
   * they were due) are in. Default 200 ms.
   */
  readonly settleMs?: number;
  /** When a step's arrivals count as delivered. Default DEFAULT_DELIVERY. */
  readonly delivery?: DeliveryRule;
}

export const DEFAULT_SETTLE_MS = 200;

/**
 * Judges the steps as the run goes: `check` on each progress tick judges every step that ended at least
 * `settleMs` ago, in order, each once (its figures then stand), until one fails. `failed` then tells the
 * command to stop the run.
 */
export class FindLimitWatch {
  readonly steps: readonly LimitStep[];
  readonly criteria: 'sla' | 'default';
  readonly #thresholds: readonly PlannedThreshold[];
  readonly #settleMs: number;
  readonly #delivery: DeliveryRule;
  readonly #judged: FindLimitStepDocument[] = [];
  #defaults: readonly PlannedThreshold[] | undefined;

  constructor(steps: readonly LimitStep[], options: FindLimitWatchOptions) {
    this.steps = steps;
    // Run-wide ones only, and not the timing phases: a step's window has neither per-request figures nor phases.
    this.#thresholds = options.thresholds.filter((threshold) => threshold.request === undefined && threshold.metric.kind !== 'timing');
    this.criteria = this.#thresholds.length > 0 ? 'sla' : 'default';
    this.#settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
    this.#delivery = options.delivery ?? DEFAULT_DELIVERY;
  }

  /** The steps judged so far, in order. */
  get judged(): readonly FindLimitStepDocument[] {
    return this.#judged;
  }

  /** A judged step failed: the search is over. */
  get failed(): boolean {
    return this.#judged.some((step) => !step.passed);
  }

  /** Judges the steps that ended at least `settleMs` before `elapsedMs`; returns those newly judged. */
  check(elapsedMs: number, recorder: Recorder): FindLimitStepDocument[] {
    return this.#judgeUntil(elapsedMs - this.#settleMs, recorder);
  }

  /** After the run, on its final recorder: judges the steps that ended by `loadEndMs` and are not judged yet. */
  finish(loadEndMs: number, recorder: Recorder): FindLimitStepDocument[] {
    return this.#judgeUntil(loadEndMs, recorder);
  }

  /** The results file's block. `interrupted`: a signal stopped the run (the limit is then only as far as it got). */
  document(interrupted: boolean): FindLimitDocument {
    const steps = this.#judged;
    const failedStep = steps.find((step) => !step.passed);
    const stopReason: FindLimitStopReason =
      failedStep !== undefined
        ? failedStep.errorRate > MAX_STEP_ERROR_RATE
          ? 'errors'
          : failedStep.thresholds.every((threshold) => threshold.passed) && failedStep.requests > 0
            ? 'delivery'
            : 'sla'
        : interrupted
          ? 'interrupted'
          : steps.length < this.steps.length
            ? 'ended-early'
            : 'max-rate';
    const first = this.steps[0];
    return {
      limitRatePerSec: limitOf(steps) ?? null,
      kneeRatePerSec: kneeOfSteps(steps) ?? null,
      criteria: this.criteria,
      delivery: this.#delivery,
      stopReason,
      stepDurationMs: first === undefined ? 0 : first.endMs - first.startMs,
      plannedSteps: this.steps.length,
      steps,
    };
  }

  /** The thresholds steps are judged by; the default ones once the first step's p95 is known. */
  #thresholdsFor(firstStepP95Ms: number): readonly PlannedThreshold[] {
    if (this.criteria === 'sla') return this.#thresholds;
    this.#defaults ??= defaultStepThresholds(firstStepP95Ms);
    return this.#defaults;
  }

  #judgeUntil(untilMs: number, recorder: Recorder): FindLimitStepDocument[] {
    const judgedNow: FindLimitStepDocument[] = [];
    while (!this.failed) {
      const step = this.steps[this.#judged.length];
      if (step === undefined || step.endMs > untilMs) break;
      const window = recorder.seriesWindow(step.startMs, step.endMs);
      const firstP95Ms = this.#judged[0]?.p95Ms ?? percentileUs(window.histogram, 95) / 1000;
      // Requests an iteration makes, from the run so far (1 until an iteration ended): arrivals are iterations.
      const counters = recorder.counters();
      const requestsPerArrival = counters.iterations > 0 ? counters.total.requests / counters.iterations : 1;
      const bucketMs = recorder.seriesBucketMs;
      const previous = recorder.seriesWindow(window.startMs - bucketMs, window.startMs);
      const previousSec = (previous.endMs - previous.startMs) / 1000;
      const previousOfferedPerSec = previousSec > 0 ? (previous.arrivals + previous.droppedArrivals) / previousSec : 0;
      const judged = judgeStep(step, window, this.#thresholdsFor(firstP95Ms), {
        rule: this.#delivery,
        requestsPerArrival,
        previousOfferedPerSec,
      });
      this.#judged.push(judged);
      judgedNow.push(judged);
    }
    return judgedNow;
  }
}

function stepThresholdDocument(outcome: ThresholdOutcome): StepThresholdDocument {
  return {
    key: outcome.threshold.key,
    limit: outcome.threshold.limit,
    measured: outcome.measured === undefined ? null : round3(outcome.measured),
    passed: outcome.passed,
    description: outcome.description,
  };
}

function percent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}

/** A measured rate for a reason: `41`, `40.5`. */
function rate(perSec: number): string {
  return String(Number(perSec.toFixed(1)));
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
