import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * src/scenario/types.ts bound to schemas/scenario.schema.json: the schema decides what a file may say, the
 * types what the code believes it says, and nothing else keeps the two in step. For every object of the
 * schema this test reads the matching TypeScript type with the compiler API and compares their keys and which
 * of them are required; a key in one and not the other fails it, so does a schema object or a type that the
 * table below does not map. Value types are not compared (a `name: 50` is a string after loading, say).
 */

/**
 * The mapping: a path into types.ts → the schema objects it describes (their properties and `required`
 * merged, for a load profile: the common keys of `load` and its profile's `then`).
 * A path is a type's name, then `.key` (that property's type, without undefined), `[]` (the element of an
 * array) or `{}` (the object members of a union, such as ThinkTime's `{min, max}` beside a duration).
 * A union of objects (Auth, a monitor source's process) has each key of any member; a key is required only when
 * every member requires it; the schema says "exactly one of them" with min/maxProperties.
 */
const MAPPING: readonly (readonly [typePath: string, schemaPointers: readonly string[]])[] = [
  ['ScenarioData', ['#']],
  ['RequestDefaults', ['#/properties/defaults']],
  ['HttpSettings', ['#/properties/http']],
  ['HttpSettings.tls', ['#/properties/http/properties/tls']],
  ['HttpSettings.redirects', ['#/properties/http/properties/redirects']],
  ['ReportSpec', ['#/properties/report']],
  ['ReportSpec.outputs[]', ['#/properties/report/properties/outputs/items']],
  ['ScenarioPartSpec', ['#/$defs/scenarioPart']],
  ['RequestSpec', ['#/$defs/request', '#/$defs/wsStep']],
  ['RequestSpec.steps[]', ['#/$defs/wsAction']],
  ['RequestSpec.steps[].expect', ['#/$defs/wsExpect']],
  ['RequestSpec.steps[].capture', ['#/$defs/wsCapture']],
  ['RequestSpec.steps[].send_every', ['#/$defs/wsSendEvery']],
  ['RequestSpec.steps[].close', ['#/$defs/wsClose']],
  ['ThinkStep', ['#/$defs/step/if', '#/$defs/step/then']],
  ['LoopStep', ['#/$defs/loopStep']],
  ['LoopSpec', ['#/$defs/loopStep/properties/loop']],
  ['GrpcStepSpec', ['#/$defs/grpcStep']],
  ['GrpcStepSpec.expect', ['#/$defs/grpcStep/properties/expect']],
  ['SseStepSpec', ['#/$defs/sseStep']],
  ['SseStepSpec.until', ['#/$defs/sseStep/properties/until']],
  ['StreamStepSpec', ['#/$defs/streamStep']],
  ['StreamExpectChecks', ['#/$defs/streamExpect/anyOf/2']],
  ['FlowSpec', ['#/$defs/flow']],
  ['Feeder', ['#/$defs/feeder']],
  ['Capture', ['#/$defs/capture']],
  ['MetricSpec', ['#/$defs/metric']],
  ['Auth', ['#/$defs/auth']],
  ['Auth.basic', ['#/$defs/auth/properties/basic']],
  ['ExpectChecks', ['#/$defs/expect/anyOf/2']],
  ['ExpectChecks.json[]', ['#/$defs/expect/anyOf/2/properties/json/items']],
  ['ThinkTime{}', ['#/$defs/thinkTime/anyOf/1']],
  ['Warmup{}', ['#/$defs/warmup/anyOf/1']],
  ['ConstantLoad', ['#/$defs/load', '#/$defs/load/allOf/0/then']],
  ['RampLoad', ['#/$defs/load', '#/$defs/load/allOf/1/then']],
  ['StagesLoad', ['#/$defs/load', '#/$defs/load/allOf/2/then']],
  ['StagesLoad.stages[]', ['#/$defs/load/allOf/2/then/properties/stages/items']],
  ['ArrivalRateLoad', ['#/$defs/load', '#/$defs/load/allOf/3/then']],
  ['RampingArrivalRateLoad', ['#/$defs/load', '#/$defs/load/allOf/4/then']],
  ['RampingArrivalRateLoad.stages[]', ['#/$defs/load/allOf/4/then/properties/stages/items']],
  ['BreakingPointLoad', ['#/$defs/load', '#/$defs/load/allOf/5/then']],
  ['SlaSpec', ['#/$defs/sla']],
  ['SlaSpec.abort_on_fail{}', ['#/$defs/sla/properties/abort_on_fail/anyOf/1']],
  ['MonitorSpec', ['#/$defs/monitor']],
  ['MonitorSpec.sources[]', ['#/$defs/monitor/properties/sources/items']],
  ['MonitorSpec.sources[].process', ['#/$defs/monitor/properties/sources/items/properties/process']],
  ['MonitorSpec.sources[].prometheus', ['#/$defs/monitor/properties/sources/items/properties/prometheus']],
];

