import { closest, distance } from 'fastest-levenshtein';
import { unknownFunctionMessage, withoutHooksMessage } from './load-hooks.js';
import { conditionsOf } from './check-flow-control.js';
import { compileCondition } from './expression.js';
import { calledFunctionsOf, compileTemplate, hasTemplate, TemplateSyntaxError } from './template.js';
import type { TemplateEscape } from './template.js';
import type { Environment } from './env.js';
import type { IssueDraft } from './schema-explainer.js';
import type { DataPath } from './source-map.js';
import { grpcStepOf, requestsOf, urlFieldsOf } from './types.js';
import type { Auth, HeaderValues, LoadedHooks, QueryValue, RequestSpec, ScenarioData, WsExpect } from './types.js';

/** Scheme and authority of an absolute URL: no templates there (the host decides where connections go). */
const URL_ORIGIN = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;
/** How many defined names an "unknown variable" message lists before it cuts the list short. */
const MAX_LISTED_NAMES = 20;
/**
 * How many "unknown variable" messages look for the nearest defined name: each look compares with every name,
 * so thousands of unknown names among thousands of defined ones took 20 s. Past these, no suggestion.
 */
const MAX_SUGGESTIONS = 50;

/**
 * Every `{{ }}` template a request can send (path, the path and query of a url, query values, header values,
 * body, json string leaves, form values, auth) must compile, and every variable it reads must be defined:
 * by `variables`, a data-file column, or a capture's `as` anywhere in setup, before, requests or flows.
 * `feederColumns` are the columns of the scenario's data files; `env` is where `$env.NAME` is read. A
 * `{{ fn() }}` call must name a function of the `hooks:` module (`hooks`, once imported).
 */
export function checkTemplates(data: ScenarioData, feederColumns: readonly string[], env: Environment, hooks?: LoadedHooks): IssueDraft[] {
  const defined = new Set<string>([...Object.keys(data.variables ?? {}), ...feederColumns]);
  for (const { spec } of requestsOf(data)) {
    for (const capture of spec.capture ?? []) defined.add(capture.as);
    for (const action of spec.steps ?? []) if ('capture' in action) defined.add(action.capture.as);
  }
  const definedList = [...defined].sort();
  const issues: IssueDraft[] = [];
  let suggestionsLeft = MAX_SUGGESTIONS;

  const check = (text: string, path: DataPath, escape: TemplateEscape): void => {
    if (!hasTemplate(text)) return;
    let variables: readonly string[];
    try {
      const template = compileTemplate(text, { env, escape });
      variables = template.variables;
      for (const name of calledFunctionsOf(template)) {
        const problem = callProblem(name, data.hooks, hooks);
        if (problem !== undefined) issues.push({ path, at: 'value', message: problem });
      }
    } catch (error) {
      if (!(error instanceof TemplateSyntaxError)) throw error;
      issues.push({ path, at: 'value', message: error.message });
      return;
    }
    for (const name of variables) {
      if (defined.has(name)) continue;
      issues.push({ path, at: 'value', message: unknownVariableMessage(name, definedList, suggestionsLeft > 0) });
      suggestionsLeft--;
    }
  };

  const defaults = data.defaults;
  checkHeaders(defaults?.headers, ['defaults', 'headers'], check);
  checkQuery(defaults?.query, ['defaults', 'query'], check);
  checkAuth(defaults?.auth, ['defaults', 'auth'], check);
  for (const { spec, path } of requestsOf(data)) checkRequest(spec, path, check, issues);
  for (const { text, path } of conditionsOf(data)) {
    // A condition that does not compile was reported by checkScenario.
    let names: readonly string[] = [];
    try {
      names = compileCondition(text).variables;
    } catch {
      continue;
    }
    for (const name of names) {
      if (!defined.has(name))
        issues.push({ path, at: 'value', message: unknownVariableMessage(name, definedList, true).replace('in template', 'in condition') });
    }
  }
  return issues;
}

type Check = (text: string, path: DataPath, escape: TemplateEscape) => void;

/** Why `{{ name() }}` cannot be called: no `hooks:`, or no such function in it (a module that failed to import is reported once, elsewhere). */
function callProblem(name: string, file: string | undefined, hooks: LoadedHooks | undefined): string | undefined {
  if (file === undefined) return withoutHooksMessage(`{{ ${name}() }}`);
  if (hooks === undefined || hooks.functions.includes(name)) return undefined;
  return unknownFunctionMessage(name, file, hooks);
}

