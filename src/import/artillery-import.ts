import { displayPath } from '../scenario/source-map.js';
import type { DataPath } from '../scenario/source-map.js';
import { durationOf, loadOfPhases } from './artillery-phases.js';
import { convertTemplates, convertValue } from './artillery-templates.js';
import type { TemplateContext } from './artillery-templates.js';
import type { ImportOptions, ImportResult } from './importer.js';
import { InputDocument } from './input-document.js';
import { SecretPlaceholders, isSecretField, isSecretHeader } from './secret-headers.js';

/**
 * `loadseed import artillery`: an Artillery script (YAML or JSON) → a scenario. `config.target` is the target,
 * `config.phases` the open-model load (artillery-phases.ts), `config.defaults.headers` and `config.http.timeout`
 * the defaults, `config.variables` the variables (a list: its first value), `config.payload` the data files
 * (a CSV without a header row read with `columns`), `config.ensure` the thresholds; each HTTP scenario is a flow
 * of its weight, its actions (get/post/put/patch/delete/head/options with url, headers, qs, json, body, form,
 * auth, capture, expect; think; loop with count) steps. What has no equivalent (processors and their hooks,
 * `function`, `log`, `ifTrue`, loops `over` a variable, other engines…) is left out and listed in the notes
 * with its path. Secrets of headers, credentials and secret-looking fields become `${ENV}` placeholders.
 */
export function importArtillery(text: string, options: ImportOptions): ImportResult {
  const input = InputDocument.parse(text, options.file, 'Artillery script');
  return new ArtilleryMapper(input).scenario(options);
}

type Json = Readonly<Record<string, unknown>>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;
const DEFAULT_TARGET = 'http://127.0.0.1:8080';
/** `config` keys mapped (or deliberately read) here; any other is noted. */
const CONFIG_KEYS = new Set(['target', 'phases', 'defaults', 'http', 'variables', 'payload', 'ensure', 'plugins', 'processor', 'engines']);
const ENSURE_KEYS: Readonly<Record<string, string>> = {
  p50: 'p50_latency_ms',
  median: 'p50_latency_ms',
  p75: 'p75_latency_ms',
  p90: 'p90_latency_ms',
  p95: 'p95_latency_ms',
  p99: 'p99_latency_ms',
  p999: 'p99.9_latency_ms',
  max: 'max_latency_ms',
};

class ArtilleryMapper {
  readonly #input: InputDocument;
  readonly #notes: string[] = [];
  readonly #secrets = new SecretPlaceholders();
  readonly #templates: TemplateContext = { variables: new Set(), env: new Set(), notes: [] };
  /** Variables a scenario defines: `config.variables`, payload fields, captures. */
  readonly #defined = new Set<string>();

  constructor(input: InputDocument) {
    this.#input = input;
  }

