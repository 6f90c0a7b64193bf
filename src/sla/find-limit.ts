import type { Recorder } from '../metrics/recorder.js';
import { percentileUs } from '../metrics/latency-histogram.js';
import type { SeriesWindow } from '../metrics/time-series.js';
import type { LoadProfile, Stage } from '../plan/profile.js';
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

/**
 * What a search steps up: the arrival rate (open model, `ratePerSec`), or the number of concurrent users
 * (closed model, `--users`, `users`). Absent in results written before the users model: `rate`.
 */
export type FindLimitModel = 'rate' | 'users';

/** A step's load, in its model's unit: an arrival rate, or a number of users (the other one absent). */
export type StepLoad =
  { readonly ratePerSec: number; readonly users?: undefined } | { readonly users: number; readonly ratePerSec?: undefined };

/** A step of the profile: its load, held from `startMs` to `endMs` (ms from the measured phase's t=0). */
export type LimitStep = StepLoad & {
  /** 0-based. */
  readonly index: number;
  readonly startMs: number;
  readonly endMs: number;
};

/** A step's load as one number: its rate (req/s) or its users. */
export function stepLevel(step: StepLoad): number {
  return step.users ?? step.ratePerSec;
}

/** A threshold as a step was judged by it (the shape of the results file's `thresholds`). */
export interface StepThresholdDocument {
  readonly key: string;
  readonly limit: number;
  readonly measured: number | null;
  readonly passed: boolean;
  readonly description: string;
}

/**
 * One step's figures and verdict. Latencies in ms, rates per second, all over the step's window. Its load: the
 * rate the profile asked for (`ratePerSec`), or, in the users model, the users it held (`users`).
 */
export type FindLimitStepDocument = StepLoad & FindLimitStepFigures;

