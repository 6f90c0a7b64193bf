import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { closest } from 'fastest-levenshtein';
import type { IssueDraft } from './schema-explainer.js';
import type { DataPath } from './source-map.js';
import { requestsOf } from './types.js';
import type { LoadedHooks, RequestDefaults, RequestSpec, Scenario } from './types.js';

/** The keys of a request (or `defaults`) that name a hook function. */
const HOOK_KEYS = ['before_request', 'after_response'] as const;

/** What loading `hooks:` gave: the module (when there is one and it imported) and the problems found. */
export interface HooksLoad {
  readonly hooks?: LoadedHooks;
  readonly issues: IssueDraft[];
}

/**
 * Imports the scenario's `hooks:` module (resolved against the scenario's directory) once, here, so that a
 * missing file, a syntax error or a TypeScript file this Node cannot load is refused before anything is sent;
 * and checks that every `before_request` / `after_response` names one of its exported functions. A name used
 * without a `hooks:` key is refused too. The module's top-level code runs here (and once more per worker).
 */
export async function loadHooks(scenario: Scenario): Promise<HooksLoad> {
  const data = scenario.data;
  const references = hookReferencesOf(data.defaults, [...requestsOf(data)]);
  if (data.hooks === undefined) {
    return { issues: references.map(({ name, path }) => ({ path, at: 'value', message: withoutHooksMessage(name) })) };
  }
  const loaded = await importHooks(resolve(scenario.baseDir, data.hooks), data.hooks);
  if (typeof loaded === 'string') return { issues: [{ path: ['hooks'], at: 'value', message: loaded }] };
  const issues: IssueDraft[] = [];
  for (const { name, path } of references) {
    if (!loaded.functions.includes(name)) issues.push({ path, at: 'value', message: unknownFunctionMessage(name, data.hooks, loaded) });
  }
  return { hooks: loaded, issues };
}

/** The message for a hook name (or a `{{ fn() }}` call) in a scenario without `hooks:`. */
export function withoutHooksMessage(call: string): string {
  return `${call} names a hook function, but the scenario has no hooks: module (add hooks: ./hooks.mjs at the top level)`;
}

/** The message for a name the hooks module does not export as a function, with the closest one it does. */
export function unknownFunctionMessage(name: string, file: string, hooks: LoadedHooks): string {
  const nearest = hooks.functions.length === 0 ? undefined : closest(name, [...hooks.functions]);
  const known = hooks.functions.length === 0 ? 'it exports no functions' : `it exports ${hooks.functions.join(', ')}`;
  return `${name} is not a function exported by ${file} (${known})${nearest === undefined ? '' : `; did you mean ${nearest}?`}`;
}

function hookReferencesOf(
  defaults: RequestDefaults | undefined,
  requests: readonly { readonly spec: RequestSpec; readonly path: DataPath }[],
): { readonly name: string; readonly path: DataPath }[] {
  const references: { name: string; path: DataPath }[] = [];
  for (const key of HOOK_KEYS) {
    const name = defaults?.[key];
    if (name !== undefined) references.push({ name, path: ['defaults', key] });
  }
  for (const { spec, path } of requests) {
    for (const key of HOOK_KEYS) {
      const name = spec[key];
      if (name !== undefined) references.push({ name, path: [...path, key] });
    }
  }
  return references;
}

/** The module imported and its exported functions, or why it cannot be (a message, no stack trace). */
async function importHooks(absolute: string, written: string): Promise<LoadedHooks | string> {
  try {
    const info = await stat(absolute);
    if (!info.isFile()) return `${written} is not a file (resolved to ${absolute})`;
  } catch {
    return `no such file: ${written} (resolved to ${absolute}, relative to the scenario's directory)`;
  }
  const url = pathToFileURL(absolute).href;
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    return importFailureMessage(error, written);
  }
  const functions = Object.keys(namespace)
    .filter((name) => typeof namespace[name] === 'function')
    .sort();
  return { url, functions };
}

function importFailureMessage(error: unknown, written: string): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_UNKNOWN_FILE_EXTENSION' && ['.ts', '.mts', '.cts'].includes(extname(written))) {
    return (
      `cannot import ${written}: this version of Node does not run TypeScript ` +
      '(type stripping came in Node 22.6 behind --experimental-strip-types, on by default from 23.6); ' +
      'compile it to .mjs, or write the hooks in .mjs'
    );
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `cannot import ${written}: ${firstLine(message)}`;
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? text;
}
