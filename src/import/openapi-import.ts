import { dereference, validate } from '@readme/openapi-parser';
import type { ParserOptions } from '@readme/openapi-parser';
import { ScenarioError } from '../errors.js';
import type { ScenarioIssue } from '../errors.js';
import { displayPath } from '../scenario/source-map.js';
import type { DataPath } from '../scenario/source-map.js';
import type { ImportOptions, ImportResult } from './importer.js';
import { InputDocument } from './input-document.js';
import { withoutTemplates } from './literal-text.js';
import { SecretPlaceholders, isSecretField, isSecretHeader } from './secret-headers.js';
import { exampleOf, isGeneratedString } from './schema-example.js';

/**
 * `loadseed import openapi`: an OpenAPI 3.0 or 3.1 document (YAML or JSON) → one request per operation, each
 * of weight 1 under `requests` (each iteration sends one operation, picked by weight: edit the weights for
 * your traffic mix). Path parameters, required query, header and cookie parameters and JSON (or form, or text)
 * bodies are filled from the document's examples, else generated from their schemas (schema-example.ts,
 * deterministic); `servers[0]` (its variables at their defaults) is the target; security schemes become
 * headers, query parameters or `auth` reading `${ENV}` placeholders; the documented 2xx statuses are expected.
 * The document is validated and dereferenced by @readme/openapi-parser with every resolver off: a `$ref` to
 * another file or a URL is refused (nothing is fetched, nothing else is read).
 */
export async function importOpenApi(text: string, options: ImportOptions): Promise<ImportResult> {
  const input = InputDocument.parse(text, options.file, 'OpenAPI document');
  const document = checkVersion(input);
  refuseExternalRefs(input, document, []);
  const notes: string[] = [];
  await validateDocument(input, document, notes);
  const api = (await dereference(structuredClone(document) as never, {
    ...PARSER_OPTIONS,
    dereference: { circular: 'ignore' },
  })) as unknown as Json;
  return new OpenApiMapper(api, notes, input).scenario(options);
}

type Json = Readonly<Record<string, unknown>>;

const PARSER_OPTIONS: ParserOptions = {
  resolve: { external: false, file: false },
  // Imperfect documents are common; these do not stop a scenario from being written.
  validate: { rules: { openapi: { 'array-without-items': 'warning', 'duplicate-operation-id': 'warning' } } },
};
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const DEFAULT_TARGET = 'http://127.0.0.1:8080';
/** Headers a parameter may not set (OpenAPI ignores these parameters: the request's body and security set them). */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);
const HEADER_VALUE = /^(?:[\x21-\x7e\x80-\xff](?:[\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?$/;

function checkVersion(input: InputDocument): Json {
  const document = input.data;
  if (!isObject(document)) return input.fail([], 'not an OpenAPI document: expected a mapping with an `openapi: 3.x` key');
  if (document['swagger'] !== undefined) {
    return input.fail(
      ['swagger'],
      `Swagger ${scalarText(document['swagger'])} (OpenAPI 2) is not supported: convert it to OpenAPI 3 first (for instance with swagger2openapi)`,
    );
  }
  const version = document['openapi'];
  if (version === undefined) return input.fail([], 'not an OpenAPI document: no `openapi` key (expected `openapi: 3.0.x` or `3.1.x`)');
  if (typeof version !== 'string' || !/^3\.[01]\./.test(version)) {
    return input.fail(['openapi'], `OpenAPI ${scalarText(version)} is not supported: expected 3.0.x or 3.1.x`);
  }
  return document;
}

/** A `$ref` to anything but this document (`#/…`) is refused at its position: nothing is read or fetched. */
function refuseExternalRefs(input: InputDocument, node: unknown, path: (string | number)[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, index) => refuseExternalRefs(input, item, [...path, index]));
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string' && !value.startsWith('#')) {
      input.fail(
        [...path, key],
        `$ref "${value}" points outside this document: only local references (#/…) are read, nothing is fetched (bundle the document first)`,
      );
    }
    refuseExternalRefs(input, value, [...path, key]);
  }
}