/**
 * Schema objects with properties that no type maps, and why. `if` objects only select a branch; their keys
 * are those of the branch.
 */
const UNMAPPED_SCHEMA: Readonly<Record<string, string>> = {
  // ThresholdSpec and SlaSpec take thresholds through a string index signature (any pNN_latency_ms): see below.
  '#/$defs/thresholds': 'a Record<string, number> in types.ts',
  // Keys of a metric's thresholds (any pNN): MetricThresholdSpec is a Record<string, number>.
  '#/$defs/metricThresholds': 'a Record<string, number> in types.ts',
  // An unknown profile: only there so that ajv reports the profile, not every other key; never valid data.
  '#/$defs/load/allOf/6/then': 'no LoadSpec: the profile is refused',
};

/** Schema keys that a type takes through its string index signature, instead of naming them. */
const BY_INDEX_SIGNATURE: Readonly<Record<string, string>> = { SlaSpec: '#/$defs/thresholds' };

type Schema = { readonly [key: string]: unknown };
const SCHEMA = JSON.parse(readFileSync(new URL('../../../schemas/scenario.schema.json', import.meta.url), 'utf8')) as Schema;
const TYPES_FILE = fileURLToPath(new URL('../../../src/scenario/types.ts', import.meta.url));

/** Keys of an object, required or not. */
type Keys = ReadonlyMap<string, 'required' | 'optional'>;

/** The schema node at a JSON pointer (`#/$defs/flow`), without following `$ref`. */
function at(pointer: string): Schema {
  let node: unknown = SCHEMA;
  for (const part of pointer.split('/').slice(1)) {
    node = (node as Schema)[part.replaceAll('~1', '/').replaceAll('~0', '~')];
    if (node === undefined) throw new Error(`no ${pointer} in the schema`);
  }
  return node as Schema;
}

/** The keys of schema objects together: any one's properties, required when one of them requires it. */
function schemaKeys(pointers: readonly string[]): Keys {
  const names = new Set<string>();
  const required = new Set<string>();
  for (const pointer of pointers) {
    const node = at(pointer);
    for (const name of Object.keys(node['properties'] ?? {})) names.add(name);
    for (const name of (node['required'] ?? []) as string[]) required.add(name);
  }
  for (const name of required) names.add(name);
  return new Map([...names].sort().map((name) => [name, required.has(name) ? 'required' : 'optional'] as const));
}

/** Every schema object that lists properties, by JSON pointer, `$ref`s not followed (each is its own object). */
function schemaObjects(node: unknown, pointer: string, found: string[]): string[] {
  if (typeof node !== 'object' || node === null) return found;
  if (!Array.isArray(node) && 'properties' in node && !/\/(if|not)(\/|$)/.test(pointer)) found.push(pointer);
  for (const [key, child] of Object.entries(node)) schemaObjects(child, `${pointer}/${key}`, found);
  return found;
}

const program = ts.createProgram([TYPES_FILE], {
  strict: true,
  exactOptionalPropertyTypes: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  skipLibCheck: true,
  noEmit: true,
  types: [],
});
const checker = program.getTypeChecker();
const source = program.getSourceFile(TYPES_FILE);
if (source === undefined) throw new Error(`${TYPES_FILE} not read`);
const moduleSymbol = checker.getSymbolAtLocation(source);
if (moduleSymbol === undefined) throw new Error(`${TYPES_FILE} is not a module`);
/** The types types.ts exports, by name. */
const declared = new Map(
  checker
    .getExportsOfModule(moduleSymbol)
    .filter((symbol) => (symbol.flags & ts.SymbolFlags.Type) !== 0)
    .map((symbol) => [symbol.name, checker.getDeclaredTypeOfSymbol(symbol)] as const),
);

function membersOf(type: ts.Type): readonly ts.Type[] {
  return type.isUnion() ? type.types : [type];
}

function isArray(type: ts.Type): boolean {
  return checker.isArrayType(type);
}

/** An object with keys (an interface, an object literal type, a record), not an array nor a primitive. */
function isObject(type: ts.Type): boolean {
  return (type.flags & ts.TypeFlags.Object) !== 0 && !isArray(type);
}

