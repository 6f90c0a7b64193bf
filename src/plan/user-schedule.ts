import { assertNever } from '../errors.js';
import type { LoadProfile } from './profile.js';

/** The closed-model profiles: the ones with a number of users. */
export type UsersProfile = Extract<LoadProfile, { kind: 'constant-users' | 'ramping-users' }>;

/** From `atMs` (ms from the profile's start) on, the profile wants `users` virtual users. */
export interface UserChange {
  readonly atMs: number;
  readonly users: number;
}

/**
 * Every moment the wanted number of users changes, computed exactly (no polling): the times at which
 * `usersAt` (whole users, rounded down) steps. The first entry is at 0. A linear stage from f to g users over
 * d ms adds user k at f→g crossing k; a stage of length 0 jumps at once.
 */
export function userChanges(profile: UsersProfile): UserChange[] {
  switch (profile.kind) {
    case 'constant-users':
      return [{ atMs: 0, users: profile.users }];
    case 'ramping-users':
      return rampChanges(profile.startUsers, profile.stages);
    default:
      return assertNever(profile);
  }
}

function rampChanges(startUsers: number, stages: readonly { readonly durationMs: number; readonly target: number }[]): UserChange[] {
  const changes: UserChange[] = [{ atMs: 0, users: whole(startUsers) }];
  const push = (atMs: number, users: number): void => {
    const last = changes[changes.length - 1];
    if (last !== undefined && last.users === users) return;
    if (last !== undefined && last.atMs === atMs) changes[changes.length - 1] = { atMs, users };
    else changes.push({ atMs, users });
  };
  let from = startUsers;
  let stageStartMs = 0;
  for (const { durationMs, target } of stages) {
    if (durationMs === 0 || from === target) {
      push(stageStartMs, whole(target));
    } else if (target > from) {
      for (let k = whole(from) + 1; k <= whole(target); k++) {
        push(stageStartMs + ((k - from) / (target - from)) * durationMs, k);
      }
    } else {
      for (let k = whole(from); k > whole(target); k--) {
        // At the crossing the target is exactly k; it is below k, hence k - 1 users, from then on.
        push(stageStartMs + ((from - k) / (from - target)) * durationMs, k - 1);
      }
    }
    from = target;
    stageStartMs += durationMs;
  }
  return changes;
}

/** Same rounding as `usersAt`: whole users, down, forgiving floating-point dust. */
function whole(users: number): number {
  return Math.floor(users + 1e-9);
}
