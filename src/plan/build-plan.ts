import { assertNever } from '../errors.js';
import { parseDurationMs } from '../scenario/duration.js';
import type { Duration } from '../scenario/duration.js';
import { isThinkStep, requestNameOf } from '../scenario/types.js';
import type { LoadSpec, RequestSpec, Scenario, ScenarioData } from '../scenario/types.js';
import type { LoadProfile, Stage } from './profile.js';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_GRACE_PERIOD_MS = 5_000;
export const DEFAULT_MAX_USERS = 1_000;
/** Upper bound of a run bounded by an iterations budget, unless `max_duration` says otherwise. */
export const DEFAULT_MAX_DURATION_MS = 10 * 60_000;

/** The profile a scenario named, kept for display: the plan's LoadProfile is the normalised form. */
export type ProfileName = LoadSpec['profile'];

export interface PlannedRequest {
  readonly name: string;
  readonly method: string;
  /** The absolute URL: target joined with path, or the request's own url. */
  readonly url: string;
  readonly timeoutMs: number;
  readonly weight?: number;
}

export interface PlannedWarmup {
  readonly durationMs: number;
  /** Users during warm-up (closed model); default: the profile's initial users, at least 1. */
  readonly users?: number;
  /** Arrivals per second during warm-up (open model); default: the profile's initial rate. */
  readonly ratePerSec?: number;
}

/** A scenario made ready to run: numbers in milliseconds, defaults filled in, URLs resolved. Pure data. */
export interface Plan {
  readonly name: string;
  readonly scenarioFile: string;
  readonly profileName: ProfileName;
  readonly profile: LoadProfile;
  readonly warmup?: PlannedWarmup;
  readonly gracePeriodMs: number;
  /** Every request the scenario can send, once each, in the order written. */
  readonly requests: readonly PlannedRequest[];
}

/** Turns a validated scenario into a plan. Never does I/O. */
export function buildPlan(scenario: Scenario): Plan {
  const data = scenario.data;
  const warmup = planWarmup(data.load);
  return {
    name: data.name ?? scenarioNameFromFile(scenario.file),
    scenarioFile: scenario.file,
    profileName: data.load.profile,
    profile: planProfile(data.load),
    ...(warmup === undefined ? {} : { warmup }),
    gracePeriodMs: optionalMs(data.load.grace_period) ?? DEFAULT_GRACE_PERIOD_MS,
    requests: planRequests(data),
  };
}

function planProfile(load: LoadSpec): LoadProfile {
  switch (load.profile) {
    case 'constant':
      return load.iterations === undefined
        ? { kind: 'constant-users', users: load.users, durationMs: ms(load.duration ?? 0) }
        : {
            kind: 'constant-users',
            users: load.users,
            iterations: load.iterations,
            durationMs: optionalMs(load.max_duration) ?? DEFAULT_MAX_DURATION_MS,
          };
    case 'ramp': {
      const stages: Stage[] = [{ durationMs: ms(load.ramp_duration), target: load.end_users }];
      const steadyMs = optionalMs(load.steady_duration) ?? 0;
      if (steadyMs > 0) stages.push({ durationMs: steadyMs, target: load.end_users });
      return { kind: 'ramping-users', startUsers: load.start_users ?? 0, stages };
    }
    case 'stages':
      return {
        kind: 'ramping-users',
        startUsers: load.start_users ?? 0,
        stages: load.stages.map((stage) => ({ durationMs: ms(stage.duration), target: stage.users })),
      };
    case 'arrival_rate':
      return {
        kind: 'constant-arrival-rate',
        ratePerSec: load.rate,
        durationMs: ms(load.duration),
        maxUsers: load.max_users ?? DEFAULT_MAX_USERS,
      };
    case 'ramping_arrival_rate':
      return {
        kind: 'ramping-arrival-rate',
        startRatePerSec: load.start_rate ?? 0,
        stages: load.stages.map((stage) => ({ durationMs: ms(stage.duration), target: stage.rate })),
        maxUsers: load.max_users ?? DEFAULT_MAX_USERS,
      };
    case 'breaking_point': {
      // Steps: jump to each rate at once, hold it for step_duration.
      const stepMs = ms(load.step_duration);
      const stages: Stage[] = [];
      for (let ratePerSec = load.start_rate; ratePerSec <= load.max_rate + 1e-9; ratePerSec += load.step_rate) {
        stages.push({ durationMs: 0, target: ratePerSec }, { durationMs: stepMs, target: ratePerSec });
      }
      return {
        kind: 'ramping-arrival-rate',
        startRatePerSec: load.start_rate,
        stages,
        maxUsers: load.max_users ?? DEFAULT_MAX_USERS,
      };
    }
    default:
      return assertNever(load);
  }
}

function planWarmup(load: LoadSpec): PlannedWarmup | undefined {
  const warmup = load.warmup;
  if (warmup === undefined) return undefined;
  if (typeof warmup !== 'object') return { durationMs: ms(warmup) };
  return {
    durationMs: ms(warmup.duration),
    ...(warmup.users === undefined ? {} : { users: warmup.users }),
    ...(warmup.rate === undefined ? {} : { ratePerSec: warmup.rate }),
  };
}

function planRequests(data: ScenarioData): PlannedRequest[] {
  const specs: RequestSpec[] = [...(data.requests ?? [])];
  for (const flow of data.flows ?? []) {
    for (const step of flow.steps) if (!isThinkStep(step)) specs.push(step);
  }
  const defaultTimeoutMs = optionalMs(data.defaults?.timeout) ?? DEFAULT_TIMEOUT_MS;
  return specs.map((spec) => ({
    name: requestNameOf(spec),
    method: spec.method ?? 'GET',
    url: spec.url ?? joinUrl(data.target ?? '', spec.path ?? '/'),
    timeoutMs: optionalMs(spec.timeout) ?? defaultTimeoutMs,
    ...(spec.weight === undefined ? {} : { weight: spec.weight }),
  }));
}

/** Joins a base URL and a path, keeping the base's own path (`http://h/api` + `/items` → `http://h/api/items`). */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
}

function scenarioNameFromFile(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.ya?ml$/i, '');
}

/** Durations here passed the schema, so they parse; a failure is a bug. */
function ms(duration: Duration): number {
  const value = parseDurationMs(duration);
  if (value === undefined) throw new Error(`unparsed duration ${JSON.stringify(duration)} after validation`);
  return value;
}

function optionalMs(duration: Duration | undefined): number | undefined {
  return duration === undefined ? undefined : ms(duration);
}
