/**
 * A small, deterministic example value for an OpenAPI (JSON Schema) schema: the same schema always gives the
 * same value. An `example`, `examples[0]`, `default`, `const` or the first `enum` value wins; otherwise a value
 * of the schema's type: strings by `format` (sized to `minLength`/`maxLength`), numbers at `minimum` (or 1,
 * clipped to the bounds, rounded to `multipleOf`), arrays of one item (or `minItems`), objects with their
 * required properties (every property when none is required), `readOnly` properties left out. `allOf` parts are
 * merged, the first of `oneOf`/`anyOf` is used. A `$ref` left in place (a recursive schema) is followed through
 * `root`, and recursion stops at MAX_DEPTH.
 */
export function exampleOf(schema: unknown, root: unknown = undefined): unknown {
  return generate(schema, root, 0);
}

/** How deep objects and arrays nest in a generated value: a recursive schema ends here. */
export const MAX_DEPTH = 6;

const STRING_FORMATS: Readonly<Record<string, string>> = {
  'date-time': '2024-01-01T00:00:00Z',
  date: '2024-01-01',
  time: '12:00:00Z',
  duration: 'P1D',
  email: 'user@example.com',
  'idn-email': 'user@example.com',
  uuid: '00000000-0000-4000-8000-000000000000',
  uri: 'https://example.com/',
  url: 'https://example.com/',
  'uri-reference': '/example',
  iri: 'https://example.com/',
  hostname: 'example.com',
  'idn-hostname': 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  byte: 'c3RyaW5n',
  binary: 'string',
  password: 'string',
  regex: '.*',
};

const GENERATED_STRINGS = new Set(Object.values(STRING_FORMATS));

/** Whether a string is one exampleOf makes up (not one the document gave): `string`, sized, or a format's. */
export function isGeneratedString(text: string): boolean {
  return GENERATED_STRINGS.has(text) || /^stringx*$/.test(text) || (text.length < 6 && 'string'.startsWith(text));
}

type SchemaObject = Readonly<Record<string, unknown>>;

function generate(schema: unknown, root: unknown, depth: number): unknown {
  if (!isObject(schema)) return schema === false ? undefined : 'string';
  const resolved = followRef(schema, root, depth);
  if (resolved === undefined) return undefined;
  const s = resolved;
  const given = givenValue(s);
  if (given !== undefined) return given;
  if (Array.isArray(s['allOf'])) return mergeAll(s, root, depth);
  for (const key of ['oneOf', 'anyOf']) {
    const options = s[key];
    if (Array.isArray(options) && options.length > 0) return generate(options[0], root, depth);
  }
  switch (typeOf(s)) {
    case 'string':
      return stringOf(s);
    case 'integer':
      return numberOf(s, true);
    case 'number':
      return numberOf(s, false);
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array':
      return arrayOf(s, root, depth);
    case 'object':
      return objectOf(s, root, depth);
    default:
      return 'string';
  }
}

/** What the schema itself offers: its example, first example, default, const or first enum value. */
function givenValue(s: SchemaObject): unknown {
  if (s['example'] !== undefined) return s['example'];
  if (Array.isArray(s['examples']) && s['examples'].length > 0) return s['examples'][0];
  if (s['default'] !== undefined) return s['default'];
  if (s['const'] !== undefined) return s['const'];
  if (Array.isArray(s['enum']) && s['enum'].length > 0) return s['enum'][0];
  return undefined;
}

/** A `$ref` (only local ones, `#/…`, are left by the parser) followed through the root document. */
function followRef(schema: SchemaObject, root: unknown, depth: number): SchemaObject | undefined {
  let current = schema;
  for (let hops = 0; typeof current['$ref'] === 'string'; hops++) {
    if (depth >= MAX_DEPTH || hops > MAX_DEPTH) return undefined;
    const target = pointerInto(root, current['$ref']);
    if (!isObject(target)) return undefined;
    current = target;
  }
  return current;
}

