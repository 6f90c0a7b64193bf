import { assertNever } from '../errors.js';

/** A stage moves a target (users, or arrivals per second) linearly from the previous target to its own. */
export interface Stage {
  readonly durationMs: number;
  readonly target: number;
}

/**
 * The load profile as pure data, named like k6's executors. Every scenario profile maps onto one of these:
 * `constant` → constant-users, `ramp` and `stages` → ramping-users,
 * `arrival_rate` → constant-arrival-rate, `ramping_arrival_rate` and `breaking_point` → ramping-arrival-rate.
 */
export type LoadProfile =
  | {
      readonly kind: 'constant-users';
      readonly users: number;
      /** Planned length; with an iterations budget, the hard upper bound. */
      readonly durationMs: number;
      /** Total iterations shared by all users, when the run is bounded by count instead of time. */
      readonly iterations?: number;
      /**
       * Each user does exactly this many iterations and stops (k6's per-vu-iterations); `iterations` is then
       * users × this, the run's total. A segment's budget is its users' share × this, never a share of the total.
       */
      readonly iterationsPerUser?: number;
    }
  | { readonly kind: 'ramping-users'; readonly startUsers: number; readonly stages: readonly Stage[] }
  | {
      readonly kind: 'constant-arrival-rate';
      readonly ratePerSec: number;
      readonly durationMs: number;
      /** Most iterations in flight; arrivals beyond it are dropped and counted, never queued. */
      readonly maxUsers: number;
    }
  | {
      readonly kind: 'ramping-arrival-rate';
      readonly startRatePerSec: number;
      readonly stages: readonly Stage[];
      readonly maxUsers: number;
    };

export type LoadModel = 'closed' | 'open';

export function modelOf(profile: LoadProfile): LoadModel {
  switch (profile.kind) {
    case 'constant-users':
    case 'ramping-users':
      return 'closed';
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return 'open';
    default:
      return assertNever(profile);
  }
}

/** Planned length of the profile in milliseconds (the upper bound for an iterations budget). */
export function profileDurationMs(profile: LoadProfile): number {
  switch (profile.kind) {
    case 'constant-users':
    case 'constant-arrival-rate':
      return profile.durationMs;
    case 'ramping-users':
    case 'ramping-arrival-rate':
      return profile.stages.reduce((sum, stage) => sum + stage.durationMs, 0);
    default:
      return assertNever(profile);
  }
}

/** The target at `elapsedMs` of a piecewise-linear schedule; after the last stage, its target holds. */
export function targetAt(start: number, stages: readonly Stage[], elapsedMs: number): number {
  let from = start;
  let stageStartMs = 0;
  for (const stage of stages) {
    const stageEndMs = stageStartMs + stage.durationMs;
    if (elapsedMs < stageEndMs) {
      const progress = stage.durationMs === 0 ? 1 : (elapsedMs - stageStartMs) / stage.durationMs;
      return from + (stage.target - from) * Math.max(0, progress);
    }
    from = stage.target;
    stageStartMs = stageEndMs;
  }
  return from;
}

/** Virtual users the closed model should have at `elapsedMs` (whole users, rounded down); 0 for the open model. */
export function usersAt(profile: LoadProfile, elapsedMs: number): number {
  switch (profile.kind) {
    case 'constant-users':
      return profile.users;
    case 'ramping-users':
      return Math.floor(targetAt(profile.startUsers, profile.stages, elapsedMs) + 1e-9);
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return 0;
    default:
      return assertNever(profile);
  }
}

/** Arrivals per second the open model should start at `elapsedMs`; 0 for the closed model. */
export function rateAt(profile: LoadProfile, elapsedMs: number): number {
  switch (profile.kind) {
    case 'constant-arrival-rate':
      return profile.ratePerSec;
    case 'ramping-arrival-rate':
      return targetAt(profile.startRatePerSec, profile.stages, elapsedMs);
    case 'constant-users':
    case 'ramping-users':
      return 0;
    default:
      return assertNever(profile);
  }
}

/** The highest number of users (closed model) or of iterations in flight (open model) the profile allows. */
export function peakUsers(profile: LoadProfile): number {
  switch (profile.kind) {
    case 'constant-users':
      return profile.users;
    case 'ramping-users':
      return Math.max(profile.startUsers, ...profile.stages.map((stage) => stage.target));
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return profile.maxUsers;
    default:
      return assertNever(profile);
  }
}
