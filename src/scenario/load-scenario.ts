import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, visit } from 'yaml';
import type { Document, Scalar } from 'yaml';
import { ScenarioError } from '../errors.js';
import type { ScenarioIssue } from '../errors.js';
import { checkAliases } from './check-aliases.js';
import { checkScenario } from './check-scenario.js';
import { duplicateKeyOffsets } from './duplicate-keys.js';
import { checkTemplates } from './check-templates.js';
import { substituteEnv } from './env.js';
import { loadFeeders, locateIssues } from './load-feeders.js';
import { loadHooks } from './load-hooks.js';
import { loadTlsFiles } from './load-tls-files.js';
import { checkGrpcProtos } from './load-grpc-protos.js';
import { withStringRequestNames } from './request-names.js';
import type { Environment } from './env.js';
import type { IssueDraft } from './schema-explainer.js';
import { SourceMap, displayPath } from './source-map.js';
import type { DataPath, Position } from './source-map.js';
import type { Scenario, ScenarioData } from './types.js';
import { validateAgainstSchema } from './validate-schema.js';

/** Scenario files are small; anything bigger is a mistake (a log file, a binary) and is refused before parsing. */
export const MAX_SCENARIO_BYTES = 4 * 1024 * 1024;
/** Alias expansions allowed when building the data: far above any real scenario, far below a YAML bomb. */
const MAX_ALIAS_COUNT = 1000;

export interface LoadScenarioOptions {
  /** Where `${VAR}` references are read from. */
  readonly env: Environment;
  /** Relative scenario paths resolve against this; defaults to the process's working directory. */
  readonly cwd?: string;
}