/** The type of a key (without undefined) in the one member of a union that has it. */
function propertyType(type: ts.Type, name: string, path: string): ts.Type {
  const found = membersOf(type).flatMap((member) => {
    const symbol = checker.getPropertyOfType(member, name);
    return symbol === undefined ? [] : [checker.getNonNullableType(checker.getTypeOfSymbol(symbol))];
  });
  if (found.length !== 1 || found[0] === undefined) throw new Error(`${path}: ${found.length} properties ${name}`);
  return found[0];
}

/** The type a MAPPING path names, as the members of a union (one for a plain interface). */
function typeAt(path: string): readonly ts.Type[] {
  const [head = '', ...steps] = path.split(/(?=[.[{])/);
  const named = declared.get(head);
  if (named === undefined) throw new Error(`no type ${head} in types.ts`);
  let type: ts.Type = named;
  for (const step of steps) {
    if (step === '[]') {
      const element = membersOf(type).find(isArray);
      if (element === undefined) throw new Error(`${path}: not an array at ${step}`);
      type = checker.getTypeArguments(element as ts.TypeReference)[0] as ts.Type;
    } else if (step === '{}') {
      const objects: readonly ts.Type[] = membersOf(type).filter(isObject);
      if (objects.length !== 1 || objects[0] === undefined) throw new Error(`${path}: ${objects.length} object members`);
      type = objects[0];
    } else {
      type = propertyType(type, step.slice(1), path);
    }
  }
  return membersOf(type).filter(isObject);
}

/** The keys of a type given as the members of a union: any member's; required when every member requires it. */
function typeKeys(members: readonly ts.Type[]): Keys {
  const counts = new Map<string, number>();
  for (const member of members) {
    for (const symbol of checker.getPropertiesOfType(member)) {
      const required = (symbol.flags & ts.SymbolFlags.Optional) === 0;
      counts.set(symbol.name, (counts.get(symbol.name) ?? 0) + (required ? 1 : 0));
    }
  }
  return new Map(
    [...counts]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, count]) => [name, count === members.length ? 'required' : 'optional'] as const),
  );
}

/** Object types reachable from ScenarioData through properties, array elements and unions; records looked through. */
function reachable(type: ts.Type, seen: Set<ts.Type>): Set<ts.Type> {
  for (const member of membersOf(type)) {
    if (isArray(member)) {
      for (const element of checker.getTypeArguments(member as ts.TypeReference)) reachable(element, seen);
    } else if (isObject(member) && !seen.has(member)) {
      const properties = checker.getPropertiesOfType(member);
      if (properties.length > 0) seen.add(member);
      for (const symbol of properties) reachable(checker.getNonNullableType(checker.getTypeOfSymbol(symbol)), seen);
      const values = checker.getIndexTypeOfType(member, ts.IndexKind.String);
      if (values !== undefined) reachable(values, seen);
    }
  }
  return seen;
}

describe('scenario types and scenario schema', () => {
  it.each(MAPPING)('%s has the keys of %j', (typePath, pointers) => {
    const members = typeAt(typePath);
    expect(members.length, `${typePath}: no object type`).toBeGreaterThan(0);
    const fromTypes = typeKeys(members);
    const fromSchema = new Map(schemaKeys(pointers));
    const indexed = BY_INDEX_SIGNATURE[typePath];
    if (indexed !== undefined) {
      expect(members.every((member) => checker.getIndexTypeOfType(member, ts.IndexKind.String) !== undefined)).toBe(true);
      for (const name of schemaKeys([indexed]).keys()) fromSchema.delete(name);
    }
    expect(Object.fromEntries(fromTypes), `${typePath} (types.ts) against ${pointers.join(' + ')} (schema)`).toEqual(
      Object.fromEntries(fromSchema),
    );
  });

  it('maps every object of the schema', () => {
    const mapped = new Set([...MAPPING.flatMap(([, pointers]) => pointers), ...Object.keys(UNMAPPED_SCHEMA)]);
    expect(schemaObjects(SCHEMA, '#', []).filter((pointer) => !mapped.has(pointer))).toEqual([]);
  });

  it('maps every object type a ScenarioData holds', () => {
    const mapped = new Set(MAPPING.flatMap(([typePath]) => typeAt(typePath)));
    const root = declared.get('ScenarioData');
    if (root === undefined) throw new Error('no ScenarioData');
    const unmapped = [...reachable(root, new Set())].filter((type) => !mapped.has(type)).map((type) => checker.typeToString(type));
    expect(unmapped).toEqual([]);
  });
});