/** The parser's validation: its errors located in the input (exit 2), its warnings as notes. */
async function validateDocument(input: InputDocument, document: Json, notes: string[]): Promise<void> {
  const result = await validate(structuredClone(document) as never, PARSER_OPTIONS);
  for (const warning of result.warnings) notes.push(`OpenAPI warning: ${firstLine(warning.message)}`);
  if (result.valid) return;
  const lines = prettyJsonLines(document);
  const issues = result.errors.map((error): ScenarioIssue => {
    const line = /^>\s*(\d+)\s*\|/m.exec(error.message)?.[1];
    const path = line === undefined ? undefined : lines[Number(line) - 1];
    const message = `invalid OpenAPI document: ${firstLine(error.message)}`;
    return path === undefined ? { file: input.file, path: '', message } : input.issue(path, message);
  });
  const more = result.additionalErrors > 0 ? [{ file: input.file, path: '', message: `… and ${result.additionalErrors} more` }] : [];
  throw new ScenarioError(input.file, [...issues, ...more]);
}

/**
 * The data path of each line of `JSON.stringify(value, null, 2)`: the parser's messages quote that text
 * with a line number, which this turns back into a position in the input.
 */
export function prettyJsonLines(value: unknown): DataPath[] {
  const lines: DataPath[] = [[]];
  const walk = (node: unknown, path: DataPath): void => {
    const entries = Array.isArray(node)
      ? node.map((item, index) => [index, item] as const)
      : isObject(node)
        ? Object.entries(node).filter(([, item]) => item !== undefined && typeof item !== 'function')
        : [];
    if (entries.length === 0) return;
    for (const [key, item] of entries) {
      lines.push([...path, key]);
      walk(item, [...path, key]);
    }
    lines.push(path);
  };
  walk(value, []);
  return lines;
}

interface SecurityParts {
  auth?: Json;
  headers: Record<string, string>;
  query: Record<string, string>;
  cookies: string[];
}

class OpenApiMapper {
  readonly #api: Json;
  readonly #notes: string[];
  readonly #input: InputDocument;
  readonly #env: string[] = [];
  /** Example values of secret-looking parameters and fields (`X-API-Key`, `token`, `password`…). */
  readonly #secrets = new SecretPlaceholders();
  #brokeTemplates = false;

  constructor(api: Json, notes: string[], input: InputDocument) {
    this.#api = api;
    this.#notes = notes;
    this.#input = input;
  }

