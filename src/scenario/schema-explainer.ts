import type { ErrorObject } from 'ajv/dist/2020.js';
import { closest, distance } from 'fastest-levenshtein';
import { pointerToPath } from './source-map.js';
import type { DataPath } from './source-map.js';

/** A schema problem before it is located in the file: the data path, and whether the key or the value is wrong. */
export interface IssueDraft {
  readonly path: DataPath;
  readonly at: 'key' | 'value';
  readonly message: string;
}

type SchemaNode = { readonly [key: string]: unknown };
/** Compiles (once) and returns the validator of the subschema at a JSON pointer into the root schema. */
export type SubschemaValidator = (pointer: string) => ((data: unknown) => ErrorObject[]) | undefined;

/** Keywords that judge a value itself, where a schema's `errorMessage` reads better than ajv's words. */
const VALUE_KEYWORDS = new Set([
  'type',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'const',
  'enum',
  'minLength',
  'maxLength',
  'multipleOf',
  'format',
]);

/**
 * Turns ajv's errors into one message per problem, in words a scenario author understands.
 *
 * ajv reports every failing branch of an `anyOf` (a duration is "a string matching ... or a number"),
 * which reads as noise. For each outermost failing `anyOf`, this keeps only the branch whose type fits
 * the value (an object value is explained by the object branch, re-validated alone); a scalar gets the
 * schema's `errorMessage`. Unknown keys get the nearest valid key as a suggestion.
 */
export class SchemaExplainer {
  readonly #root: SchemaNode;
  readonly #subschema: SubschemaValidator;
  readonly #pointers = new Map<string, string>();

  constructor(root: SchemaNode, subschema: SubschemaValidator) {
    this.#root = root;
    this.#subschema = subschema;
    this.#index(root, '');
  }

