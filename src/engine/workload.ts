import type { CustomMetricDefinition, Plan, PlannedIteration, PlannedThinkTime, PlannedWarmup } from '../plan/build-plan.js';
import type { LoadProfile } from '../plan/profile.js';
import type { Segment } from '../plan/segment.js';
import { secretFormsOfAll } from '../scenario/secrets.js';
import { compileSteps } from './step-program.js';
import type { Instruction } from './step-program.js';

/**
 * What the executors need to run, whatever the target: the profile, the iteration's steps and, per request
 * index, its name, deadline and think time. Built once per run; read-only afterwards.
 */
export interface Workload {
  /** The whole plan's profile: the executors take the segment's share of it. */
  readonly profile: LoadProfile;
  /** The part of the load this run executes (a worker thread's); absent: all of it. */
  readonly segment?: Segment;
  /** Which scenario of several this is (0, 1, …): the recorder sums the active users of each. Absent: 0. */
  readonly part?: number;
  readonly warmup?: PlannedWarmup;
  readonly gracePeriodMs: number;
  readonly requestNames: readonly string[];
  readonly timeoutsMs: readonly number[];
  /** The pause after each request (its own or the default), if any. */
  readonly thinkAfter: readonly (PlannedThinkTime | undefined)[];
  /** Per request index, `expect.max_latency` in µs (a slower response fails its check); 0: none. */
  readonly maxLatencyUs: Float64Array;
  readonly iteration: IterationSteps;
  /**
   * The plan's secrets in every form they take (secretFormsOfAll): failure messages are redacted with them
   * before they are kept, so that clipping a long message cannot keep part of a secret. Absent: none.
   */
  readonly secretForms?: readonly string[];
  /** The plan's custom metrics: the recorders are made with them. */
  readonly customMetrics?: readonly CustomMetricDefinition[];
}

/** An iteration's choices, made cheap to pick from on the hot path: each a flat program (step-program.ts). */
export class IterationSteps {
  readonly choices: readonly (readonly Instruction[])[];
  /** Per choice, the index past which it sends no request: open-model iterations end there (no trailing pause). */
  readonly lastRequestStep: Int32Array;
  /** Each choice preceded by the `before` steps: a user's first iteration (the same as `choices` without any). */
  readonly firstChoices: readonly (readonly Instruction[])[];
  readonly firstLastRequestStep: Int32Array;
  /** The most loop pass counters any program needs. */
  readonly loopSlots: number;
  readonly #cumulativeWeights: Float64Array;
  readonly #totalWeight: number;

  constructor(iteration: PlannedIteration) {
    if (iteration.choices.length === 0) throw new Error('an iteration needs at least one choice');
    const programs = iteration.choices.map((choice) => compileSteps(choice.steps));
    this.choices = programs.map((program) => program.instructions);
    this.lastRequestStep = Int32Array.from(programs, (program) => program.lastRequestAt);
    const before = iteration.before ?? [];
    const firstPrograms = before.length === 0 ? programs : iteration.choices.map((choice) => compileSteps([...before, ...choice.steps]));
    this.firstChoices = firstPrograms.map((program) => program.instructions);
    this.firstLastRequestStep = Int32Array.from(firstPrograms, (program) => program.lastRequestAt);
    this.loopSlots = Math.max(...programs.map((program) => program.slots), ...firstPrograms.map((program) => program.slots));
    let total = 0;
    this.#cumulativeWeights = Float64Array.from(iteration.choices, (choice) => (total += choice.weight));
    this.#totalWeight = total;
  }

  /** The index of the choice for the next iteration: by weight, or 0 when there is only one. */
  pick(random: () => number = Math.random): number {
    const weights = this.#cumulativeWeights;
    if (weights.length === 1) return 0;
    const point = random() * this.#totalWeight;
    for (let index = 0; index < weights.length; index++) if (point < weights[index]!) return index;
    return weights.length - 1;
  }
}

export function workloadOf(plan: Plan, segment?: Segment): Workload {
  return {
    profile: plan.profile,
    ...(segment === undefined || segment.count === 1 ? {} : { segment }),
    ...(plan.warmup === undefined ? {} : { warmup: plan.warmup }),
    gracePeriodMs: plan.gracePeriodMs,
    requestNames: plan.requests.map((request) => request.name),
    timeoutsMs: plan.requests.map((request) => request.timeoutMs),
    thinkAfter: plan.requests.map((request) => request.thinkTime),
    maxLatencyUs: Float64Array.from(plan.requests, (request) => (request.maxLatencyMs === undefined ? 0 : request.maxLatencyMs * 1000)),
    iteration: new IterationSteps(plan.iteration),
    ...(plan.secrets.length === 0 ? {} : { secretForms: secretFormsOfAll(plan.secrets) }),
    ...(plan.customMetrics === undefined ? {} : { customMetrics: plan.customMetrics }),
  };
}