/** A judged step's figures, whatever its model. */
export interface FindLimitStepFigures {
  /** 1-based, as people count steps (refinements go on counting after the steps). */
  readonly step: number;
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
  /** What was stepped up; absent (results of older versions): `rate`. */
  readonly model?: FindLimitModel;
  /** Rate model: the highest rate that met the SLA; null when even the first step failed, and in the users model. */
  readonly limitRatePerSec: number | null;
  /** Rate model: where p95 latency starts to climb (Kneedle); null when the curve shows no knee, and in the users model. */
  readonly kneeRatePerSec: number | null;
  /** Users model: the most users that met the SLA; null when even the first step failed. */
  readonly limitUsers?: number | null;
  /** Users model: where p95 latency starts to climb against the users (Kneedle); null without a knee. */
  readonly kneeUsers?: number | null;
  /** Requests per second served at the limit (the limit's step); null without a limit. */
  readonly limitThroughputPerSec?: number | null;
  /**
   * Where the break lies: the limit passed, `failedLevel` (the first step or refinement above it that failed)
   * did not; the limit's precision is their difference. Absent when no step failed above the limit.
   */
  readonly bracket?: FindLimitBracket;
  /** `--refine N`: the bisection steps between the last step passed and the first failed, in the order run. */
  readonly refinements?: readonly FindLimitStepDocument[];
  /** `--refine N`: the bisections asked for (fewer ran when the bracket could not be halved, or no step failed). */
  readonly refinementsRequested?: number;
  /** `--baseline`: the limit against an earlier search's. */
  readonly baseline?: CapacityBaselineDocument;
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

/** The limit's bracket: the highest load that passed and the lowest above it that failed, in the model's unit. */
export interface FindLimitBracket {
  readonly passedLevel: number;
  readonly failedLevel: number;
  /** failedLevel − passedLevel: the true limit lies in [passedLevel, failedLevel). */
  readonly precision: number;
}

/** `find-limit --baseline`: the limit found against an earlier search's, and the verdict of the gate. */
export interface CapacityBaselineDocument {
  /** The baseline's results file, as given. */
  readonly file: string;
  readonly model: FindLimitModel;
  /** The baseline's limit, in the model's unit. */
  readonly baselineLimit: number;
  /** This search's limit; null when even its first step failed. */
  readonly limit: number | null;
  /** (limit − baselineLimit) / baselineLimit, as a share: negative is a drop (−1 without a limit). */
  readonly change: number;
  /** The drop tolerated, as a share (`--max-capacity-drop`, default 0.1). */
  readonly maxDrop: number;
  /** The limit fell by no more than maxDrop. */
  readonly passed: boolean;
}

/**
 * The document with the refinements (`--refine`'s bisection steps, judged, in the order run) folded in: the
 * limit is the highest load passed, the bracket narrowed to the lowest load above it that failed; the knee and
 * the stop reason stay the steps'. `requested`: the bisections asked for.
 */
export function withRefinements(
  findLimit: FindLimitDocument,
  refinements: readonly FindLimitStepDocument[],
  requested: number,
): FindLimitDocument {
  const stepsLimit = documentLimit(findLimit);
  const passed = refinements.filter((step) => step.passed).map(stepLevel);
  const limit = stepsLimit === null ? null : Math.max(stepsLimit, ...passed);
  const refined = { ...findLimit, refinements, refinementsRequested: requested };
  const bracket = bracketOf(limit ?? undefined, [...findLimit.steps, ...refinements]);
  const { bracket: _old, ...rest } = refined;
  const withLimit: FindLimitDocument =
    documentModel(findLimit) === 'users' ? { ...rest, limitUsers: limit } : { ...rest, limitRatePerSec: limit };
  const atLimit = limitStepDocument(withLimit);
  return {
    ...withLimit,
    limitThroughputPerSec: atLimit?.throughputPerSec ?? null,
    ...(bracket === undefined ? {} : { bracket }),
  };
}

/**
 * The next load to try when refining a bracket (its midpoint; whole users in the users model), or undefined
 * when the bracket cannot be halved further (users one apart).
 */
export function bisectionLevel(bracket: FindLimitBracket, model: FindLimitModel): number | undefined {
  const middle = (bracket.passedLevel + bracket.failedLevel) / 2;
  if (model === 'rate') return round3(middle);
  const users = Math.floor(middle);
  return users > bracket.passedLevel && users < bracket.failedLevel ? users : undefined;
}

/**
 * `--baseline`: this search's limit against the baseline's, in the same model. Passes when the limit fell by no
 * more than `maxDrop` (a share); a higher limit passes. No limit (even the first step failed) is a drop of 100%.
 */
export function compareCapacity(
  limit: number | null,
  baseline: { readonly file: string; readonly model: FindLimitModel; readonly limit: number },
  maxDrop: number,
): CapacityBaselineDocument {
  const change = limit === null ? -1 : round6((limit - baseline.limit) / baseline.limit);
  return {
    file: baseline.file,
    model: baseline.model,
    baselineLimit: baseline.limit,
    limit,
    change,
    maxDrop,
    // A drop equal to the tolerance passes; the epsilon keeps 10% of 200 from failing on rounding.
    passed: -change <= maxDrop + 1e-9,
  };
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
  return heldSteps(profile.startRatePerSec, profile.stages)?.map(({ level, ...held }) => ({ ...held, ratePerSec: level }));
}

/**
 * The steps of a search: a breaking_point profile's (rates), or the users model's stepped users (a ramping-users
 * profile of jumps and holds, as `--users` makes it: cli/find-limit-flags.ts). Undefined for any other profile.
 */
export function limitSteps(profile: LoadProfile): LimitStep[] | undefined {
  if (profile.kind !== 'ramping-users') return breakingPointSteps(profile);
  return heldSteps(profile.startUsers, profile.stages)?.map(({ level, ...held }) => ({ ...held, users: level }));
}

/** One step per hold of a piecewise profile made of jumps (0 ms) and holds; undefined when a stage ramps. */
function heldSteps(
  start: number,
  stages: readonly Stage[],
): { index: number; level: number; startMs: number; endMs: number }[] | undefined {
  const steps: { index: number; level: number; startMs: number; endMs: number }[] = [];
  let atMs = 0;
  let level = start;
  for (const stage of stages) {
    if (stage.durationMs > 0) {
      // A ramp (a target that differs from the level held) is not a step.
      if (stage.target !== level) return undefined;
      steps.push({ index: steps.length, level: stage.target, startMs: atMs, endMs: atMs + stage.durationMs });
    }
    atMs += stage.durationMs;
    level = stage.target;
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
    ...(step.users === undefined ? { ratePerSec: step.ratePerSec } : { users: step.users }),
    step: step.index + 1,
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

/** The limit of judged steps (in order): the load (rate or users) of the last one passed before the first one failed. */
export function limitOf(steps: readonly FindLimitStepDocument[]): number | undefined {
  return limitStepOf(steps)?.level;
}

/** The last step passed before the first one failed, and its load; undefined when the first step failed. */
function limitStepOf(steps: readonly FindLimitStepDocument[]): { step: FindLimitStepDocument; level: number } | undefined {
  let limit: { step: FindLimitStepDocument; level: number } | undefined;
  for (const step of steps) {
    if (!step.passed) break;
    limit = { step, level: stepLevel(step) };
  }
  return limit;
}

/** The knee of judged steps: Kneedle on p95 against the load, over the steps where requests ended. */
export function kneeOfSteps(steps: readonly FindLimitStepDocument[]): number | undefined {
  return kneeOf(steps.filter((step) => step.requests > 0).map((step) => ({ x: stepLevel(step), y: step.p95Ms })));
}

/** The limit of a search's document, in its model's unit (rate or users); null when none was found. */
export function documentLimit(findLimit: FindLimitDocument): number | null {
  return findLimit.model === 'users' ? (findLimit.limitUsers ?? null) : findLimit.limitRatePerSec;
}

/** The knee of a search's document, in its model's unit; null when none. */
export function documentKnee(findLimit: FindLimitDocument): number | null {
  return findLimit.model === 'users' ? (findLimit.kneeUsers ?? null) : findLimit.kneeRatePerSec;
}

/** The model of a search's document (`rate` for results that predate the users model). */
export function documentModel(findLimit: FindLimitDocument): FindLimitModel {
  return findLimit.model ?? 'rate';
}

/** The step at a document's limit: its last step passed, or its highest refinement passed above it. */
export function limitStepDocument(findLimit: FindLimitDocument): FindLimitStepDocument | undefined {
  const limit = documentLimit(findLimit);
  if (limit === null) return undefined;
  return [...findLimit.steps, ...(findLimit.refinements ?? [])].findLast((step) => step.passed && stepLevel(step) === limit);
}

/**
 * The bracket of judged steps: the limit, and the lowest load above it that failed (a step or a refinement).
 * Undefined without a limit, or when nothing above it failed.
 */
export function bracketOf(limit: number | undefined, judged: readonly FindLimitStepDocument[]): FindLimitBracket | undefined {
  if (limit === undefined) return undefined;
  const failedAbove = judged.filter((step) => !step.passed && stepLevel(step) > limit).map(stepLevel);
  if (failedAbove.length === 0) return undefined;
  const failedLevel = Math.min(...failedAbove);
  return { passedLevel: limit, failedLevel, precision: round3(failedLevel - limit) };
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
  /**
   * The default SLA's reference: the p95 (ms) of the search's first step, when these steps continue a search
   * (`--refine`'s bisection steps, each a run of its own). Default: this watch's own first step's.
   */
  readonly firstStepP95Ms?: number;
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
    if (options.firstStepP95Ms !== undefined) this.#defaults = defaultStepThresholds(options.firstStepP95Ms);
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
    const users = first?.users !== undefined;
    const limit = limitOf(steps) ?? null;
    const knee = kneeOfSteps(steps) ?? null;
    const bracket = bracketOf(limit ?? undefined, steps);
    return {
      model: users ? 'users' : 'rate',
      limitRatePerSec: users ? null : limit,
      kneeRatePerSec: users ? null : knee,
      ...(users ? { limitUsers: limit, kneeUsers: knee } : {}),
      limitThroughputPerSec: limitStepOf(steps)?.step.throughputPerSec ?? null,
      ...(bracket === undefined ? {} : { bracket }),
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