  explain(errors: readonly ErrorObject[], base: DataPath = []): IssueDraft[] {
    // An error is within a choice (an anyOf or oneOf) at its path or below it; ajv reports a choice after the
    // errors of its branches, so at the same path, only errors before it. Found through maps of paths, not by
    // comparing every error with every choice: a file of 30,000 mistakes is explained in linear time.
    const relevant = errors.filter((error) => error.keyword !== 'if');
    const isChoice = (error: ErrorObject): boolean => error.keyword === 'anyOf' || error.keyword === 'oneOf';
    const lastChoiceAt = new Map<string, number>();
    relevant.forEach((error, index) => {
      if (isChoice(error)) lastChoiceAt.set(error.instancePath, index);
    });
    const outermost: ErrorObject[] = [];
    const lastOutermostAt = new Map<string, number>();
    relevant.forEach((error, index) => {
      if (!isChoice(error) || lastChoiceAt.get(error.instancePath) !== index || hasAncestorIn(error.instancePath, lastChoiceAt)) return;
      outermost.push(error);
      lastOutermostAt.set(error.instancePath, index);
    });

    const drafts: IssueDraft[] = [];
    for (const choice of outermost) drafts.push(...this.#explainChoice(choice, base));
    relevant.forEach((error, index) => {
      if ((lastOutermostAt.get(error.instancePath) ?? -1) >= index || hasAncestorIn(error.instancePath, lastOutermostAt)) return;
      const draft = this.#describe(error, base);
      if (draft !== undefined) drafts.push(draft);
    });
    const seen = new Set<string>();
    return drafts.filter((draft) => {
      const key = `${draft.path.join('\u0000')}\u0001${draft.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  #explainChoice(choice: ErrorObject, base: DataPath): IssueDraft[] {
    const path = [...base, ...pointerToPath(choice.instancePath)];
    const branches = Array.isArray(choice.schema) ? (choice.schema as SchemaNode[]) : [];
    const type = jsonTypeOf(choice.data);
    if (type === 'object' || type === 'array') {
      const index = branches.findIndex((branch) => this.#accepts(branch, type));
      const pointer = this.#pointers.get(JSON.stringify(choice.schema));
      const validate = index >= 0 && pointer !== undefined ? this.#subschema(`${pointer}/${index}`) : undefined;
      const drafts = validate === undefined ? [] : this.explain(validate(choice.data), path);
      if (drafts.length > 0) return drafts;
    }
    const message = errorMessageOf(choice.parentSchema) ?? `expected ${branches.map(describeType).join(' or ')}`;
    return [{ path, at: 'value', message: `${message}${got(choice.data)}` }];
  }

  #describe(error: ErrorObject, base: DataPath): IssueDraft | undefined {
    const path = [...base, ...pointerToPath(error.instancePath)];
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case 'required':
        return { path, at: 'key', message: `missing required key "${String(params['missingProperty'])}"` };
      case 'additionalProperties':
      case 'unevaluatedProperties': {
        const key = String(params['additionalProperty'] ?? params['unevaluatedProperty']);
        const known = this.#keysOf(error.parentSchema, error.data);
        // After a failed `then`, its valid keys count as unevaluated too: those are not unknown.
        if (known.includes(key)) return undefined;
        return { path: [...path, key], at: 'key', message: unknownKeyMessage(key, known) };
      }
      case 'enum': {
        const allowed = (params['allowedValues'] as unknown[]).map((value) => String(value));
        const suggestion = typeof error.data === 'string' ? suggest(error.data, allowed) : '';
        return { path, at: 'value', message: `expected one of ${allowed.join(', ')}${got(error.data)}${suggestion}` };
      }
      default:
        break;
    }
    const custom = VALUE_KEYWORDS.has(error.keyword) ? errorMessageOf(error.parentSchema) : undefined;
    if (error.keyword === 'minItems' && Array.isArray(error.data)) {
      const count = error.data.length;
      return { path, at: 'value', message: `${plainMessage(error, params)} (got ${count === 0 ? 'an empty list' : `${count}`})` };
    }
    return { path, at: 'value', message: `${custom ?? plainMessage(error, params)}${got(error.data)}` };
  }

  /** Keys a schema allows for this data: its properties, those of its allOf parts and of `then`s that apply. */
  #keysOf(schema: SchemaNode | undefined, data: unknown): string[] {
    const node = this.#deref(schema);
    if (node === undefined) return [];
    const keys = Object.keys((node['properties'] as SchemaNode | undefined) ?? {});
    for (const part of (node['allOf'] as SchemaNode[] | undefined) ?? []) keys.push(...this.#keysOf(part, data));
    const condition = node['if'] as SchemaNode | undefined;
    if (condition !== undefined && matchesConstants(condition, data)) {
      keys.push(...this.#keysOf(node['then'] as SchemaNode | undefined, data));
    }
    return [...new Set(keys)];
  }

  #accepts(schema: SchemaNode, type: string): boolean {
    const node = this.#deref(schema);
    if (node === undefined) return true;
    const declared = node['type'];
    if (declared !== undefined) {
      const types = Array.isArray(declared) ? (declared as string[]) : [declared as string];
      return types.includes(type) || (type === 'integer' && types.includes('number'));
    }
    if ('const' in node) return jsonTypeOf(node['const']) === type;
    const branches = (node['anyOf'] ?? node['oneOf']) as SchemaNode[] | undefined;
    if (branches !== undefined) return branches.some((branch) => this.#accepts(branch, type));
    return true;
  }

  #deref(schema: SchemaNode | undefined): SchemaNode | undefined {
    let node = schema;
    for (let hops = 0; node !== undefined && typeof node['$ref'] === 'string' && hops < 16; hops++) {
      node = pointerToPath(node['$ref'].slice(1)).reduce<unknown>(
        (at, segment) => (at as SchemaNode | undefined)?.[segment],
        this.#root,
      ) as SchemaNode | undefined;
    }
    return node;
  }

  #index(node: unknown, pointer: string): void {
    if (node === null || typeof node !== 'object') return;
    const key = JSON.stringify(node);
    if (!this.#pointers.has(key)) this.#pointers.set(key, pointer);
    for (const [name, child] of Object.entries(node)) {
      this.#index(child, `${pointer}/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`);
    }
  }
}

/** Whether a strict ancestor of an instance path (`/a/b` for `/a/b/c`, down to the root `""`) is a key of `paths`. */
function hasAncestorIn(path: string, paths: ReadonlyMap<string, unknown>): boolean {
  if (path === '') return false;
  for (let at = path.lastIndexOf('/'); at >= 0; at = at === 0 ? -1 : path.lastIndexOf('/', at - 1)) {
    if (paths.has(path.slice(0, at))) return true;
  }
  return false;
}

function errorMessageOf(schema: unknown): string | undefined {
  const message = (schema as SchemaNode | undefined)?.['errorMessage'];
  return typeof message === 'string' ? message : undefined;
}

function plainMessage(error: ErrorObject, params: Record<string, unknown>): string {
  switch (error.keyword) {
    case 'type':
      return `expected ${describeType({ type: params['type'] })}`;
    case 'const':
      return `expected ${JSON.stringify(params['allowedValue'])}`;
    case 'minItems':
      return `expected at least ${String(params['limit'])} item${params['limit'] === 1 ? '' : 's'}`;
    case 'minLength':
      return params['limit'] === 1 ? 'must not be empty' : `expected at least ${String(params['limit'])} characters`;
    case 'minProperties':
    case 'maxProperties':
      return `expected ${error.keyword === 'minProperties' ? 'at least' : 'at most'} ${String(params['limit'])} key(s)`;
    case 'pattern':
      return `does not have the expected form (${String(params['pattern'])})`;
    default:
      return error.message ?? error.keyword;
  }
}

function describeType(schema: unknown): string {
  const node = schema as SchemaNode;
  if ('const' in node) return JSON.stringify(node['const']);
  const type = node['type'];
  const names: Record<string, string> = {
    integer: 'a whole number',
    number: 'a number',
    string: 'a string',
    boolean: 'true or false',
    object: 'a mapping (key: value)',
    array: 'a list',
    null: 'null',
  };
  const types = Array.isArray(type) ? (type as string[]) : typeof type === 'string' ? [type] : [];
  return types.length === 0 ? 'another value' : types.map((name) => names[name] ?? name).join(' or ');
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** ` (got "fifty")` for scalars, ` (got a list)` / ` (got a mapping)` otherwise. */
function got(value: unknown): string {
  const type = jsonTypeOf(value);
  if (type === 'object') return ' (got a mapping)';
  if (type === 'array') return ' (got a list)';
  if (value === undefined) return '';
  // JSON.stringify writes Infinity and NaN (YAML .inf, .nan, 1e400) as null.
  const text = typeof value === 'number' ? String(value) : JSON.stringify(value);
  return ` (got ${text.length > 60 ? `${text.slice(0, 57)}...` : text})`;
}

function suggest(word: string, candidates: readonly string[]): string {
  if (candidates.length === 0) return '';
  const nearest = closest(word, [...candidates]);
  return distance(word.toLowerCase(), nearest.toLowerCase()) <= Math.max(2, Math.floor(word.length / 3))
    ? `; did you mean "${nearest}"?`
    : '';
}

/** Keys of flow steps that are not requests: in a request (of `requests` or `setup`), said so. */
const FLOW_ONLY_STEP_KEYS: ReadonlySet<string> = new Set(['sse', 'stream']);

function unknownKeyMessage(key: string, known: readonly string[]): string {
  if (FLOW_ONLY_STEP_KEYS.has(key) && known.includes('method')) {
    return `unknown key "${key}" in a request: ${key}: steps are flow steps (put them in flows or before)`;
  }
  const suggestion = suggest(key, known);
  if (suggestion !== '') return `unknown key "${key}"${suggestion}`;
  return known.length > 0 && known.length <= 16 ? `unknown key "${key}"; expected one of ${known.join(', ')}` : `unknown key "${key}"`;
}

/** Whether data satisfies an `if` made of `properties: {x: {const}}` and `required` (all this schema uses). */
function matchesConstants(condition: SchemaNode, data: unknown): boolean {
  if (data === null || typeof data !== 'object') return false;
  const record = data as Record<string, unknown>;
  const properties = (condition['properties'] as Record<string, SchemaNode> | undefined) ?? {};
  return Object.entries(properties).every(([key, schema]) => !('const' in schema) || record[key] === schema['const']);
}
