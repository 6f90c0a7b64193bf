import { compileCondition, ExpressionSyntaxError } from './expression.js';
import type { IssueDraft } from './schema-explainer.js';
import type { DataPath } from './source-map.js';
import { allStepsOf, isLoopStep, isRequestStep } from './types.js';
import type { RequestSpec, ScenarioData } from './types.js';

/** Every condition of a scenario (`if`, a loop's `while`) with its data path, in the order written. */
export function* conditionsOf(data: ScenarioData): Generator<{ readonly text: string; readonly path: DataPath }> {
  const lists: [readonly RequestSpec[] | undefined, DataPath][] = [
    [data.requests, ['requests']],
    ...Object.entries(data.scenarios ?? {}).map(([name, part]): [readonly RequestSpec[] | undefined, DataPath] => [
      part.requests,
      ['scenarios', name, 'requests'],
    ]),
  ];
  for (const [requests, at] of lists) {
    for (const [index, spec] of (requests ?? []).entries()) {
      if (spec.if !== undefined) yield { text: spec.if, path: [...at, index, 'if'] };
    }
  }
  for (const { step, path } of allStepsOf(data)) {
    if (isRequestStep(step) || isLoopStep(step)) {
      if (step.if !== undefined) yield { text: step.if, path: [...path, 'if'] };
    }
    if (isLoopStep(step) && step.loop.while !== undefined) yield { text: step.loop.while, path: [...path, 'loop', 'while'] };
  }
}

/**
 * Flow control the schema cannot judge: every condition must compile (its syntax error located, with its
 * offset), a loop has either `count` or `while`, a `while` loop has `max` (a loop always ends), and `setup`,
 * run once before the load, has no conditions.
 */
export function checkFlowControl(data: ScenarioData): IssueDraft[] {
  const issues: IssueDraft[] = [];
  for (const [index, spec] of (data.setup ?? []).entries()) {
    if (spec.if !== undefined) {
      issues.push({ path: ['setup', index, 'if'], at: 'key', message: 'setup runs once, before the load, for everyone: it takes no if' });
    }
  }
  for (const { text, path } of conditionsOf(data)) {
    try {
      compileCondition(text);
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error;
      issues.push({ path, at: 'value', message: `bad condition: ${error.message}` });
    }
  }
  for (const { step, path } of allStepsOf(data)) {
    if (!isLoopStep(step)) continue;
    const loop = step.loop;
    const loopPath: DataPath = [...path, 'loop'];
    if (loop.count !== undefined && loop.while !== undefined) {
      issues.push({ path: [...loopPath, 'while'], at: 'key', message: 'give a loop either count or while, not both' });
    } else if (loop.count === undefined && loop.while === undefined) {
      issues.push({ path: loopPath, at: 'key', message: 'a loop needs count: N, or while: "{{ expr }}" with max: N' });
    } else if (loop.while !== undefined && loop.max === undefined) {
      issues.push({
        path: loopPath,
        at: 'key',
        message: 'a while loop needs max, the most passes it makes (a loop always ends): add max: 20, say',
      });
    } else if (loop.count !== undefined && loop.max !== undefined) {
      issues.push({
        path: [...loopPath, 'max'],
        at: 'key',
        message: 'max bounds a while loop; a count loop makes count passes: leave max out',
      });
    }
  }
  return issues;
}
