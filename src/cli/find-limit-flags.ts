/** find-limit's step flags (and the scenario's keys) made into one stepped load, refused with exit 2 when wrong. */
import { UsageError } from '../errors.js';
import { DEFAULT_SERIES_BUCKET_MS } from '../metrics/time-series.js';
import { formatDuration, parseDurationMs } from '../scenario/duration.js';
import type { Duration } from '../scenario/duration.js';
import type { FindLimitModel } from '../sla/find-limit.js';
import type { BreakingPointLoad, LoadSpec, StagesLoad, Warmup } from '../scenario/types.js';
import { percentOption } from './compare-command.js';
import type { FindLimitCommandOptions } from './find-limit-command.js';

/** Steps a search may plan, at most. */
const MAX_STEPS = 10_000;

/** The four flags that make a breaking_point profile out of another one. */
const STEP_FLAGS = [
  ['startRate', '--start-rate'],
  ['stepRate', '--step-rate'],
  ['maxRate', '--max-rate'],
  ['stepDuration', '--step-duration'],
] as const;

/**
 * The scenario's load as a breaking_point profile: its own with any flags applied, or, for another profile,
 * one made from the flags (all four needed; its max_users, warm-up duration and grace period kept). Refuses
 * (UsageError, exit 2: nothing sent) a profile without the flags, a bad value, or steps shorter than the time
 * series' interval, on which steps are judged.
 */
export function breakingPointLoad(file: string, load: LoadSpec | undefined, options: FindLimitCommandOptions): BreakingPointLoad {
  if (load === undefined) {
    throw new UsageError(
      `${file} has several scenarios; find-limit steps one arrival rate up: give it a file with one load; nothing was sent`,
    );
  }
  if (load.profile !== 'breaking_point') requireStepFlags(file, load.profile, options);
  const base: Partial<BreakingPointLoad> = load.profile === 'breaking_point' ? load : {};
  const startRate = rateFlag(options.startRate, '--start-rate') ?? base.start_rate;
  const stepRate = rateFlag(options.stepRate, '--step-rate') ?? base.step_rate;
  const maxRate = rateFlag(options.maxRate, '--max-rate') ?? base.max_rate;
  const stepDuration = stepDurationFlag(options.stepDuration) ?? base.step_duration;
  const limits = stepLimits(load, options, base);
  if (startRate === undefined || stepRate === undefined || maxRate === undefined || stepDuration === undefined) {
    throw new Error('a breaking_point load without its keys after validation');
  }
  checkSteps(startRate, stepRate, maxRate, stepDuration);
  return {
    profile: 'breaking_point',
    start_rate: startRate,
    step_rate: stepRate,
    max_rate: maxRate,
    step_duration: stepDuration,
    ...limits,
  };
}

/** Another profile than breaking_point becomes one only with all four step flags: refused without them. */
function requireStepFlags(file: string, profile: LoadSpec['profile'], options: FindLimitCommandOptions): void {
  const missing = STEP_FLAGS.filter(([key]) => options[key] === undefined).map(([, flag]) => flag);
  if (missing.length > 0) {
    throw new UsageError(
      `${file} uses the ${profile} profile; find-limit steps an arrival rate up: use load.profile: breaking_point, or give ${STEP_FLAGS.map(([, flag]) => flag).join(', ')} (missing: ${missing.join(', ')}); nothing was sent`,
    );
  }
}

/** `--step-duration`: a plain number is seconds, as in a scenario (`step_duration: 10`). */
function stepDurationFlag(text: string | undefined): Duration | undefined {
  if (text === undefined) return undefined;
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}

/** The optional keys of the load: max_users, the two delivery limits, and the warm-up and grace period kept. */
function stepLimits(
  load: LoadSpec,
  options: FindLimitCommandOptions,
  base: Partial<BreakingPointLoad>,
): Pick<BreakingPointLoad, 'max_users' | 'max_dropped_rate' | 'min_delivered_ratio' | 'warmup' | 'grace_period'> {
  const maxUsersOf = 'max_users' in load ? load.max_users : undefined;
  const warmup = load.warmup;
  const warmupKept =
    warmup === undefined
      ? undefined
      : typeof warmup === 'object'
        ? { duration: warmup.duration, ...(warmup.rate === undefined ? {} : { rate: warmup.rate }) }
        : warmup;
  const maxUsers = options.maxUsers === undefined ? maxUsersOf : usersFlag(options.maxUsers);
  const maxDroppedRate = fractionFlag(options.maxDroppedRate, '--max-dropped-rate') ?? base.max_dropped_rate;
  const minDeliveredRatio = fractionFlag(options.minDeliveredRatio, '--min-delivered-ratio') ?? base.min_delivered_ratio;
  return {
    ...(maxUsers === undefined ? {} : { max_users: maxUsers }),
    ...(maxDroppedRate === undefined ? {} : { max_dropped_rate: maxDroppedRate }),
    ...(minDeliveredRatio === undefined ? {} : { min_delivered_ratio: minDeliveredRatio }),
    ...(warmupKept === undefined ? {} : { warmup: warmupKept }),
    ...(load.grace_period === undefined ? {} : { grace_period: load.grace_period }),
  };
}