  scenario(options: ImportOptions): ImportResult {
    const info = isObject(this.#api['info']) ? this.#api['info'] : {};
    const operations = this.#operations();
    if (operations.length === 0) this.#input.fail(['paths'], 'the document has no operations: nothing to import');
    const securities = operations.map((operation) => JSON.stringify(operation.security));
    const shared = securities.every((security) => security === securities[0]) ? operations[0]?.security : undefined;
    const requests = operations.map((operation) => this.#request(operation, shared === undefined));
    const defaults = shared === undefined ? undefined : securityDefaults(shared);
    if (this.#brokeTemplates) this.#notes.push(`a "{{" of the document is written {{ $pick('{{') }}: a scenario reads "{{" as a template`);
    this.#notes.push('requests: each iteration sends one, picked by weight (1 each): set the weights to your traffic mix');
    const scenario = {
      ...(typeof info['title'] === 'string' ? { name: info['title'] } : {}),
      target: options.target ?? `\${TARGET_URL:-${this.#target()}}`,
      ...(defaults === undefined || Object.keys(defaults).length === 0 ? {} : { defaults }),
      requests,
    };
    const env = [...this.#env, ...this.#secrets.env.filter((name) => !this.#env.includes(name))];
    return { scenario: this.#secrets.sweep(scenario), notes: [...this.#secrets.notes, ...this.#notes], env };
  }

  #target(): string {
    const servers = this.#api['servers'];
    const server = Array.isArray(servers) && isObject(servers[0]) ? servers[0] : undefined;
    if (server === undefined || typeof server['url'] !== 'string') {
      this.#notes.push(`target: the document has no servers: ${DEFAULT_TARGET} is a guess (set TARGET_URL, or import with --target)`);
      return DEFAULT_TARGET;
    }
    const variables = isObject(server['variables']) ? server['variables'] : {};
    const url = server['url'].replace(/\{([^}]*)\}/g, (whole, name: string) => {
      const variable = variables[name];
      return isObject(variable) && variable['default'] !== undefined ? scalarText(variable['default']) : whole;
    });
    if (!/^https?:\/\/[^{}\s]+$/i.test(url)) {
      const path = /^\/[^{}\s]*$/.test(url) ? url.replace(/\/+$/, '') : '';
      const guess = `${DEFAULT_TARGET}${path}`;
      this.#notes.push(
        `target: servers[0].url "${url}" is not an absolute http(s) URL: ${guess} is a guess (set TARGET_URL, or import with --target)`,
      );
      return guess;
    }
    return url.replace(/\/+$/, '');
  }

  #operations(): Operation[] {
    const paths = isObject(this.#api['paths']) ? this.#api['paths'] : {};
    const out: Operation[] = [];
    for (const [path, item] of Object.entries(paths)) {
      if (!isObject(item)) continue;
      for (const method of METHODS) {
        const operation = item[method];
        if (!isObject(operation)) continue;
        const where: DataPath = ['paths', path, method];
        if (method === 'trace') {
          this.#notes.push(`${displayPath(where)}: TRACE is not a method loadseed sends: left out`);
          continue;
        }
        out.push({
          path,
          method,
          where,
          operation,
          parameters: mergedParameters(item['parameters'], operation['parameters']),
          security: this.#security(operation, where),
        });
      }
    }
    return out;
  }

  #request(operation: Operation, withSecurity: boolean): Json {
    const { method } = operation;
    const operationId = operation.operation['operationId'];
    const name = typeof operationId === 'string' ? operationId : `${method.toUpperCase()} ${operation.path}`;
    const { path, query, headers, cookies } = this.#parameters(operation);
    const security = withSecurity ? securityParts(operation.security) : undefined;
    if (security !== undefined) {
      Object.assign(headers, security.headers);
      Object.assign(query, security.query);
      cookies.push(...security.cookies);
    }
    if (cookies.length > 0) headers['cookie'] = cookies.join('; ');
    const expect = expectedStatuses(operation.operation['responses']);
    return {
      name,
      ...(method === 'get' ? {} : { method: method.toUpperCase() }),
      path: this.#literal(path),
      ...(Object.keys(query).length === 0 ? {} : { query }),
      ...(Object.keys(headers).length === 0 ? {} : { headers }),
      ...(security?.auth === undefined ? {} : { auth: security.auth }),
      ...this.#body(operation),
      ...(expect === undefined ? {} : { expect }),
      weight: 1,
    };
  }

  /** Path parameters filled in, required query, header and cookie parameters given values. */
  #parameters(operation: Operation): { path: string; query: Record<string, unknown>; headers: Record<string, string>; cookies: string[] } {
    const out = {
      path: operation.path,
      query: {} as Record<string, unknown>,
      headers: {} as Record<string, string>,
      cookies: [] as string[],
    };
    for (const [index, parameter] of operation.parameters.entries()) {
      const name = typeof parameter['name'] === 'string' ? parameter['name'] : '';
      const place = parameter['in'];
      const at = `${displayPath(operation.where)}.parameters[${index}] (${name})`;
      if (place !== 'path' && parameter['required'] !== true) continue;
      const value = parameterValue(parameter, this.#api);
      if (value === undefined) {
        this.#notes.push(`${at}: no example and no schema: left out`);
        continue;
      }
      if (place === 'path') out.path = out.path.replaceAll(`{${name}}`, encodeURIComponent(scalarText(value)));
      else if (place === 'query') this.#queryParameter(out.query, name, value, at);
      else if (place === 'header') this.#headerParameter(out.headers, name, value, at);
      else if (place === 'cookie') out.cookies.push(`${name}=${encodeURIComponent(scalarText(value))}`);
    }
    return out;
  }

  #queryParameter(query: Record<string, unknown>, name: string, value: unknown, at: string): void {
    if (isObject(value)) this.#notes.push(`${at}: an object query parameter is not mapped (its style is not followed)`);
    else if (typeof value === 'string' && isSecretField(name)) query[name] = this.#secret(value, name, at);
    else query[name] = this.#literal(Array.isArray(value) ? value.map(queryScalar) : queryScalar(value));
  }