/** Reads, parses, substitutes and validates a scenario file. Throws ScenarioError with located issues. */
export async function loadScenario(file: string, options: LoadScenarioOptions): Promise<Scenario> {
  const absolute = resolve(options.cwd ?? '.', file);
  const fail = (message: string): never => {
    throw new ScenarioError(file, [{ file, path: '', message }]);
  };
  let size: number;
  try {
    const info = await stat(absolute);
    if (info.isDirectory()) fail('is a directory, not a scenario file');
    if (!info.isFile()) fail('is not a regular file (a device, pipe or socket); a scenario is a YAML file');
    size = info.size;
  } catch (error) {
    if (error instanceof ScenarioError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? 'no such file' : `cannot read the file (${code ?? String(error)})`);
  }
  if (size > MAX_SCENARIO_BYTES) {
    fail(`the file is ${size} bytes; a scenario may be at most ${MAX_SCENARIO_BYTES} bytes (${MAX_SCENARIO_BYTES / 1024 / 1024} MiB)`);
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(absolute);
  } catch (error) {
    return fail(`cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const text = decodeText(bytes, file);
  const scenario = parseScenario(text, file, { ...options, baseDir: dirname(absolute) });
  return withFiles(scenario, text, options.env);
}

/**
 * The files a scenario names (data files, TLS certificates, the hooks module), read once and checked, and its templates checked
 * against what defines their variables (a data file's columns among them): all located in the YAML text when
 * there is one. Scenario errors on any problem: nothing is sent before every input is known good.
 */
export async function withFiles(scenario: Scenario, text: string | undefined, env: Environment): Promise<Scenario> {
  const feeders = await loadFeeders(scenario, text === undefined ? {} : { sourceText: text });
  const { hooks, issues: hookIssues } = await loadHooks(scenario);
  const templateIssues = [
    ...hookIssues,
    ...(await checkGrpcProtos(scenario)),
    ...checkTemplates(
      scenario.data,
      feeders.flatMap((feeder) => feeder.columns),
      env,
      hooks,
    ),
  ];
  if (templateIssues.length > 0) throw new ScenarioError(scenario.file, locateIssues(scenario.file, text, templateIssues));
  let map: SourceMap | undefined;
  const locate = (path: DataPath): Position | undefined => {
    if (text === undefined) return undefined;
    if (map === undefined) {
      const lines = new LineCounter();
      map = new SourceMap(parseDocument(text, { lineCounter: lines }), lines);
    }
    return map.locate(path);
  };
  const tls = await loadTlsFiles(scenario, locate);
  return {
    ...scenario,
    env,
    ...(feeders.length === 0 ? {} : { feeders }),
    ...(tls === undefined ? {} : { tls }),
    ...(hooks === undefined ? {} : { hooks }),
  };
}

/** Parses scenario text (pure: no I/O). `file` names the source in messages. */
export function parseScenario(text: string, file: string, options: { readonly env: Environment; readonly baseDir: string }): Scenario {
  const lines = new LineCounter();
  // Duplicate keys are found by duplicateKeyOffsets, in linear time, and reported as yaml reports them.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const fail = (issues: ScenarioIssue[]): never => {
    throw new ScenarioError(file, issues);
  };

  const syntaxIssues = yamlSyntaxIssues(doc, lines, file);
  if (syntaxIssues.length > 0) fail(syntaxIssues);
  if (doc.contents === null) {
    fail([{ file, path: '', message: 'the file is empty: a scenario needs at least load and requests (loadseed init writes an example)' }]);
  }

  const aliasIssues = yamlAliasIssues(doc, lines, file);
  if (aliasIssues.length > 0) fail(aliasIssues);

  const map = new SourceMap(doc, lines);
  const locate = (drafts: readonly IssueDraft[]): ScenarioIssue[] =>
    drafts
      .map((draft) => ({ file, ...map.locate(draft.path, draft.at), path: displayPath(draft.path), message: draft.message }))
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));

  const envVarsUsed = substituteDocument(doc, options.env, locate, fail);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = (error as Error).message;
    return fail([
      {
        file,
        path: '',
        // checkAliases finds (and locates) what yaml refuses for aliases first; this is a safety net.
        message: /excessive alias count/i.test(message)
          ? `refused: aliases expand too much (${firstLine(message)}); a scenario never needs this many`
          : `cannot read the YAML: ${firstLine(message)}`,
      },
    ]);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    fail(
      locate([
        { path: [], at: 'value', message: 'expected a mapping at the top level, with keys such as name, target, requests and load' },
      ]),
    );
  }

  const schemaIssues = validateAgainstSchema(data);
  if (schemaIssues.length > 0) fail(locate(schemaIssues));
  const scenarioData = withStringRequestNames(data as ScenarioData);
  const checkIssues = checkScenario(scenarioData);
  if (checkIssues.length > 0) fail(locate(checkIssues));

  return { file, baseDir: options.baseDir, data: scenarioData, envVarsUsed };
}

/** The YAML's syntax errors and duplicate keys, in the order they appear in the file. */
function yamlSyntaxIssues(doc: Document, lines: LineCounter, file: string): ScenarioIssue[] {
  const syntaxErrors = [
    ...doc.errors.map((error) => ({ offset: error.pos[0], message: firstLine(error.message) })),
    ...duplicateKeyOffsets(doc).map((offset) => ({ offset, message: 'Map keys must be unique' })),
  ];
  if (syntaxErrors.length === 0) return [];
  return syntaxErrors
    .sort((a, b) => a.offset - b.offset)
    .map(({ offset, message }) => {
      const { line, col } = lines.linePos(offset);
      return { file, line, column: col, path: '', message: `YAML syntax error: ${message}` };
    });
}

/** The aliases toJS would refuse (an anchor not yet defined, too large an expansion), located where they can be. */
function yamlAliasIssues(doc: Document, lines: LineCounter, file: string): ScenarioIssue[] {
  return checkAliases(doc, MAX_ALIAS_COUNT).map(({ offset, message }) => {
    if (offset === undefined) return { file, path: '', message };
    const { line, col } = lines.linePos(offset);
    return { file, line, column: col, path: '', message };
  });
}

/**
 * Validates scenario data built in code (the programmatic API) exactly as a file's: the schema, then the
 * checks. Issues carry paths but no positions; `source` names the origin in messages.
 */
export function scenarioFromData(data: unknown, source: string, baseDir: string): Scenario {
  const fail = (drafts: readonly IssueDraft[]): never => {
    throw new ScenarioError(
      source,
      drafts.map((draft) => ({ file: source, path: displayPath(draft.path), message: draft.message })),
    );
  };
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    fail([{ path: [], at: 'value', message: 'expected an object with keys such as target, requests and load' }]);
  }
  const schemaIssues = validateAgainstSchema(data);
  if (schemaIssues.length > 0) fail(schemaIssues);
  const scenarioData = withStringRequestNames(data as ScenarioData);
  const checkIssues = checkScenario(scenarioData);
  if (checkIssues.length > 0) fail(checkIssues);
  return { file: source, baseDir, data: scenarioData, envVarsUsed: [] };
}

/**
 * Replaces `${VAR}` references in every string value, in place, before validation: so `users: ${USERS:-10}`
 * is checked as the number it becomes. A plain (unquoted) scalar is re-read as YAML would read it
 * (number, boolean, null); a quoted one stays a string. Keys are never substituted.
 */
function substituteDocument(
  doc: Document,
  env: Environment,
  locate: (drafts: readonly IssueDraft[]) => ScenarioIssue[],
  fail: (issues: ScenarioIssue[]) => never,
): string[] {
  const used = new Set<string>();
  const drafts: IssueDraft[] = [];
  visit(doc, {
    Scalar(key, node: Scalar, path) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return;
      const result = substituteEnv(node.value, env);
      const dataPath = dataPathOf(path, node);
      for (const name of result.missing) {
        drafts.push({
          path: dataPath,
          at: 'value',
          message: `environment variable ${name} is not set (write \${${name}:-default} to give a default)`,
        });
      }
      for (const reference of result.malformed) {
        drafts.push({
          path: dataPath,
          at: 'value',
          message: `malformed reference ${reference}: expected \${NAME} or \${NAME:-default} ($\${ for a literal \${)`,
        });
      }
      for (const name of result.used) used.add(name);
      node.value = node.type === 'PLAIN' ? resolvePlainScalar(result.value) : result.value;
    },
  });
  if (drafts.length > 0) fail(locate(drafts));
  return [...used];
}

/** The data path of a node reached by `visit`, from the chain of collections and pairs above it. */
function dataPathOf(ancestors: readonly unknown[], node: unknown): (string | number)[] {
  const path: (string | number)[] = [];
  const chain = [...ancestors.slice(1), node];
  for (let index = 0; index < chain.length - 1; index++) {
    const parent = chain[index] as { items?: unknown[]; key?: { value?: unknown } };
    const child = chain[index + 1];
    if (parent.items !== undefined) {
      const position = parent.items.indexOf(child);
      const item = parent.items[position] as { key?: unknown } | undefined;
      if (item !== undefined && typeof item === 'object' && item !== null && 'key' in item) continue;
      path.push(position);
    } else if (parent.key !== undefined) {
      path.push(String(parent.key.value));
    }
  }
  return path;
}

const YAML_INT = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/;
const YAML_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/** A substituted plain scalar, typed as the YAML 1.2 core schema would type the same text. */
function resolvePlainScalar(text: string): unknown {
  if (text === 'true' || text === 'True' || text === 'TRUE') return true;
  if (text === 'false' || text === 'False' || text === 'FALSE') return false;
  if (text === '' || text === '~' || text === 'null' || text === 'Null' || text === 'NULL') return null;
  if (YAML_INT.test(text) || YAML_FLOAT.test(text)) return Number(text);
  return text;
}

function decodeText(bytes: Buffer, file: string): string {
  const nul = bytes.indexOf(0);
  const fail = (message: string): never => {
    throw new ScenarioError(file, [{ file, path: '', message }]);
  };
  if (nul !== -1) fail(`not a text file (a NUL byte at offset ${nul}); a scenario is YAML text`);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return fail('not a text file (invalid UTF-8); a scenario is YAML text in UTF-8');
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? message;
}