/** Refuses a max rate below the start rate, a step duration that is not one, too many steps, or steps too short to judge. */
function checkSteps(startRate: number, stepRate: number, maxRate: number, stepDuration: Duration): void {
  if (maxRate < startRate) throw new UsageError(`the max rate (${maxRate}/s) is below the start rate (${startRate}/s); nothing was sent`);
  checkStepCount(Math.floor((maxRate - startRate) / stepRate + 1e-9) + 1, `${startRate}/s to ${maxRate}/s by ${stepRate}/s`);
  checkStepDuration(stepDuration);
}

/** Refuses more than MAX_STEPS steps (`range`: `from 10/s to 100/s by 10/s`, for the message). */
function checkStepCount(stepCount: number, range: string): void {
  if (stepCount > MAX_STEPS) {
    throw new UsageError(`${stepCount} steps from ${range}: at most ${MAX_STEPS}; take bigger steps; nothing was sent`);
  }
}

/** Refuses a step duration that is not one, or shorter than the time series' interval on which steps are judged. */
function checkStepDuration(stepDuration: Duration): void {
  const stepMs = parseDurationMs(stepDuration);
  if (stepMs === undefined || stepMs <= 0) {
    throw new UsageError(`--step-duration ${JSON.stringify(stepDuration)} is not a duration (such as 10s, 1m); nothing was sent`);
  }
  if (stepMs < DEFAULT_SERIES_BUCKET_MS) {
    throw new UsageError(
      `step_duration ${formatDuration(stepMs)} is shorter than ${formatDuration(DEFAULT_SERIES_BUCKET_MS)}: each step is judged on whole ${formatDuration(DEFAULT_SERIES_BUCKET_MS)} intervals of the time series; nothing was sent`,
    );
  }
}

/** The schema's rate: a number above 0, at most 10 million per second. */
function rateFlag(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0 || value > 10_000_000) {
    throw new UsageError(`${flag} ${JSON.stringify(text)}: expected a rate in requests per second, above 0; nothing was sent`);
  }
  return value;
}

/** The schema's share: a number from 0 to 1. */
function fractionFlag(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new UsageError(`${flag} ${JSON.stringify(text)}: expected a share from 0 to 1 (0.01 = 1%); nothing was sent`);
  }
  return value;
}

function usersFlag(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > 1_000_000) {
    throw new UsageError(`--max-users ${JSON.stringify(text)}: expected a whole number of users, at least 1; nothing was sent`);
  }
  return value;
}

/** The open-model flags that `--users` (the closed model: no arrivals) does not take. */
const RATE_ONLY_FLAGS = [
  ['startRate', '--start-rate'],
  ['stepRate', '--step-rate'],
  ['maxRate', '--max-rate'],
  ['maxUsers', '--max-users'],
  ['maxDroppedRate', '--max-dropped-rate'],
  ['minDeliveredRatio', '--min-delivered-ratio'],
] as const;

/** Refinements a search may ask for, at most: each halves the bracket, 10 make it 1/1024 of a step. */
const MAX_REFINEMENTS = 10;

/** The load a search steps up: `--users` makes it the users model, else the arrival rate (breaking_point). */
export function steppedLoad(file: string, load: LoadSpec | undefined, options: FindLimitCommandOptions): BreakingPointLoad | StagesLoad {
  return options.users === undefined ? breakingPointLoad(file, load, options) : steppedUsersLoad(file, load, options);
}

/** The model of a search's flags: `users` with `--users`, else `rate`. */
export function searchModel(options: FindLimitCommandOptions): FindLimitModel {
  return options.users === undefined ? 'rate' : 'users';
}

/**
 * `--users start:step:max`: the closed model, the number of concurrent users stepped up and held for
 * `--step-duration` (or the scenario's breaking_point step_duration), as a stages load of jumps (0 s) and holds.
 * Refuses (exit 2) a bad triple, the rate flags, a missing step duration, too many steps, steps under 1 s.
 */
