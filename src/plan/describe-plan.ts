import { assertNever } from '../errors.js';
import { formatDuration } from '../scenario/duration.js';
import type { Plan, PlannedScenario } from './build-plan.js';
import { profileDurationMs } from './profile.js';

/**
 * One line for people: the profile, its length and the requests, e.g.
 * `ramp 0→50 users over 30s, then 1m at 50 · 1m30s (+10s warm-up) · 3 requests: home, search, checkout`,
 * ending with ` · 4 worker threads` when the load is split over several.
 */
export function describePlan(plan: Plan): string {
  if (plan.scenarios !== undefined) return describeScenarios(plan, plan.scenarios);
  const names = [...new Set(plan.requests.map((request) => request.name))];
  const requests = `${names.length} request${names.length === 1 ? '' : 's'}: ${names.join(', ')}`;
  const warmup = plan.warmup === undefined ? '' : ` (+${formatDuration(plan.warmup.durationMs)} warm-up)`;
  const profile = plan.profile;
  const lengthMs = profileDurationMs(profile);
  const length =
    profile.kind === 'constant-users' && profile.iterations !== undefined
      ? `at most ${formatDuration(lengthMs)}`
      : formatDuration(lengthMs);
  const workers = plan.workers > 1 ? ` · ${plan.workers} worker threads` : '';
  return `${describeProfile(plan)} · ${length}${warmup} · ${requests}${workers}`;
}

/** A file with scenarios: each one's profile and start, then the worker threads. */
function describeScenarios(plan: Plan, scenarios: readonly PlannedScenario[]): string {
  const parts = scenarios.map((scenario) => {
    const from = scenario.startAfterMs > 0 ? ` from ${formatDuration(scenario.startAfterMs)}` : '';
    return `${scenario.name}: ${describeProfile({ ...plan, profileName: scenario.profileName, profile: scenario.profile })}${from}`;
  });
  const workers = plan.workers > 1 ? ` · ${plan.workers} worker threads` : '';
  return `${scenarios.length} scenarios · ${parts.join(' · ')}${workers}`;
}

function describeProfile(plan: Pick<Plan, 'profile' | 'profileName'>): string {
  const profile = plan.profile;
  switch (profile.kind) {
    case 'constant-users':
      return profile.iterations === undefined
        ? `constant ${users(profile.users)} for ${formatDuration(profile.durationMs)}`
        : `constant ${users(profile.users)}, ${profile.iterations} iterations`;
    case 'ramping-users': {
      const first = profile.stages[0];
      if (plan.profileName === 'ramp' && first !== undefined) {
        const steady = profile.stages[1];
        const steadyText = steady === undefined ? '' : `, then ${formatDuration(steady.durationMs)} at ${steady.target}`;
        return `ramp ${profile.startUsers}→${users(first.target)} over ${formatDuration(first.durationMs)}${steadyText}`;
      }
      return `stages ${[profile.startUsers, ...profile.stages.map((stage) => stage.target)].join('→')} users`;
    }
    case 'constant-arrival-rate':
      return `arrival rate ${profile.ratePerSec}/s for ${formatDuration(profile.durationMs)} (max ${users(profile.maxUsers)})`;
    case 'ramping-arrival-rate': {
      if (plan.profileName === 'breaking_point') {
        const holds = profile.stages.filter((stage) => stage.durationMs > 0);
        const last = holds[holds.length - 1]?.target ?? profile.startRatePerSec;
        return `breaking point ${profile.startRatePerSec}/s up to ${last}/s in ${holds.length} steps (max ${users(profile.maxUsers)})`;
      }
      const rates = [profile.startRatePerSec, ...profile.stages.map((stage) => stage.target)];
      return `ramping arrival rate ${rates.join('→')}/s (max ${users(profile.maxUsers)})`;
    }
    default:
      return assertNever(profile);
  }
}

function users(count: number): string {
  return `${count} user${count === 1 ? '' : 's'}`;
}
