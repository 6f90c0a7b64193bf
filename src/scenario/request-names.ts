import { isLoopStep, isThinkStep } from './types.js';
import type { RequestSpec, ScenarioData, Step } from './types.js';

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
  return {
    ...data,
    ...(data.setup === undefined ? {} : { setup: data.setup.map(named) }),
    ...(data.before === undefined ? {} : { before: steps(data.before) }),
    ...(data.requests === undefined ? {} : { requests: data.requests.map(named) }),
    ...(data.flows === undefined ? {} : { flows: data.flows.map((flow) => ({ ...flow, steps: steps(flow.steps) })) }),
  };
}
