import { closest, distance } from 'fastest-levenshtein';
import { checkFlowControl } from './check-flow-control.js';
import { checkGrpcSteps } from './check-grpc-steps.js';
import { checkHeaderValues } from './check-header-values.js';
import { checkTagsAndMetrics } from './check-tags-and-metrics.js';
import { checkWsSteps } from './check-ws-step.js';
import { formatDuration, parseDurationMs } from './duration.js';
import { jsonPathProblem } from './json-path.js';
import { parseMetricSelector } from './metric-selector.js';
import type { IssueDraft } from './schema-explainer.js';
import type { DataPath } from './source-map.js';
import { allStepsOf, grpcStepOf, isLoopStep, isThinkStep, PART_KEYS, partsOf, requestNameOf, requestsOf } from './types.js';
import { streamTargetOf, urlFieldsOf } from './types.js';
import { reportedRequestNames } from './request-names.js';
import type { Duration } from './duration.js';
import type { Capture, ConstantLoad, ExpectChecks, LoadSpec, RequestSpec, ScenarioData, ThinkTime, Warmup } from './types.js';

/**
 * What the schema cannot say: choices that exclude each other, profiles that make no sense,
 * names that must exist. Runs on data that already passed the schema.
 */
export function checkScenario(data: ScenarioData): IssueDraft[] {
  const issues: IssueDraft[] = [];
  const report = (path: DataPath, message: string, at: 'key' | 'value' = 'key'): void => {
    issues.push({ path, at, message });
  };

  checkScenariosShape(data, report);
  for (const part of partsOf(data)) {
    const partReport: Report = (path, message, at) =>
      report(path.length === 0 || PART_KEYS.includes(path[0] as PartKey) ? [...part.path, ...path] : path, message, at);
    checkRequestsOrFlows(part.data, partReport);
    checkLoad(part.data.load, partReport);
    if (part.name !== undefined) checkPartLoad(part.data.load, partReport);
    checkSlaNames(part.data.sla, requestNamesOf(part.data), partReport);
  }
  if (data.scenarios !== undefined) checkSlaNames(data.sla, reportedRequestNames(data), report);
  for (const { spec, path } of requestsOf(data)) checkRequest(spec, path, data.target !== undefined, report);
  for (const { step, path } of allStepsOf(data)) {
    if (isThinkStep(step)) checkThinkTime(step.think, [...path, 'think'], report);
    if (isLoopStep(step)) checkThinkTime(step.loop.think, [...path, 'loop', 'think'], report);
  }
  checkThinkTime(data.defaults?.think_time, ['defaults', 'think_time'], report);
  checkExpect(data.defaults?.expect, ['defaults', 'expect'], report);

  issues.push(...checkHeaderValues(data));
  issues.push(...checkFlowControl(data));
  issues.push(...checkTagsAndMetrics(data));
  issues.push(...checkWsSteps(data));
  issues.push(...checkGrpcSteps(data));
  checkUrls(data, report);
  checkDurations(data, report);
  checkMonitorSources(data, report);
  return issues;
}

type Report = (path: DataPath, message: string, at?: 'key' | 'value') => void;
type PartKey = (typeof PART_KEYS)[number];

/** A file has one load (with requests or flows at the top) or several scenarios, each with its own. */
function checkScenariosShape(data: ScenarioData, report: Report): void {
  if (data.scenarios === undefined) {
    if (data.load === undefined) report([], 'a scenario needs load (one load profile) or scenarios (several, each with its own load)');
    return;
  }
  for (const key of PART_KEYS) {
    if (key !== 'sla' && data[key] !== undefined) {
      report([key], `with scenarios, ${key} goes inside each scenario (scenarios.<name>.${key})`);
    }
  }
  for (const [name, part] of Object.entries(data.scenarios)) {
    for (const key of ['abort_on_fail', 'max_dropped_rate'] as const) {
      if (part.sla?.[key] !== undefined) {
        report(['scenarios', name, 'sla', key], `${key} is for the whole run: set it in the top-level sla`);
      }
    }
  }
}

