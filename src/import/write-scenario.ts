import { Document, isMap, isPair, isScalar } from 'yaml';
import type { ImportFormat, ImportResult } from './importer.js';

/** The load of an imported scenario unless the input says otherwise: one user for ten seconds, safe to try anywhere. */
export const DEFAULT_IMPORT_LOAD: Readonly<Record<string, unknown>> = { profile: 'constant', users: 1, duration: '10s' };

export interface ScenarioTextOptions {
  readonly format: ImportFormat;
  /** The input, as the user named it (for the header comment). */
  readonly source: string;
  /** What follows `$schema=` on the first line (cli/schema-reference.ts, as `loadseed init` writes it). */
  readonly schemaPath: string;
  /** Where the scenario is written, as the user named it; undefined: stdout. */
  readonly output?: string;
}

/** Short comments on top-level keys, written above them. */
const KEY_COMMENTS: Readonly<Record<string, string>> = {
  target: ' Base URL the paths resolve against: TARGET_URL=http://… points the file at another server.',
  requests: ' One iteration: these requests, in order.',
  flows: ' One iteration runs a flow: its steps in order, pauses as recorded.',
  load: ' A small, safe load to try the scenario first: raise users and duration once it runs green.',
  sla: ' Thresholds: the run exits 1 when one is violated.',
};

/** The scenario of an import as YAML text: the `$schema` line, a header, the notes as comments, then the scenario. */
export function scenarioText(result: ImportResult, options: ScenarioTextOptions): string {
  const data = withDefaultLoad(escapeDollars(result.scenario, new Set([...result.env, 'TARGET_URL'])));
  const doc = new Document(data);
  const file = options.output ?? 'scenario.yml';
  const header = [
    `# yaml-language-server: $schema=${options.schemaPath}`,
    '#',
    `# Imported by \`loadseed import ${options.format}\` from ${oneLine(options.source)}.`,
    `# Check it:  loadseed validate ${file}`,
    `# Run it:    loadseed run ${file}`,
  ];
  if (result.env.length > 0) {
    header.push('#', '# Set these environment variables first (secrets of the input, replaced by placeholders):');
    for (const name of result.env) header.push(`#   export ${name}=…`);
  }
  if (result.notes.length > 0) {
    header.push('#', '# Notes:');
    for (const note of result.notes) header.push(`# - ${oneLine(note)}`);
  }
  if (isMap(doc.contents)) {
    for (const item of doc.contents.items) {
      if (!isPair(item) || !isScalar(item.key)) continue;
      const comment = isWeighted(item.key.value, data) ? WEIGHTED_REQUESTS_COMMENT : KEY_COMMENTS[String(item.key.value)];
      if (comment !== undefined) item.key.commentBefore = comment;
    }
  }
  // A blank line before each commented top-level key (the only comments at column 0 in the body).
  const body = doc.toString({ lineWidth: 0 }).replace(/\n#/g, '\n\n#');
  return `${header.join('\n')}\n\n${body}`;
}

/** The scenario with DEFAULT_IMPORT_LOAD when it has no load (and no `scenarios` with their own). */
function withDefaultLoad(scenario: Record<string, unknown>): Record<string, unknown> {
  if ('load' in scenario || 'scenarios' in scenario) return scenario;
  return { ...scenario, load: { ...DEFAULT_IMPORT_LOAD } };
}

/**
 * Every `${` of the input's text written as `$${` (a literal `${` in a scenario), except the placeholders the
 * import made: `${NAME}` or `${NAME:-default}` for a NAME of `keep`.
 */
function escapeDollars<T>(data: T, keep: ReadonlySet<string>): T {
  const escape = (text: string): string =>
    text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)?(\}|:-)?/g, (match: string, name: string | undefined, end: string | undefined) =>
      name !== undefined && end !== undefined && keep.has(name) ? match : `$${match}`,
    );
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return escape(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, walk(inner)]));
    return value;
  };
  return walk(data) as T;
}

/** Text for a comment line: no line breaks. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

/** `requests` with weights (an OpenAPI import): each iteration sends one of them, not all in order. */
const WEIGHTED_REQUESTS_COMMENT = ' Each iteration: one of these requests, picked by weight.';

function isWeighted(key: unknown, data: Record<string, unknown>): boolean {
  const requests = data['requests'];
  return (
    key === 'requests' &&
    Array.isArray(requests) &&
    requests.some((request) => typeof request === 'object' && request !== null && 'weight' in request)
  );
}
