import { UsageError } from '../errors.js';
import type { ScenarioIssue } from '../errors.js';
import { ScenarioError } from '../errors.js';
import { checkScenario } from './check-scenario.js';
import type { IssueDraft } from './schema-explainer.js';
import { displayPath } from './source-map.js';
import type { DataPath } from './source-map.js';
import type { Duration } from './duration.js';
import type { LoadSpec, Scenario, ScenarioData, Warmup } from './types.js';
import { validateAgainstSchema } from './validate-schema.js';

/** The load flags of `run` and `validate` (`--users`, `--duration`, `--rate`, `--iterations`), as numbers and a duration. */
export interface LoadOverrides {
  readonly users?: number;
  readonly duration?: Duration;
  readonly rate?: number;
  readonly iterations?: number;
  /** `--scenario NAME`: which scenario of a file with `scenarios` the flags change. */
  readonly scenario?: string;
}

/** The flag each override comes from, for messages. */
export const LOAD_OVERRIDE_FLAGS = { users: '--users', duration: '--duration', rate: '--rate', iterations: '--iterations' } as const;

/**
 * A load changed by the flags, after k6's habit: `--users` with `--duration` (or `--iterations`) make a constant
 * profile, `--rate` (with `--duration`) an arrival rate; a single flag changes the matching field of the load
 * where that is unambiguous (`--users`: a constant load's users, a ramp's end_users, an arrival rate's
 * max_users; `--duration`: a constant or arrival-rate load's duration; `--iterations`: a constant load's budget;
 * `--rate`: an arrival rate's rate). Anything else is a UsageError saying what to add. Pure: the result is not
 * validated (withLoadOverrides does that).
 */
export function applyLoadOverrides(load: LoadSpec, overrides: LoadOverrides): LoadSpec {
  const { users, duration, rate, iterations } = overrides;
  if (rate !== undefined) return withRate(load, overrides, rate);
  if (users !== undefined && (duration !== undefined || iterations !== undefined)) {
    return constantLoad(load, users, duration, iterations);
  }
  if (users !== undefined) return withUsers(load, users);
  if (duration === undefined && iterations === undefined) return load;
  if (load.profile === 'constant') return constantLoad(load, load.users, duration, iterations);
  if (load.profile === 'arrival_rate' && iterations === undefined && duration !== undefined) return { ...load, duration };
  const flag = iterations === undefined ? '--duration' : '--iterations';
  throw new UsageError(
    `${flag} alone does not say how to change a ${load.profile} profile: add --users for a constant load` +
      (iterations === undefined ? ', or --rate for an arrival rate' : ''),
  );
}

/** `--rate`: an arrival rate, for `--duration` (or the file's arrival_rate duration), `--users` its max_users. */
function withRate(load: LoadSpec, overrides: LoadOverrides, rate: number): LoadSpec {
  if (overrides.iterations !== undefined) {
    throw new UsageError('--iterations counts the iterations of users (a closed load) and --rate sets an arrival rate: give one of them');
  }
  const duration = overrides.duration ?? (load.profile === 'arrival_rate' ? load.duration : undefined);
  if (duration === undefined) {
    throw new UsageError(
      `--rate alone changes an arrival_rate profile, and this load is ${load.profile}: add --duration (say --duration 30s)`,
    );
  }
  const maxUsers = overrides.users ?? ('max_users' in load ? load.max_users : undefined);
  return { profile: 'arrival_rate', rate, duration, ...(maxUsers === undefined ? {} : { max_users: maxUsers }), ...commonOf(load, 'open') };
}

/** A constant load of `users`, bounded by an iterations budget (with `duration` as its max_duration) or by `duration`. */
function constantLoad(load: LoadSpec, users: number, duration: Duration | undefined, iterations: number | undefined): LoadSpec {
  const common = commonOf(load, 'closed');
  if (iterations === undefined) return { profile: 'constant', users, duration: duration as Duration, ...common };
  const maxDuration = duration ?? (load.profile === 'constant' ? load.max_duration : undefined);
  return { profile: 'constant', users, iterations, ...(maxDuration === undefined ? {} : { max_duration: maxDuration }), ...common };
}

/** `--users` alone: the one field of the load that says how many users it has. */
function withUsers(load: LoadSpec, users: number): LoadSpec {
  switch (load.profile) {
    case 'constant':
      return { ...load, users };
    case 'ramp':
      return { ...load, end_users: users };
    case 'arrival_rate':
    case 'ramping_arrival_rate':
    case 'breaking_point':
      return { ...load, max_users: users };
    case 'stages':
      throw new UsageError('--users alone does not say which stage to change: add --duration (or --iterations) for a constant load');
  }
}