/** What one scenario of several may not do (yet): warm up on its own, or search for a limit. */
function checkPartLoad(load: LoadSpec, report: Report): void {
  if (load.warmup !== undefined) {
    report(['load', 'warmup'], 'a warm-up is not supported in a file with several scenarios: use start_after to hold a scenario back');
  }
  if (load.profile === 'breaking_point') {
    report(['load', 'profile'], 'breaking_point is for loadseed find-limit, in a file with one load profile', 'value');
  }
}

function checkRequestsOrFlows(data: ScenarioData, report: Report): void {
  if (data.requests === undefined && data.flows === undefined) {
    report([], 'a scenario needs requests (a list of requests) or flows (multi-step journeys)');
  }
  if (data.requests !== undefined && data.flows !== undefined) {
    report(['flows'], 'use either requests or flows, not both');
  }
}

function checkRequest(spec: RequestSpec, path: DataPath, hasTarget: boolean, report: Report): void {
  // A ws: step has no path, url nor body; check-ws-step.ts checks it.
  if (spec.ws !== undefined) return;
  // A grpc: step has no path, body or HTTP expect: check-grpc-steps.ts checks it.
  if (grpcStepOf(spec) !== undefined) return;
  const bodies = (['json', 'body', 'form'] as const).filter((key) => spec[key] !== undefined);
  if (bodies.length > 1) report([...path, bodies[1] as string], `give only one body: ${bodies.join(' and ')} were both set`);
  const streamed = streamTargetOf(spec);
  if (streamed !== undefined) {
    if (streamed.target.startsWith('/') && !hasTarget) {
      report([...path, streamed.kind], 'a path needs a target: add target: http://host:port at the top, or give an absolute url');
    }
    checkThinkTime(spec.think_time, [...path, 'think_time'], report);
    checkExpect(spec.expect, [...path, 'expect'], report);
    for (const [index, capture] of (spec.capture ?? []).entries()) checkCapture(capture, [...path, 'capture', index], report);
    return;
  }
  if (spec.path !== undefined && spec.url !== undefined) {
    report([...path, 'url'], 'give either path or url, not both');
  } else if (spec.path === undefined && spec.url === undefined) {
    report(path, 'a request needs a path (resolved against target) or an absolute url', 'value');
  } else if (spec.path !== undefined && !hasTarget) {
    report([...path, 'path'], 'a path needs a target: add target: http://host:port at the top, or give an absolute url');
  }
  checkThinkTime(spec.think_time, [...path, 'think_time'], report);
  checkExpect(spec.expect, [...path, 'expect'], report);
  for (const [index, capture] of (spec.capture ?? []).entries()) checkCapture(capture, [...path, 'capture', index], report);
}

function checkCapture(capture: Capture, path: DataPath, report: Report): void {
  const sources = (['json', 'header', 'regex', 'status'] as const).filter((key) => capture[key] !== undefined);
  if (sources.length !== 1) {
    report(path, 'a capture takes exactly one of json, header, regex or status', 'value');
  }
  if (capture.json !== undefined) checkJsonPath(capture.json, [...path, 'json'], report);
  if (capture.regex !== undefined) checkRegex(capture.regex, [...path, 'regex'], report);
  if (capture.group !== undefined && capture.regex === undefined) {
    report([...path, 'group'], 'group applies to a regex capture');
  } else if (capture.group !== undefined && capture.regex !== undefined) {
    const groups = groupCount(capture.regex);
    if (groups !== undefined && capture.group > groups) {
      report([...path, 'group'], `the regex has ${groups} group${groups === 1 ? '' : 's'}: group ${capture.group} does not exist`, 'value');
    }
  }
}