  scenario(options: ImportOptions): ImportResult {
    const root = this.#input.data;
    if (!isObject(root)) return this.#input.fail([], 'not an Artillery script: expected `config` and a list of `scenarios`');
    if (!Array.isArray(root['scenarios'])) {
      return this.#input.fail(
        root['scenarios'] === undefined ? [] : ['scenarios'],
        'not an Artillery script: expected a list of `scenarios`',
      );
    }
    const script = root;
    const config = isObject(script['config']) ? script['config'] : {};
    if (script['config'] !== undefined && !isObject(script['config'])) this.#input.fail(['config'], 'expected a mapping');
    for (const key of Object.keys(script)) {
      if (key !== 'config' && key !== 'scenarios') this.#notes.push(`${key}: not mapped`);
    }
    this.#configNotes(config);
    const variables = this.#variables(config['variables']);
    const data = this.#payload(config['payload']);
    const defaults = this.#defaults(config);
    const flows = this.#flows(script['scenarios'] as unknown[]);
    const load = loadOfPhases(this.#input, config['phases'], this.#notes);
    const sla = this.#ensure(config['ensure']);
    this.#defineMissing(variables);
    const scenario: Record<string, unknown> = {
      target: options.target ?? `\${TARGET_URL:-${this.#target(config['target'])}}`,
      ...(defaults === undefined ? {} : { defaults }),
      ...(Object.keys(variables).length === 0 ? {} : { variables }),
      ...(data.length === 0 ? {} : { data }),
      flows,
      ...(load === undefined ? {} : { load }),
      ...(sla === undefined ? {} : { sla }),
    };
    const swept = this.#secrets.sweep(scenario);
    const env = [...this.#secrets.env, ...[...this.#templates.env].filter((name) => !this.#secrets.env.includes(name))];
    const notes = [
      ...this.#secrets.notes,
      ...[...this.#templates.env].map((name) => `environment: \${${name}} stands for the script's $processEnvironment.${name}`),
      ...this.#notes,
      ...this.#templates.notes,
    ];
    return { scenario: swept, notes, env };
  }

  #target(target: unknown): string {
    if (typeof target === 'string' && /^https?:\/\/[^{}\s]+$/i.test(target)) return target.replace(/\/+$/, '');
    this.#notes.push(
      `config.target ${target === undefined ? 'is missing' : `${JSON.stringify(target)} is not an http(s) URL`}: ${DEFAULT_TARGET} is a guess (set TARGET_URL, or import with --target)`,
    );
    return DEFAULT_TARGET;
  }

