import { requestNameScope } from './request-names.js';
import { isRequestStep, partsOf, requestNameOf, stepsOf } from './types.js';
import type { RequestSpec, ScenarioData, Step, Tags } from './types.js';

/** A measured request with the name it is reported under and its tags, inherited (scenario → flow → request). */
export interface TaggedRequest {
  readonly spec: RequestSpec;
  /** Where it is in the file. */
  readonly path: readonly (string | number)[];
  /** Its reported name: scoped `scenario/name` where two scenarios share a name (request-names.ts). */
  readonly name: string;
  /** Its tags, each value as text; empty when it has none. */
  readonly tags: Readonly<Record<string, string>>;
}

/** A tag's requests: `name` is the pair, `key:value`; `requestNames` the names they are reported under, each once. */
export interface TagGroup {
  readonly name: string;
  readonly requestNames: readonly string[];
}

/**
 * Every request a run measures (`before`, `requests`, flow steps, loops entered; not `setup`), with its
 * reported name and its tags: the file's (or its scenario's, over the file's), its flow's, its own; the inner
 * value wins for a key.
 */
export function* taggedRequestsOf(data: ScenarioData): Generator<TaggedRequest> {
  const scope = requestNameScope(data);
  for (const part of partsOf(data)) {
    const base = part.data.tags;
    const nameOf = (spec: RequestSpec): string => (part.name === undefined ? requestNameOf(spec) : scope(part.name, requestNameOf(spec)));
    const walk = function* (steps: readonly Step[], path: (string | number)[], inherited: Tags | undefined): Generator<TaggedRequest> {
      for (const { step, path: stepPath } of stepsOf(steps, path)) {
        if (!isRequestStep(step)) continue;
        yield { spec: step, path: stepPath, name: nameOf(step), tags: textOf(inherited, step.tags) };
      }
    };
    yield* walk(part.data.before ?? [], [...part.path, 'before'], base);
    for (const [index, spec] of (part.data.requests ?? []).entries()) {
      yield { spec, path: [...part.path, 'requests', index], name: nameOf(spec), tags: textOf(base, spec.tags) };
    }
    for (const [index, flow] of (part.data.flows ?? []).entries()) {
      const flowTags = flow.tags === undefined ? base : { ...base, ...flow.tags };
      yield* walk(flow.steps, [...part.path, 'flows', index, 'steps'], flowTags);
    }
  }
}

/** Each tag pair (`key:value`) the requests have, in the order first met, with the names of its requests. */
export function tagGroupsOf(data: ScenarioData): TagGroup[] {
  const groups = new Map<string, Set<string>>();
  for (const { name, tags } of taggedRequestsOf(data)) {
    for (const pair of tagPairsOf(tags)) groups.set(pair, (groups.get(pair) ?? new Set()).add(name));
  }
  return [...groups].map(([pair, names]) => ({ name: pair, requestNames: [...names] }));
}

/** `{team: payments}` → `['team:payments']`. */
export function tagPairsOf(tags: Readonly<Record<string, string>>): string[] {
  return Object.entries(tags).map(([key, value]) => `${key}:${value}`);
}

function textOf(outer: Tags | undefined, inner: Tags | undefined): Record<string, string> {
  const merged = { ...outer, ...inner };
  return Object.fromEntries(Object.entries(merged).map(([key, value]) => [key, String(value)]));
}