  #headerParameter(headers: Record<string, string>, name: string, value: unknown, at: string): void {
    if (IGNORED_HEADERS.has(name.toLowerCase())) return;
    const text = scalarText(value);
    if (isSecretHeader(name)) headers[name] = this.#secret(text, name, at);
    else if (HEADER_VALUE.test(text)) headers[name] = this.#literal(text);
    else this.#notes.push(`${at}: the example is not a valid header value: left out`);
  }

  #body(operation: Operation): Json {
    const body = operation.operation['requestBody'];
    if (!isObject(body) || !isObject(body['content'])) return {};
    const content = body['content'];
    const types = Object.keys(content);
    const at = `${displayPath([...operation.where, 'requestBody'])}`;
    const json = types.find((type) => /^application\/(?:[\w.+-]*\+)?json\b/i.test(type) || type === '*/*');
    const form = types.find((type) => /^application\/x-www-form-urlencoded\b/i.test(type));
    const text = types.find((type) => /^text\//i.test(type));
    const chosen = json ?? form ?? text;
    if (chosen === undefined) {
      this.#notes.push(`${at}: a body of ${types.join(', ') || 'no type'} is not generated: add it yourself`);
      return {};
    }
    const media = isObject(content[chosen]) ? content[chosen] : {};
    const value = mediaExample(media, this.#api);
    if (value === undefined) return {};
    if (chosen === json) {
      const headers = /^application\/json\b/i.test(chosen) || chosen === '*/*' ? {} : { headers: { 'content-type': chosen } };
      return { json: this.#secretFields(this.#literal(value), at), ...headers };
    }
    if (chosen === form) {
      if (!isObject(value)) {
        this.#notes.push(`${at}: the form example is not an object: left out`);
        return {};
      }
      return {
        form: this.#secretFields(
          Object.fromEntries(
            Object.entries(value).map(([key, item]) => [
              key,
              this.#literal(isObject(item) || Array.isArray(item) ? JSON.stringify(item) : scalarText(item)),
            ]),
          ),
          at,
        ),
      };
    }
    return { body: this.#literal(typeof value === 'string' ? value : JSON.stringify(value)), headers: { 'content-type': chosen } };
  }

  /**
   * A secret-looking value as a `${ENV}` placeholder: the document's example (never written) or, for a value made
   * up here, a placeholder of its own (a made-up password is no use against a real server either).
   */
  #secret(value: string, name: string, at: string): string {
    return isGeneratedString(value)
      ? this.#secrets.missing(name, `the value of ${at}`)
      : this.#secrets.placeholder(value, name, `the example of ${at}`);
  }

  /** A body's secret-looking string fields (`password`, `token`…, at any depth) as `${ENV}` placeholders. */
  #secretFields<T>(value: T, at: string): T {
    const walk = (node: unknown, where: string): unknown => {
      if (Array.isArray(node)) return node.map((item) => walk(item, where));
      if (!isObject(node)) return node;
      return Object.fromEntries(
        Object.entries(node).map(([name, item]) => [
          name,
          typeof item === 'string' && isSecretField(name) ? this.#secret(item, name, `${where}.${name}`) : walk(item, `${where}.${name}`),
        ]),
      );
    };
    return walk(value, at) as T;
  }

  /** The first alternative of the operation's security requirement (or the document's) as headers, query or auth. */
  #security(operation: Json, where: DataPath): SecurityParts {
    const requirements = operation['security'] ?? this.#api['security'];
    const parts: SecurityParts = { headers: {}, query: {}, cookies: [] };
    if (!Array.isArray(requirements) || requirements.length === 0) return parts;
    const chosen: unknown = requirements.find((requirement) => isObject(requirement) && Object.keys(requirement).length > 0);
    if (requirements.length > 1 && chosen !== undefined) {
      this.#notes.push(
        `${displayPath([...where, 'security'])}: ${requirements.length} alternatives; the first, ${Object.keys(chosen as Json).join(' + ')}, is used`,
      );
    }
    if (!isObject(chosen)) return parts;
    const components = isObject(this.#api['components']) ? this.#api['components'] : {};
    const schemes = isObject(components['securitySchemes']) ? components['securitySchemes'] : {};
    for (const schemeName of Object.keys(chosen)) this.#scheme(parts, schemeName, schemes[schemeName]);
    return parts;
  }

  /** One security scheme of a requirement into the parts. */
  #scheme(parts: SecurityParts, schemeName: string, scheme: unknown): void {
    const at = displayPath(['components', 'securitySchemes', schemeName]);
    if (!isObject(scheme)) {
      this.#note(`${at}: no such security scheme: left out`);
      return;
    }
    const base = envNameOf(schemeName);
    const type = scalarText(scheme['type']);
    const httpScheme = typeof scheme['scheme'] === 'string' ? scheme['scheme'].toLowerCase() : '';
    if ((type === 'http' && httpScheme === 'bearer') || type === 'oauth2' || type === 'openIdConnect') {
      const set = this.#setAuth(
        parts,
        { bearer: this.#placeholder(`${base}_TOKEN`, `the ${type === 'http' ? 'bearer' : type} token of ${at}`) },
        at,
      );
      if (set && type !== 'http') {
        this.#note(`${at}: ${type}: get a token yourself and set ${base}_TOKEN; loadseed does not run the ${type} flow`);
      }
    } else if (type === 'http' && httpScheme === 'basic') {
      const username = this.#placeholder(`${base}_USERNAME`, `the basic-auth username of ${at}`);
      const password = this.#placeholder(`${base}_PASSWORD`, `the basic-auth password of ${at}`);
      this.#setAuth(parts, { basic: { username, password } }, at);
    } else if (type === 'apiKey' && typeof scheme['name'] === 'string') {
      const place = scalarText(scheme['in']);
      const value = this.#placeholder(base, `the API key (in ${place}) of ${at}`);
      if (place === 'header') parts.headers[scheme['name']] = value;
      else if (place === 'query') parts.query[scheme['name']] = value;
      else if (place === 'cookie') parts.cookies.push(`${scheme['name']}=${value}`);
    } else {
      this.#note(
        `${at}: a ${type}${httpScheme === '' ? '' : ` ${httpScheme}`} security scheme is not mapped: add its credentials yourself`,
      );
    }
  }

  #setAuth(parts: SecurityParts, auth: Json, at: string): boolean {
    if (parts.auth !== undefined) {
      this.#note(`${at}: a second credential scheme in one requirement: left out (a request has one auth)`);
      return false;
    }
    parts.auth = auth;
    return true;
  }

  /** `${NAME}`, and a note saying where the value is read from (noted once per name). */
  #placeholder(name: string, what: string): string {
    if (!this.#env.includes(name)) {
      this.#env.push(name);
      this.#notes.push(`credential: \${${name}} stands for ${what}`);
    }
    return `\${${name}}`;
  }

  #note(note: string): void {
    if (!this.#notes.includes(note)) this.#notes.push(note);
  }

  #literal<T>(value: T): T {
    return withoutTemplates(value, () => (this.#brokeTemplates = true));
  }
}