function checkMonitorSources(data: ScenarioData, report: Report): void {
  for (const [index, source] of (data.monitor?.sources ?? []).entries()) {
    if ((source.process === undefined) === (source.prometheus === undefined)) {
      report(['monitor', 'sources', index], 'a monitor source takes exactly one of process or prometheus', 'value');
    }
    for (const key of ['cpu_metric', 'memory_metric'] as const) {
      const text = source.prometheus?.[key];
      const parsed = text === undefined ? undefined : parseMetricSelector(text);
      if (parsed?.ok === false)
        report(['monitor', 'sources', index, 'prometheus', key], `not a metric selector: ${parsed.problem}`, 'value');
    }
  }
}

/** The names a scenario's requests are reported under, setup's included, each once. */
function requestNamesOf(data: ScenarioData): string[] {
  return [...new Set([...requestsOf(data)].map(({ spec }) => requestNameOf(spec)))];
}

/** A request's deadline: one hour is already far past any answer a load test waits for. */
export const MAX_TIMEOUT_MS = 3_600_000;

function checkLoad(load: LoadSpec, report: Report): void {
  switch (load.profile) {
    case 'constant':
      checkConstantLoad(load, report);
      break;
    case 'ramp': {
      const startUsers = load.start_users ?? 0;
      if (load.end_users < startUsers) {
        report(
          ['load', 'end_users'],
          `end_users (${load.end_users}) is below start_users (${startUsers}): ramp only ramps up; use profile: stages to ramp down`,
          'value',
        );
      }
      break;
    }
    case 'stages':
      if ((load.start_users ?? 0) === 0 && load.stages.every((stage) => stage.users === 0)) {
        report(['load', 'stages'], 'every stage has 0 users: this profile would send nothing', 'value');
      }
      break;
    case 'ramping_arrival_rate':
      if ((load.start_rate ?? 0) === 0 && load.stages.every((stage) => stage.rate === 0)) {
        report(['load', 'stages'], 'every stage has rate 0: this profile would send nothing', 'value');
      }
      break;
    case 'breaking_point':
      if (load.max_rate < load.start_rate) {
        report(['load', 'max_rate'], `max_rate (${load.max_rate}) is below start_rate (${load.start_rate})`, 'value');
      }
      break;
    case 'arrival_rate':
      break;
  }
  checkWarmup(load.warmup, load.profile, report);
}

function checkConstantLoad(load: ConstantLoad, report: Report): void {
  const bounds = (['duration', 'iterations', 'iterations_per_user'] as const).filter((key) => load[key] !== undefined);
  if (bounds.length === 0) {
    report(['load'], 'the constant profile needs a duration (e.g. duration: 30s), an iterations budget or iterations_per_user');
  } else if (bounds.length > 1) {
    report(['load', bounds[1] as string], `give one of duration, iterations or iterations_per_user, not ${bounds.join(' and ')}`);
  }
  if (load.max_duration !== undefined && load.iterations === undefined && load.iterations_per_user === undefined) {
    report(['load', 'max_duration'], 'max_duration bounds an iterations budget; with a duration, leave it out');
  }
}

function checkWarmup(warmup: Warmup | undefined, profile: LoadSpec['profile'], report: Report): void {
  if (warmup === undefined || typeof warmup !== 'object') return;
  const open = profile === 'arrival_rate' || profile === 'ramping_arrival_rate' || profile === 'breaking_point';
  if (open && warmup.users !== undefined) {
    report(['load', 'warmup', 'users'], `the ${profile} profile warms up at a rate: use warmup.rate`);
  }
  if (!open && warmup.rate !== undefined) {
    report(['load', 'warmup', 'rate'], `the ${profile} profile warms up with users: use warmup.users`);
  }
}

/**
 * URLs the schema's pattern lets through but a URL parser refuses (`http://127.0.0.1:99999`, `http://[::1`):
 * found here, located, rather than thrown while planning. Templates count as one plain character.
 */