function pointerInto(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node = root;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const segment = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isObject(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function typeOf(schema: SchemaObject): string | undefined {
  const type = schema['type'];
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return (type.find((t) => t !== 'null') ?? type[0]) as string | undefined;
  if (schema['properties'] !== undefined || schema['required'] !== undefined) return 'object';
  if (schema['items'] !== undefined) return 'array';
  return undefined;
}

function stringOf(schema: SchemaObject): string {
  const format = typeof schema['format'] === 'string' ? schema['format'] : '';
  let text = STRING_FORMATS[format] ?? 'string';
  const min = nonNegative(schema['minLength']);
  const max = nonNegative(schema['maxLength']);
  if (min !== undefined && text.length < min) text = text.padEnd(min, 'x');
  if (max !== undefined && text.length > max) text = text.slice(0, max);
  return text;
}

function numberOf(schema: SchemaObject, integer: boolean): number {
  const { lower, upper } = boundsOf(schema, integer);
  let value = lower ?? (upper !== undefined && upper < 1 ? upper : 1);
  const step = schema['multipleOf'];
  if (typeof step === 'number' && step > 0) {
    value = Math.ceil(value / step) * step;
    if (upper !== undefined && value > upper) value -= step;
  }
  return integer ? Math.ceil(value) : value;
}

/** The inclusive bounds (OpenAPI 3.0's boolean `exclusiveMinimum` and 3.1's numeric one alike). */
function boundsOf(schema: SchemaObject, integer: boolean): { lower?: number; upper?: number } {
  const nudge = integer ? 1 : 0.5;
  let lower = typeof schema['minimum'] === 'number' ? schema['minimum'] : undefined;
  let upper = typeof schema['maximum'] === 'number' ? schema['maximum'] : undefined;
  const exclusiveMin = schema['exclusiveMinimum'];
  const exclusiveMax = schema['exclusiveMaximum'];
  if (typeof exclusiveMin === 'number') lower = exclusiveMin + nudge;
  else if (exclusiveMin === true && lower !== undefined) lower += nudge;
  if (typeof exclusiveMax === 'number') upper = exclusiveMax - nudge;
  else if (exclusiveMax === true && upper !== undefined) upper -= nudge;
  return { ...(lower === undefined ? {} : { lower }), ...(upper === undefined ? {} : { upper }) };
}

function arrayOf(schema: SchemaObject, root: unknown, depth: number): unknown[] {
  if (depth >= MAX_DEPTH) return [];
  const max = nonNegative(schema['maxItems']);
  const count = Math.min(Math.max(1, nonNegative(schema['minItems']) ?? 0), max ?? Number.MAX_SAFE_INTEGER, 10);
  const item = generate(schema['items'] ?? {}, root, depth + 1);
  if (item === undefined) return [];
  return Array.from({ length: count }, () => item);
}

function objectOf(schema: SchemaObject, root: unknown, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (depth >= MAX_DEPTH) return out;
  const properties = isObject(schema['properties']) ? schema['properties'] : {};
  const required = Array.isArray(schema['required']) ? schema['required'].filter((name) => typeof name === 'string') : undefined;
  const names = required !== undefined && required.length > 0 ? required : Object.keys(properties);
  for (const name of names) {
    const property = properties[name] ?? {};
    if (isObject(property) && property['readOnly'] === true) continue;
    const value = generate(property, root, depth + 1);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** `allOf`: the parts' objects merged (the schema's own properties too); a part that is not an object wins alone. */
function mergeAll(schema: SchemaObject, root: unknown, depth: number): unknown {
  const { allOf, ...own } = schema;
  let merged: Record<string, unknown> = {};
  for (const part of [own, ...(allOf as unknown[])]) {
    if (part === own && Object.keys(own).length === 0) continue;
    const value = generate(part, root, depth);
    if (isObject(value)) merged = { ...merged, ...value };
    else if (value !== undefined && part !== own) return value;
  }
  return merged;
}

function nonNegative(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