interface Operation {
  readonly path: string;
  readonly method: (typeof METHODS)[number];
  readonly where: DataPath;
  readonly operation: Json;
  readonly parameters: readonly Json[];
  readonly security: SecurityParts;
}

function securityParts(security: SecurityParts): SecurityParts | undefined {
  const empty =
    security.auth === undefined &&
    Object.keys(security.headers).length === 0 &&
    Object.keys(security.query).length === 0 &&
    security.cookies.length === 0;
  return empty ? undefined : security;
}

/** The credentials every operation shares, as `defaults`. */
function securityDefaults(security: SecurityParts): Json {
  const headers: Record<string, string> = { ...security.headers };
  if (security.cookies.length > 0) headers['cookie'] = security.cookies.join('; ');
  return {
    ...(Object.keys(headers).length === 0 ? {} : { headers }),
    ...(Object.keys(security.query).length === 0 ? {} : { query: security.query }),
    ...(security.auth === undefined ? {} : { auth: security.auth }),
  };
}

/** The path item's parameters with the operation's over them (same name and place). */
function mergedParameters(pathLevel: unknown, operationLevel: unknown): Json[] {
  const byKey = new Map<string, Json>();
  for (const list of [pathLevel, operationLevel]) {
    if (!Array.isArray(list)) continue;
    for (const parameter of list) if (isObject(parameter)) byKey.set(`${String(parameter['in'])}:${String(parameter['name'])}`, parameter);
  }
  return [...byKey.values()];
}