function checkRequest(spec: RequestSpec, path: DataPath, check: Check, issues: IssueDraft[]): void {
  if (spec.ws !== undefined) checkWsStep(spec, path, check);
  const { url, path: onTarget } = urlFieldsOf(spec);
  if (spec.path !== undefined) check(spec.path, [...path, 'path'], 'uri');
  else if (onTarget !== undefined) check(onTarget[1], [...path, onTarget[0]], 'uri');
  if (url !== undefined) {
    const [urlKey, urlText] = url;
    const origin = URL_ORIGIN.exec(urlText)?.[0] ?? '';
    if (hasTemplate(origin)) {
      issues.push({
        path: [...path, urlKey],
        at: 'value',
        message:
          'templates may appear only in the path and query of a url, not in its scheme or host (the host decides where connections go)',
      });
    } else {
      check(urlText.slice(origin.length), [...path, urlKey], 'uri');
    }
  }
  checkQuery(spec.query, [...path, 'query'], check);
  checkHeaders(spec.headers, [...path, 'headers'], check);
  if (spec.body !== undefined) check(spec.body, [...path, 'body'], 'none');
  if (spec.json !== undefined) checkJsonLeaves(spec.json, [...path, 'json'], check);
  for (const [name, value] of Object.entries(spec.form ?? {})) {
    if (typeof value === 'string') check(value, [...path, 'form', name], 'uri');
  }
  checkAuth(spec.auth, [...path, 'auth'], check);
  // A grpc: step's message is templated like a json body, its metadata like headers.
  const grpc = grpcStepOf(spec);
  if (grpc?.message !== undefined) checkJsonLeaves(grpc.message, [...path, 'message'], check);
  checkHeaders(grpc?.metadata, [...path, 'metadata'], check);
}

function checkHeaders(headers: HeaderValues | undefined, path: DataPath, check: Check): void {
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value === 'string') check(value, [...path, name], 'none');
  }
}

function checkQuery(query: Readonly<Record<string, QueryValue>> | undefined, path: DataPath, check: Check): void {
  for (const [name, value] of Object.entries(query ?? {})) {
    if (typeof value === 'string') check(value, [...path, name], 'uri');
    else if (Array.isArray(value)) {
      for (const [index, item] of (value as readonly unknown[]).entries()) {
        if (typeof item === 'string') check(item, [...path, name, index], 'uri');
      }
    }
  }
}

function checkAuth(auth: Auth | undefined, path: DataPath, check: Check): void {
  if (auth === undefined) return;
  if ('bearer' in auth) {
    check(auth.bearer, [...path, 'bearer'], 'none');
  } else {
    check(auth.basic.username, [...path, 'basic', 'username'], 'none');
    check(auth.basic.password, [...path, 'basic', 'password'], 'none');
  }
}

function checkJsonLeaves(value: unknown, path: DataPath, check: Check): void {
  if (typeof value === 'string') check(value, path, 'json');
  else if (Array.isArray(value)) value.forEach((item: unknown, index) => checkJsonLeaves(item, [...path, index], check));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) checkJsonLeaves(item, [...path, key], check);
  }
}

function unknownVariableMessage(name: string, defined: readonly string[], withSuggestion: boolean): string {
  if (defined.length === 0) {
    return `unknown variable "${name}" in template (none is defined: define it under variables, as a data-file column, or with a capture's as)`;
  }
  const listed = defined.length <= MAX_LISTED_NAMES ? defined.join(', ') : `${defined.slice(0, MAX_LISTED_NAMES).join(', ')}, …`;
  const hint = withSuggestion ? suggestion(name, defined) : '';
  return `unknown variable "${name}" in template (defined: ${listed})${hint}`;
}

/** A close name (a small edit distance, or one name a prefix of the other), if there is one. */
function suggestion(name: string, defined: readonly string[]): string {
  const nearest = closest(name, defined);
  if (distance(name, nearest) <= Math.max(2, Math.floor(name.length / 3))) return `; did you mean "${nearest}"?`;
  const prefixed = defined.find((other) => Math.min(name.length, other.length) >= 3 && (other.startsWith(name) || name.startsWith(other)));
  return prefixed === undefined ? '' : `; did you mean "${prefixed}"?`;
}

/** A `ws:` step's templates: the path and query of its URL (check-ws-step.ts refuses one in its host), what it sends, what its expects compare. */
function checkWsStep(spec: RequestSpec, path: DataPath, check: Check): void {
  const ws = spec.ws ?? '';
  check(ws.slice(URL_ORIGIN.exec(ws)?.[0].length ?? 0), [...path, 'ws'], 'uri');
  const checkExpect = (expect: WsExpect, at: DataPath): void => {
    for (const key of ['text', 'contains', 'equals'] as const) {
      const value = expect[key];
      if (typeof value === 'string') check(value, [...at, key], 'none');
    }
  };
  for (const [index, action] of (spec.steps ?? []).entries()) {
    const at: DataPath = [...path, 'steps', index];
    if ('send' in action) check(action.send, [...at, 'send'], 'none');
    else if ('expect' in action) checkExpect(action.expect, [...at, 'expect']);
    else if ('send_every' in action) {
      check(action.send_every.message, [...at, 'send_every', 'message'], 'none');
      if (action.send_every.expect !== undefined) checkExpect(action.send_every.expect, [...at, 'send_every', 'expect']);
    }
  }
}