function checkUrls(data: ScenarioData, report: Report): void {
  const refuse = (path: DataPath, url: string): void =>
    report(path, `not a valid URL: check the host and the port, e.g. http://127.0.0.1:8080 (got ${JSON.stringify(url)})`, 'value');
  // A URL that parses can still not be sent as written: port 0 names no server, and credentials in it would be
  // dropped by the transports without a word (and printed wherever the URL is).
  let problemPath: DataPath = [];
  const parses = (url: string): boolean => {
    const parsed = URL.parse(url.replace(/\{\{[\s\S]*?\}\}/g, 'x'));
    if (parsed === null) return false;
    if (parsed.port === '0') report(problemPath, 'port 0 names no server: give the port the target listens on', 'value');
    if (parsed.username !== '' || parsed.password !== '') {
      report(
        problemPath,
        'credentials in a URL are not sent: use auth: {basic: {username, password}} (with ${ENV} for the password)',
        'value',
      );
    }
    return true;
  };
  const at = (path: DataPath, url: string): boolean => {
    problemPath = path;
    return parses(url);
  };
  const targetParses = data.target === undefined || at(['target'], data.target);
  if (data.target !== undefined && !targetParses) refuse(['target'], data.target);
  for (const { spec, path } of requestsOf(data)) {
    const { url, path: onTarget } = urlFieldsOf(spec);
    if (url !== undefined && !at([...path, url[0]], url[1])) refuse([...path, url[0]], url[1]);
    if (onTarget !== undefined && data.target !== undefined && targetParses) {
      const joined = `${data.target.replace(/\/+$/, '')}${onTarget[1]}`;
      // The target's own problems were told once, at target.
      if (!URL.canParse(joined.replace(/\{\{[\s\S]*?\}\}/g, 'x'))) refuse([...path, onTarget[0]], joined);
    }
  }
  for (const [index, origin] of (data.http?.redirects?.allow_origins ?? []).entries()) {
    const path: DataPath = ['http', 'redirects', 'allow_origins', index];
    if (!at(path, origin)) refuse(path, origin);
  }
}

/** Durations the schema accepts but that overflow as milliseconds (`1e306`, 400 digits of hours). */
function checkDurations(data: ScenarioData, report: Report): void {
  const check = (value: Duration | undefined, path: DataPath, maxMs = Number.POSITIVE_INFINITY): void => {
    if (value === undefined) return;
    const durationMs = parseDurationMs(value);
    const text = JSON.stringify(value);
    const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
    if (durationMs === undefined) report(path, `duration too long: its milliseconds overflow a number (got ${shown})`, 'value');
    // Timers count whole milliseconds: a duration under one would silently become 0 (no wait, no run, no deadline).
    else if (durationMs > 0 && durationMs < 1)
      report(path, `a duration shorter than 1ms rounds to nothing: give at least 1ms (got ${shown})`, 'value');
    else if (durationMs > maxMs) report(path, `longer than the ${formatDuration(maxMs)} this allows (got ${shown})`, 'value');
  };
  const thinkTime = (value: ThinkTime | undefined, path: DataPath): void => {
    if (typeof value === 'object') {
      check(value.min, [...path, 'min']);
      check(value.max, [...path, 'max']);
    } else {
      check(value, path);
    }
  };
  const requestDurations = (spec: { timeout?: Duration; think_time?: ThinkTime; expect?: unknown }, path: DataPath): void => {
    check(spec.timeout, [...path, 'timeout'], MAX_TIMEOUT_MS);
    if ('idle_timeout' in spec) check((spec as { idle_timeout?: Duration }).idle_timeout, [...path, 'idle_timeout'], MAX_TIMEOUT_MS);
    thinkTime(spec.think_time, [...path, 'think_time']);
    if (typeof spec.expect === 'object' && spec.expect !== null && !Array.isArray(spec.expect)) {
      check((spec.expect as ExpectChecks).max_latency, [...path, 'expect', 'max_latency']);
    }
  };
  if (data.defaults !== undefined) requestDurations(data.defaults, ['defaults']);
  for (const { spec, path } of requestsOf(data)) requestDurations(spec, path);
  for (const { step, path } of allStepsOf(data)) {
    if (isThinkStep(step)) thinkTime(step.think, [...path, 'think']);
    if (isLoopStep(step)) thinkTime(step.loop.think, [...path, 'loop', 'think']);
  }
  for (const part of partsOf(data)) {
    const at = (path: DataPath): DataPath => [...part.path, ...path];
    const load = part.data.load as unknown as Readonly<Record<string, unknown>>;
    for (const key of ['duration', 'max_duration', 'ramp_duration', 'steady_duration', 'step_duration', 'grace_period']) {
      check(load[key] as Duration | undefined, at(['load', key]));
    }
    const warmup = part.data.load.warmup;
    if (typeof warmup === 'object') check(warmup.duration, at(['load', 'warmup', 'duration']));
    else check(warmup, at(['load', 'warmup']));
    if ('stages' in part.data.load) {
      for (const [index, stage] of part.data.load.stages.entries()) check(stage.duration, at(['load', 'stages', index, 'duration']));
    }
    check(part.startAfter, at(['start_after']));
  }
  const abortOnFail = data.sla === false ? undefined : data.sla?.abort_on_fail;
  if (typeof abortOnFail === 'object') {
    check(abortOnFail.delay, ['sla', 'abort_on_fail', 'delay']);
    check(abortOnFail.interval, ['sla', 'abort_on_fail', 'interval']);
  }
  check(data.monitor?.interval, ['monitor', 'interval']);
}