function parameterValue(parameter: Json, api: Json): unknown {
  if (parameter['example'] !== undefined) return parameter['example'];
  const example = firstExample(parameter['examples']);
  if (example !== undefined) return example;
  if (parameter['schema'] !== undefined) return exampleOf(parameter['schema'], api);
  if (isObject(parameter['content'])) {
    const media = Object.values(parameter['content'])[0];
    if (isObject(media)) return mediaExample(media, api);
  }
  return undefined;
}

function mediaExample(media: Json, api: Json): unknown {
  if (media['example'] !== undefined) return media['example'];
  const example = firstExample(media['examples']);
  if (example !== undefined) return example;
  return media['schema'] === undefined ? undefined : exampleOf(media['schema'], api);
}

/** The first `examples` entry's inline `value` (an `externalValue` is not fetched). */
function firstExample(examples: unknown): unknown {
  if (!isObject(examples)) return undefined;
  for (const example of Object.values(examples)) if (isObject(example) && example['value'] !== undefined) return example['value'];
  return undefined;
}

/** The documented 2xx statuses (`2XX` and `default` leave loadseed's own default: any status below 400). */
function expectedStatuses(responses: unknown): number | number[] | undefined {
  if (!isObject(responses)) return undefined;
  const statuses = Object.keys(responses)
    .filter((code) => /^2\d\d$/.test(code))
    .map(Number)
    .sort((a, b) => a - b);
  if (statuses.length === 0) return undefined;
  return statuses.length === 1 ? statuses[0] : statuses;
}

/** An environment variable's name from a scheme's: `bearerAuth` → `BEARER_AUTH`. */
export function envNameOf(name: string): string {
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
  return snake === '' ? 'API_CREDENTIAL' : /^[0-9]/.test(snake) ? `_${snake}` : snake;
}

/** A query value as written: a number or boolean stays one. */
function queryScalar(value: unknown): string | number | boolean {
  return typeof value === 'number' || typeof value === 'boolean' ? value : scalarText(value);
}

function scalarText(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