export function steppedUsersLoad(file: string, load: LoadSpec | undefined, options: FindLimitCommandOptions): StagesLoad {
  if (load === undefined) {
    throw new UsageError(`${file} has several scenarios; find-limit steps one load up: give it a file with one load; nothing was sent`);
  }
  const rateFlags = RATE_ONLY_FLAGS.filter(([key]) => options[key] !== undefined).map(([, flag]) => flag);
  if (rateFlags.length > 0) {
    throw new UsageError(
      `--users steps concurrent users (the closed model): ${rateFlags.join(', ')} set an arrival rate; drop them; nothing was sent`,
    );
  }
  const [startUsers, stepUsers, maxUsers] = usersTriple(options.users ?? '');
  const stepDuration = stepDurationFlag(options.stepDuration) ?? (load.profile === 'breaking_point' ? load.step_duration : undefined);
  if (stepDuration === undefined) {
    throw new UsageError(
      `--users needs --step-duration (how long each step holds, such as 10s): ${file} has no breaking_point step_duration; nothing was sent`,
    );
  }
  checkStepCount(Math.floor((maxUsers - startUsers) / stepUsers) + 1, `${startUsers} to ${maxUsers} users by ${stepUsers}`);
  checkStepDuration(stepDuration);
  const stages: { duration: Duration; users: number }[] = [];
  for (let users = startUsers; users <= maxUsers; users += stepUsers)
    stages.push({ duration: 0, users }, { duration: stepDuration, users });
  const warmup = closedWarmup(load.warmup);
  return {
    profile: 'stages',
    start_users: startUsers,
    stages,
    ...(warmup === undefined ? {} : { warmup }),
    ...(load.grace_period === undefined ? {} : { grace_period: load.grace_period }),
  };
}

/** `start:step:max`, whole users, start ≥ 1, step ≥ 1, max ≥ start. */
function usersTriple(text: string): [number, number, number] {
  const match = /^(\d+):(\d+):(\d+)$/.exec(text.trim());
  const [start, step, max] = match === null ? [] : [Number(match[1]), Number(match[2]), Number(match[3])];
  if (start === undefined || step === undefined || max === undefined || start < 1 || step < 1 || max > 1_000_000) {
    throw new UsageError(
      `--users ${JSON.stringify(text)}: expected start:step:max, whole numbers of users (such as 10:10:200), start and step at least 1; nothing was sent`,
    );
  }
  if (max < start)
    throw new UsageError(`--users ${JSON.stringify(text)}: the max (${max}) is below the start (${start}); nothing was sent`);
  return [start, step, max];
}

/** A warm-up kept for the closed model: its duration, and its users when it has some (a rate means nothing here). */
function closedWarmup(warmup: Warmup | undefined): Warmup | undefined {
  if (warmup === undefined || typeof warmup !== 'object') return warmup;
  return { duration: warmup.duration, ...(warmup.users === undefined ? {} : { users: warmup.users }) };
}

/**
 * One step of the search's load at `level` (a rate, or users), held as long as a step: what a refinement runs.
 * It is led in by a warm-up of one step at `leadLevel` (the bracket's load passed), left out of its figures, so
 * that it starts from the state a step of the search starts from (the load just below), not from an idle
 * target; that warm-up replaces the scenario's own (which ran before the search). Its grace period is the search's.
 */
export function singleStepLoad(load: BreakingPointLoad | StagesLoad, level: number, leadLevel: number): BreakingPointLoad | StagesLoad {
  if (load.profile === 'breaking_point') {
    return { ...load, start_rate: level, max_rate: level, step_rate: level, warmup: { duration: load.step_duration, rate: leadLevel } };
  }
  const hold = load.stages.find((stage) => parseDurationMs(stage.duration) !== 0);
  if (hold === undefined) throw new Error('a stepped users load without a hold');
  return {
    ...load,
    start_users: level,
    stages: [{ duration: hold.duration, users: level }],
    warmup: { duration: hold.duration, users: leadLevel },
  };
}

/** `--refine N`: whole bisections, 0 to 10; undefined without the flag. */
export function refineFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value > MAX_REFINEMENTS) {
    throw new UsageError(
      `--refine ${JSON.stringify(text)}: expected a whole number of bisections from 0 to ${MAX_REFINEMENTS} (2 quarters the bracket); nothing was sent`,
    );
  }
  return value;
}

/** `--max-capacity-drop`: a share (10% → 0.1), below 100%; without --baseline it means nothing and is refused. */
export function maxCapacityDropFlag(options: FindLimitCommandOptions): number {
  const text = options.maxCapacityDrop ?? '10%';
  if (options.baseline === undefined && options.maxCapacityDrop !== undefined) {
    throw new UsageError('--max-capacity-drop compares the limit with a baseline: give --baseline earlier.json; nothing was sent');
  }
  const share = percentOption('--max-capacity-drop', text);
  if (share >= 1)
    throw new UsageError(`--max-capacity-drop ${JSON.stringify(text)}: a drop of 100% or more would pass anything; nothing was sent`);
  return share;
}