function checkSlaNames(sla: ScenarioData['sla'], requestNames: readonly string[], report: Report): void {
  const thresholds = sla === false ? undefined : sla?.requests;
  if (thresholds === undefined) return;
  const known = new Set(requestNames);
  const names = [...known];
  // Each suggestion compares with every name: past the first few unknown names, none (bounded time).
  let suggestionsLeft = 50;
  for (const name of Object.keys(thresholds)) {
    if (known.has(name)) continue;
    const nearest = names.length > 0 && suggestionsLeft-- > 0 ? closest(name, names) : undefined;
    const hint =
      nearest !== undefined && distance(name, nearest) <= Math.max(2, Math.floor(name.length / 3))
        ? `; did you mean "${nearest}"?`
        : names.length > 0 && names.length <= 20
          ? `; requests are named ${names.map((n) => `"${n}"`).join(', ')}`
          : '';
    report(['sla', 'requests', name], `no request is named "${name}"${hint}`);
  }
}

function checkThinkTime(thinkTime: ThinkTime | undefined, path: DataPath, report: Report): void {
  if (thinkTime === undefined || typeof thinkTime !== 'object') return;
  const minMs = parseDurationMs(thinkTime.min);
  const maxMs = parseDurationMs(thinkTime.max);
  if (minMs !== undefined && maxMs !== undefined && minMs > maxMs) {
    report([...path, 'max'], 'max must not be below min', 'value');
  }
}

function checkExpect(expect: ExpectChecks | number | readonly number[] | undefined, path: DataPath, report: Report): void {
  if (expect === undefined || typeof expect !== 'object' || Array.isArray(expect)) return;
  const checks = expect as ExpectChecks;
  if (checks.body_matches !== undefined) checkRegex(checks.body_matches, [...path, 'body_matches'], report);
  for (const [index, check] of (checks.json ?? []).entries()) checkJsonPath(check.path, [...path, 'json', index, 'path'], report);
}

function checkJsonPath(path: string, at: DataPath, report: Report): void {
  const problem = jsonPathProblem(path);
  if (problem !== undefined) report(at, `not a valid JSONPath: ${problem}`, 'value');
}

/** How many capture groups a regular expression has; undefined when it does not compile. */
function groupCount(source: string): number | undefined {
  try {
    return (new RegExp(`${source}|`).exec('')?.length ?? 1) - 1;
  } catch {
    return undefined;
  }
}

function checkRegex(source: string, path: DataPath, report: Report): void {
  try {
    new RegExp(source);
  } catch (error) {
    report(path, `not a valid regular expression: ${(error as Error).message}`, 'value');
  }
}