/** The warm-up and grace period carried over to a load of `model`: a warm-up's users (or rate) only if it fits. */
function commonOf(load: LoadSpec, model: 'open' | 'closed'): { warmup?: Warmup; grace_period?: Duration } {
  const warmup = warmupFor(load.warmup, model);
  return { ...(warmup === undefined ? {} : { warmup }), ...(load.grace_period === undefined ? {} : { grace_period: load.grace_period }) };
}

function warmupFor(warmup: Warmup | undefined, model: 'open' | 'closed'): Warmup | undefined {
  if (warmup === undefined || typeof warmup !== 'object') return warmup;
  const { users, rate, duration } = warmup;
  if (model === 'closed') return users === undefined ? { duration } : { duration, users };
  return rate === undefined ? { duration } : { duration, rate };
}

/**
 * The scenario with its top-level load overridden, checked again as a file is (schema, then checks): a problem
 * of a value from a flag is located at the flag (`--users  load.users  expected …`). Throws ScenarioError,
 * or UsageError for a combination of flags that does not fit the load.
 */
export function withLoadOverrides(scenario: Scenario, overrides: LoadOverrides): Scenario {
  const { scenario: name, ...flags } = overrides;
  const given = Object.values(flags).some((value) => value !== undefined);
  if (!given && name === undefined) return scenario;
  if (!given)
    throw new UsageError('--scenario names the scenario the load flags change: give --users, --duration, --rate or --iterations too');
  const scenarios = scenario.data.scenarios;
  if (scenarios === undefined) {
    if (name !== undefined)
      throw new UsageError(`--scenario ${name}: ${scenario.file} has one load, not several scenarios; leave --scenario out`);
    const load = scenario.data.load;
    if (load === undefined) throw new Error('a scenario without load or scenarios after validation');
    const data: ScenarioData = { ...scenario.data, load: applyLoadOverrides(load, flags) };
    checkData(data, scenario.file, (path) => (path[0] === 'load' ? loadFlagOf(path[1], flags) : undefined));
    return { ...scenario, data };
  }
  const names = Object.keys(scenarios);
  const part = name === undefined ? undefined : scenarios[name];
  if (name === undefined || part === undefined) {
    const known = names.join(', ');
    throw new UsageError(
      name === undefined
        ? `${scenario.file} has several scenarios (${known}): name the one the load flags change with --scenario NAME`
        : `--scenario ${name}: ${scenario.file} has no such scenario; its scenarios are ${known}`,
    );
  }
  const data: ScenarioData = {
    ...scenario.data,
    scenarios: { ...scenarios, [name]: { ...part, load: applyLoadOverrides(part.load, flags) } },
  };
  checkData(data, scenario.file, (path) =>
    path[0] === 'scenarios' && path[1] === name && path[2] === 'load' ? loadFlagOf(path[3], flags) : undefined,
  );
  return { ...scenario, data };
}

/** The flag that set a field of the load, when one did. */
export function loadFlagOf(key: string | number | undefined, overrides: LoadOverrides): string | undefined {
  const given = (name: keyof typeof LOAD_OVERRIDE_FLAGS): string | undefined =>
    overrides[name] === undefined ? undefined : LOAD_OVERRIDE_FLAGS[name];
  switch (key) {
    case 'users':
    case 'max_users':
    case 'end_users':
      return given('users');
    case 'duration':
    case 'max_duration':
      return given('duration');
    case 'rate':
      return given('rate');
    case 'iterations':
      return given('iterations');
    default:
      return undefined;
  }
}

/**
 * Scenario data built or changed from flags, checked as a file's is: the schema, then the checks. Each issue is
 * located at the flag `flagOf` names for its path (else at `source`). Throws ScenarioError.
 */
export function checkData(data: ScenarioData, source: string, flagOf: (path: DataPath) => string | undefined): void {
  const schemaIssues = validateAgainstSchema(data);
  const drafts = schemaIssues.length > 0 ? schemaIssues : checkScenario(data);
  if (drafts.length === 0) return;
  const issues = drafts.map((draft: IssueDraft): ScenarioIssue => ({
    file: flagOf(draft.path) ?? source,
    path: displayPath(draft.path),
    message: draft.message,
  }));
  throw new ScenarioError(source, issues);
}