  #configNotes(config: Json): void {
    for (const key of Object.keys(config)) if (!CONFIG_KEYS.has(key)) this.#notes.push(`config.${key}: not mapped`);
    if (config['processor'] !== undefined)
      this.#notes.push('config.processor: JavaScript processors are not run: their functions and hooks are left out');
    if (isObject(config['plugins'])) {
      for (const plugin of Object.keys(config['plugins']))
        if (plugin !== 'expect') this.#notes.push(`config.plugins.${plugin}: not mapped`);
    }
    if (config['engines'] !== undefined) this.#notes.push('config.engines: not mapped (only HTTP scenarios are imported)');
    const http = isObject(config['http']) ? config['http'] : {};
    for (const key of Object.keys(http)) if (key !== 'timeout') this.#notes.push(`config.http.${key}: not mapped`);
  }

  #defaults(config: Json): Json | undefined {
    const defaults = isObject(config['defaults']) ? config['defaults'] : {};
    for (const key of Object.keys(defaults)) if (key !== 'headers') this.#notes.push(`config.defaults.${key}: not mapped`);
    const headers = isObject(defaults['headers']) ? this.#headers(defaults['headers'], ['config', 'defaults', 'headers']) : undefined;
    const http = isObject(config['http']) ? config['http'] : {};
    const timeout =
      http['timeout'] === undefined ? undefined : durationOf(this.#input, http['timeout'], ['config', 'http', 'timeout']).text;
    if (headers === undefined && timeout === undefined) return undefined;
    return { ...(headers === undefined ? {} : { headers }), ...(timeout === undefined ? {} : { timeout }) };
  }

  /** `config.variables`: a scalar as is; a list (Artillery picks one per virtual user) its first value. */
  #variables(variables: unknown): Record<string, string | number | boolean> {
    const out: Record<string, string | number | boolean> = {};
    if (variables === undefined) return out;
    if (!isObject(variables)) return this.#input.fail(['config', 'variables'], 'expected a mapping of names to values');
    for (const [name, value] of Object.entries(variables)) {
      const where = `config.variables.${name}`;
      const first = Array.isArray(value) ? (value[0] as unknown) : value;
      if (Array.isArray(value) && value.length > 1)
        this.#notes.push(`${where}: a list of ${value.length} values; the first is used (loadseed variables are static)`);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || !isScalar(first)) {
        this.#notes.push(`${where}: not mapped (a variable is a name with a string, number or boolean value)`);
        continue;
      }
      this.#defined.add(name);
      out[name] =
        typeof first === 'string' && isSecretField(name) && !first.includes('{{')
          ? this.#secrets.placeholder(first, name, `in ${where}`)
          : typeof first === 'string'
            ? convertTemplates(first, where, this.#templates)
            : first;
    }
    return out;
  }

  /** `config.payload` (one or a list): CSV files, their `fields` as `columns` unless the file has a header row. */
  #payload(payload: unknown): Json[] {
    if (payload === undefined) return [];
    const list = Array.isArray(payload) ? payload : [payload];
    const out: Json[] = [];
    for (const [index, item] of list.entries()) {
      const path: DataPath = Array.isArray(payload) ? ['config', 'payload', index] : ['config', 'payload'];
      const where = displayPath(path);
      if (!isObject(item) || typeof item['path'] !== 'string') return this.#input.fail(path, 'expected a payload: {path, fields}');
      const fields = Array.isArray(item['fields']) ? item['fields'].filter((field): field is string => typeof field === 'string') : [];
      const order = item['order'] === 'sequence' ? {} : { order: 'random' };
      const delimiter = typeof item['delimiter'] === 'string' && item['delimiter'] !== ',' ? { delimiter: item['delimiter'] } : {};
      for (const key of Object.keys(item)) {
        if (!['path', 'fields', 'order', 'delimiter', 'skipHeader'].includes(key)) this.#notes.push(`${where}.${key}: not mapped`);
      }
      if (item['skipHeader'] === true) {
        this.#notes.push(`${where}: the columns are named by ${item['path']}'s header row, which must hold ${fields.join(', ')}`);
        out.push({ file: item['path'], format: 'csv', ...order, when_exhausted: 'cycle', ...delimiter });
      } else {
        out.push({ file: item['path'], format: 'csv', ...order, when_exhausted: 'cycle', ...delimiter, columns: fields });
      }
      for (const field of fields) this.#defined.add(field);
      this.#notes.push(`${where}: ${item['path']} is read relative to the scenario file, as Artillery reads it relative to the script`);
    }
    return out;
  }

  #flows(scenarios: readonly unknown[]): Json[] {
    const flows: Json[] = [];
    const names = new Set<string>();
    // Captures first: a flow may read what another captures (each flow's steps are checked against all).
    for (const scenario of scenarios) if (isObject(scenario) && Array.isArray(scenario['flow'])) this.#collectCaptures(scenario['flow']);
    for (const [index, scenario] of scenarios.entries()) {
      const path: DataPath = ['scenarios', index];
      if (!isObject(scenario)) return this.#input.fail(path, 'expected a scenario: {name, flow}');
      const engine = scenario['engine'];
      if (engine !== undefined && engine !== 'http') {
        this.#notes.push(
          `scenarios[${index}]${typeof scenario['name'] === 'string' ? ` "${scenario['name']}"` : ''}: the ${scalarText(engine)} engine is not mapped: left out`,
        );
        continue;
      }
      if (!Array.isArray(scenario['flow'])) return this.#input.fail([...path, 'flow'], 'expected a list of actions');
      for (const key of Object.keys(scenario)) {
        if (!['name', 'weight', 'flow', 'engine'].includes(key)) this.#notes.push(`scenarios[${index}].${key}: not mapped`);
      }
      let name = typeof scenario['name'] === 'string' && scenario['name'] !== '' ? scenario['name'] : `scenario ${index + 1}`;
      for (let n = 2; names.has(name); n++) name = `${typeof scenario['name'] === 'string' ? scenario['name'] : 'scenario'} ${n}`;
      names.add(name);
      const steps = this.#steps(scenario['flow'], [...path, 'flow']);
      if (steps.length === 0) {
        this.#notes.push(`scenarios[${index}] "${name}": no action could be mapped: left out`);
        continue;
      }
      const weight = typeof scenario['weight'] === 'number' && scenario['weight'] > 0 ? scenario['weight'] : 1;
      flows.push({ name, weight, steps });
    }
    if (flows.length === 0)
      return this.#input.fail(['scenarios'], 'no HTTP scenario could be imported (see the engines and actions above)');
    return flows;
  }

  #collectCaptures(actions: readonly unknown[]): void {
    for (const action of actions) {
      if (!isObject(action)) continue;
      if (Array.isArray(action['loop'])) this.#collectCaptures(action['loop']);
      for (const method of METHODS) {
        const request = action[method];
        if (!isObject(request)) continue;
        const captures = Array.isArray(request['capture']) ? request['capture'] : [request['capture']];
        for (const capture of captures) if (isObject(capture) && typeof capture['as'] === 'string') this.#defined.add(capture['as']);
      }
    }
  }

  #steps(actions: readonly unknown[], path: DataPath): Json[] {
    const steps: Json[] = [];
    for (const [index, action] of actions.entries()) {
      const at: DataPath = [...path, index];
      if (!isObject(action)) return this.#input.fail(at, 'expected an action such as {get: {url}} or {think: 1}');
      const method = METHODS.find((name) => action[name] !== undefined);
      if (method !== undefined) {
        const request = this.#request(method, action[method], [...at, method]);
        if (request !== undefined) steps.push(request);
      } else if (typeof action['think'] === 'string' && action['think'].includes('{{')) {
        this.#notes.push(`${displayPath(at)}.think: a pause read from a variable is not mapped: left out`);
      } else if (action['think'] !== undefined) {
        steps.push({ think: durationOf(this.#input, action['think'], [...at, 'think']).text });
      } else if (action['loop'] !== undefined) {
        steps.push(...this.#loop(action, at));
      } else if (action['parallel'] !== undefined && Array.isArray(action['parallel'])) {
        this.#notes.push(`${displayPath(at)}.parallel: its requests are sent one after another (loadseed has no parallel step)`);
        steps.push(...this.#steps(action['parallel'], [...at, 'parallel']));
      } else {
        this.#notes.push(`${displayPath(at)}: ${Object.keys(action).join(', ') || 'an empty action'} not mapped: left out`);
      }
    }
    return steps;
  }

  #loop(action: Json, at: DataPath): Json[] {
    const where = displayPath(at);
    if (!Array.isArray(action['loop'])) return this.#input.fail([...at, 'loop'], 'expected a list of actions');
    const over = action['over'];
    let count: number | undefined = typeof action['count'] === 'number' && action['count'] >= 1 ? Math.floor(action['count']) : undefined;
    if (Array.isArray(over)) {
      count = over.length;
      this.#notes.push(`${where}.over: ${over.length} passes; $loopElement is not available in loadseed`);
    } else if (over !== undefined || action['whileTrue'] !== undefined) {
      this.#notes.push(`${where}: a loop over a variable or while a function holds is not mapped: left out`);
      return [];
    }
    if (count === undefined) {
      const why =
        action['count'] === undefined
          ? 'a loop without a count (endless in Artillery)'
          : `a loop of count ${JSON.stringify(action['count'])}`;
      this.#notes.push(`${where}: ${why} is not mapped: left out`);
      return [];
    }
    const steps = this.#steps(action['loop'], [...at, 'loop']);
    return steps.length === 0 ? [] : [{ loop: { count, steps } }];
  }

  #request(method: (typeof METHODS)[number], spec: unknown, path: DataPath): Json | undefined {
    const where = displayPath(path);
    if (!isObject(spec) || typeof spec['url'] !== 'string') return this.#input.fail(path, 'expected a request: {url, …}');
    const url = convertTemplates(spec['url'], `${where}.url`, this.#templates);
    const location = /^https?:\/\//i.test(url) ? { url } : { path: url.startsWith('/') || url.startsWith('{{') ? url : `/${url}` };
    const out: Record<string, unknown> = { ...(method === 'get' ? {} : { method: method.toUpperCase() }), ...location };
    for (const [key, value] of Object.entries(spec)) if (key !== 'url') this.#requestKey(out, key, value, [...path, key]);
    return out;
  }

  /** One key of a request action into the step. */
  #requestKey(out: Record<string, unknown>, key: string, value: unknown, at: DataPath): void {
    switch (key) {
      case 'headers':
        if (isObject(value)) out['headers'] = this.#headers(value, at);
        break;
      case 'qs':
        if (isObject(value)) out['query'] = this.#fields(value, displayPath(at));
        break;
      case 'json':
        out['json'] = this.#secretFields(convertValue(value, displayPath(at), this.#templates), displayPath(at));
        break;
      case 'body':
        out['body'] = typeof value === 'string' ? convertTemplates(value, displayPath(at), this.#templates) : JSON.stringify(value);
        break;
      case 'form':
        if (isObject(value)) out['form'] = this.#fields(value, displayPath(at));
        break;
      case 'auth':
        this.#auth(out, value, at);
        break;
      case 'capture':
        this.#captures(out, value, at);
        break;
      case 'expect':
        this.#expect(out, value, at);
        break;
      default:
        this.#notes.push(`${displayPath(at)}: not mapped`);
    }
  }

  #headers(headers: Json, path: DataPath): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, raw] of Object.entries(headers)) {
      const where = displayPath([...path, name]);
      const value = convertTemplates(scalarText(raw), where, this.#templates);
      out[name] = isSecretHeader(name) && !value.includes('{{') ? this.#secrets.headerValue(name, value, `in ${where}`) : value;
    }
    return out;
  }

  /** Query or form fields: templates converted, secret-looking ones (`token`, `password`…) as placeholders. */
  #fields(fields: Json, where: string): Record<string, string | number | boolean> {
    const out: Record<string, string | number | boolean> = {};
    for (const [name, raw] of Object.entries(fields)) {
      const value = isScalar(raw) ? raw : JSON.stringify(raw);
      if (typeof value !== 'string') {
        out[name] = value;
        continue;
      }
      const text = convertTemplates(value, `${where}.${name}`, this.#templates);
      out[name] = isSecretField(name) && !text.includes('{{') ? this.#secrets.placeholder(text, name, `in ${where}.${name}`) : text;
    }
    return out;
  }

  /** A JSON body's secret-looking string fields (top level and nested) as placeholders. */
  #secretFields(value: unknown, where: string): unknown {
    if (Array.isArray(value)) return value.map((item) => this.#secretFields(item, where));
    if (!isObject(value)) return value;
    return Object.fromEntries(
      Object.entries(value).map(([name, item]) => [
        name,
        typeof item === 'string' && isSecretField(name) && !item.includes('{{')
          ? this.#secrets.placeholder(item, name, `in ${where}.${name}`)
          : this.#secretFields(item, `${where}.${name}`),
      ]),
    );
  }

  #auth(out: Record<string, unknown>, auth: unknown, path: DataPath): void {
    const where = displayPath(path);
    if (!isObject(auth) || typeof auth['user'] !== 'string' || auth['pass'] === undefined) {
      this.#notes.push(`${where}: not mapped (expected {user, pass})`);
      return;
    }
    const username = convertTemplates(auth['user'], `${where}.user`, this.#templates);
    const pass = convertTemplates(scalarText(auth['pass']), `${where}.pass`, this.#templates);
    const password = pass.includes('{{') ? pass : this.#secrets.placeholder(pass, 'password', `in ${where}.pass`);
    out['auth'] = { basic: { username, password } };
  }

  #captures(out: Record<string, unknown>, capture: unknown, path: DataPath): void {
    const list = Array.isArray(capture) ? capture : [capture];
    const captures: Json[] = [];
    for (const [index, item] of list.entries()) {
      const where = displayPath(Array.isArray(capture) ? [...path, index] : path);
      if (!isObject(item) || typeof item['as'] !== 'string') {
        this.#notes.push(`${where}: not mapped (a capture needs as)`);
        continue;
      }
      for (const key of Object.keys(item)) {
        if (!['as', 'json', 'header', 'regexp', 'group'].includes(key)) this.#notes.push(`${where}.${key}: not mapped`);
      }
      if (typeof item['json'] === 'string') captures.push({ as: item['as'], json: item['json'] });
      else if (typeof item['header'] === 'string') captures.push({ as: item['as'], header: item['header'] });
      else if (typeof item['regexp'] === 'string') {
        captures.push({ as: item['as'], regex: item['regexp'], ...(typeof item['group'] === 'number' ? { group: item['group'] } : {}) });
      } else {
        this.#notes.push(`${where}: only json, header and regexp captures are mapped: left out`);
        this.#defined.delete(item['as']);
      }
    }
    if (captures.length > 0) out['capture'] = captures;
  }

  /** artillery-plugin-expect's checks: statusCode, matchesRegexp and headerEquals map; the others are noted. */
  #expect(out: Record<string, unknown>, expect: unknown, path: DataPath): void {
    const list = Array.isArray(expect) ? expect : [expect];
    const checks: Record<string, unknown> = {};
    const headers: Record<string, string> = {};
    for (const [index, item] of list.entries()) {
      const where = displayPath(Array.isArray(expect) ? [...path, index] : path);
      const [kind, value] = isObject(item) ? (Object.entries(item)[0] ?? []) : [];
      if (
        kind === 'statusCode' &&
        (typeof value === 'number' || (Array.isArray(value) && value.every((code) => typeof code === 'number')))
      ) {
        checks['status'] = value;
      } else if (kind === 'matchesRegexp' && typeof value === 'string') {
        checks['body_matches'] = value;
      } else if (kind === 'headerEquals' && Array.isArray(value) && typeof value[0] === 'string' && isScalar(value[1])) {
        headers[value[0]] = scalarText(value[1]);
      } else {
        this.#notes.push(`${where}: the ${kind ?? 'empty'} check is not mapped`);
      }
    }
    if (Object.keys(headers).length > 0) checks['headers'] = headers;
    if (Object.keys(checks).length > 0) out['expect'] = checks;
  }

  /** `config.ensure`: the latency percentiles and maxErrorRate (a percentage) as thresholds. */
  #ensure(ensure: unknown): Json | undefined {
    if (ensure === undefined) return undefined;
    if (!isObject(ensure)) return this.#input.fail(['config', 'ensure'], 'expected a mapping');
    const sla: Record<string, number> = {};
    for (const [key, value] of Object.entries(ensure)) {
      if (key === 'thresholds' && Array.isArray(value)) {
        for (const [index, threshold] of value.entries()) {
          const [metric, limit] = isObject(threshold) ? (Object.entries(threshold)[0] ?? []) : [];
          const name = /^http\.response_time\.(\w+)$/.exec(metric ?? '')?.[1];
          const mapped = name === undefined ? undefined : ENSURE_KEYS[name];
          if (mapped !== undefined && typeof limit === 'number') sla[mapped] = limit;
          else this.#notes.push(`config.ensure.thresholds[${index}]: ${metric ?? 'empty'} not mapped`);
        }
      } else if (ENSURE_KEYS[key] !== undefined && typeof value === 'number') {
        sla[ENSURE_KEYS[key]] = value;
      } else if (key === 'maxErrorRate' && typeof value === 'number') {
        sla['max_error_rate'] = value / 100;
      } else {
        this.#notes.push(`config.ensure.${key}: not mapped`);
      }
    }
    return Object.keys(sla).length === 0 ? undefined : sla;
  }

  /** A variable a template reads that nothing here defines (set by a processor function): declared empty, noted. */
  #defineMissing(variables: Record<string, string | number | boolean>): void {
    for (const name of this.#templates.variables) {
      if (this.#defined.has(name)) continue;
      variables[name] = '';
      this.#notes.push(`variables.${name}: read by a template but set by nothing the script says (a processor function?): declared empty`);
    }
  }
}

function scalarText(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
