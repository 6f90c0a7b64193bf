import { isLoopStep, isThinkStep, requestNameOf, requestsOf } from './types.js';
import type { RequestSpec, ScenarioData, ScenarioPartSpec, Step } from './types.js';

/**
 * The data with every request name a string. The schema accepts a number as a request's name (`name: 50`);
 * it becomes its JavaScript text, `"50"`, the key YAML makes of the same number under `sla.requests`
 * (`1.50` is read as 1.5 in both places). Everything after the loader sees strings only. The data given is
 * not changed; a request without a number for a name is kept as it is.
 */
export function withStringRequestNames(data: ScenarioData): ScenarioData {
  const named = <T extends RequestSpec>(spec: T): T => {
    const name: unknown = spec.name;
    return typeof name === 'number' ? { ...spec, name: String(name) } : spec;
  };
  const steps = (list: readonly Step[]): Step[] =>
    list.map((step) => {
      if (isThinkStep(step)) return step;
      if (isLoopStep(step)) return { ...step, loop: { ...step.loop, steps: steps(step.loop.steps) } };
      return named(step);
    });
  const own = <T extends Pick<ScenarioData, 'before' | 'requests' | 'flows'>>(part: T): T => ({
    ...part,
    ...(part.before === undefined ? {} : { before: steps(part.before) }),
    ...(part.requests === undefined ? {} : { requests: part.requests.map(named) }),
    ...(part.flows === undefined ? {} : { flows: part.flows.map((flow) => ({ ...flow, steps: steps(flow.steps) })) }),
  });
  const scenarios = data.scenarios === undefined ? undefined : mapValues(data.scenarios, own);
  return {
    ...own(data),
    ...(data.setup === undefined ? {} : { setup: data.setup.map(named) }),
    ...(scenarios === undefined ? {} : { scenarios }),
  };
}

function mapValues(
  record: Readonly<Record<string, ScenarioPartSpec>>,
  map: (part: ScenarioPartSpec) => ScenarioPartSpec,
): Record<string, ScenarioPartSpec> {
  return Object.fromEntries(Object.entries(record).map(([name, part]) => [name, map(part)]));
}

/**
 * How a request of one scenario of several is reported: under its own name, or as `scenario/name` when
 * another scenario has a request of the same name (so that each name's figures are one scenario's).
 */
export function requestNameScope(data: ScenarioData): (scenario: string, name: string) => string {
  const owners = new Map<string, Set<string>>();
  for (const [scenario, part] of Object.entries(data.scenarios ?? {})) {
    for (const { spec } of requestsOf(part)) {
      const name = requestNameOf(spec);
      owners.set(name, (owners.get(name) ?? new Set()).add(scenario));
    }
  }
  return (scenario, name) => ((owners.get(name)?.size ?? 0) > 1 ? `${scenario}/${name}` : name);
}

/** Every name a file with scenarios reports requests under (scoped where they collide), each once. */
export function reportedRequestNames(data: ScenarioData): string[] {
  const scope = requestNameScope(data);
  const names = new Set<string>();
  for (const [scenario, part] of Object.entries(data.scenarios ?? {})) {
    for (const { spec } of requestsOf(part)) names.add(scope(scenario, requestNameOf(spec)));
  }
  return [...names];
}
