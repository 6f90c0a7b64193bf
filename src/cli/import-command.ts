import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../assets.js';
import { ExitCode, ScenarioError, UsageError, formatIssue } from '../errors.js';
import { IMPORT_FORMATS, importerOf } from '../import/importers.js';
import type { ImportFormat, ImportResult } from '../import/importer.js';
import { scenarioText } from '../import/write-scenario.js';
import { buildPlan } from '../plan/build-plan.js';
import { printableText } from '../report/printable-text.js';
import { parseScenario, withFiles } from '../scenario/load-scenario.js';
import { LOADSEED_VERSION } from '../version.js';
import { colorsFor } from './colors.js';
import type { GlobalOptions } from './global-options.js';
import type { CliIo } from './io.js';
import { schemaReference } from './schema-reference.js';

export interface ImportCommandOptions {
  readonly out?: string;
  readonly force?: boolean;
  readonly includeStatic?: boolean;
  readonly target?: string;
}

/** Inputs are documents, not logs: a HAR of a long session is tens of MiB at most. */
const MAX_INPUT_BYTES = 256 * 1024 * 1024;

/**
 * `loadseed import <format> <file>`: the input (`-`: standard input) through its importer, written as YAML to
 * `--out` (never over an existing file without --force) or stdout, after checking that the result passes
 * `loadseed validate`: a scenario that does not is a bug of the importer (exit 3), never written. A one-line
 * summary on stderr.
 */
export async function importCommand(
  formatName: string,
  file: string,
  options: ImportCommandOptions,
  globals: GlobalOptions,
  io: CliIo,
): Promise<ExitCode> {
  const format = importFormatOf(formatName);
  if (options.target !== undefined) checkTarget(options.target);
  const outPath = options.out === undefined ? undefined : resolve(io.cwd, options.out);
  if (outPath !== undefined && options.force !== true && (await exists(outPath))) {
    throw new UsageError(`${options.out ?? ''} already exists: pass --force to overwrite it`);
  }
  const source = file === '-' ? '<stdin>' : file;
  const text = file === '-' ? await readStdin(io) : await readInput(file, io.cwd);
  const importer = await importerOf(format);
  const result = await importer(text, {
    file: source,
    ...(options.includeStatic === true ? { includeStatic: true } : {}),
    ...(options.target === undefined ? {} : { target: options.target }),
  });

  const scenarioPath = outPath ?? join(io.cwd, 'scenario.yml');
  const yaml = scenarioText(result, {
    format,
    source,
    schemaPath: schemaReference(scenarioPath, PACKAGE_ROOT, LOADSEED_VERSION),
    ...(options.out === undefined ? {} : { output: options.out }),
  });
  const problems = await validationProblems(yaml, options.out ?? 'scenario.yml', dirname(scenarioPath), result, io);
  if (problems !== undefined) {
    io.stderr.write(
      `error: the scenario imported from ${printableText(source)} does not validate; a bug of loadseed import, please report it:\n`,
    );
    for (const problem of problems) io.stderr.write(`  ${printableText(problem)}\n`);
    return ExitCode.RuntimeFailure;
  }

  if (outPath === undefined) {
    io.stdout.write(yaml);
  } else {
    await writeOutput(outPath, options.out ?? '', yaml, options.force === true);
  }
  const c = colorsFor(io.stderr, io.env, !globals.color);
  io.stderr.write(`${c.green('✓')} ${printableText(importSummary(result, source, options.out))}\n`);
  return ExitCode.Ok;
}

/** The format named on the command line, or a UsageError listing the formats. */
export function importFormatOf(name: string): ImportFormat {
  const format = IMPORT_FORMATS.find((known) => known === name);
  if (format === undefined) throw new UsageError(`unknown import format "${name}": use one of ${IMPORT_FORMATS.join(', ')}`);
  return format;
}

/** `imported 3 requests in 1 flow from x.har → api.yml; 2 notes; set AUTH_TOKEN before running`. */
export function importSummary(result: ImportResult, source: string, output: string | undefined): string {
  const { requests, flows } = countSteps(result.scenario);
  const parts = [
    `imported ${plural(requests, 'request')}${flows > 0 ? ` in ${plural(flows, 'flow')}` : ''} from ${source}${output === undefined ? '' : ` → ${output}`}`,
    plural(result.notes.length, 'note'),
  ];
  if (result.env.length > 0) parts.push(`set ${result.env.join(', ')} before running`);
  return parts.join('; ');
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Requests (flow steps that are not pauses or loops, counted inside loops too) and flows of a scenario's data. */
function countSteps(scenario: Record<string, unknown>): { requests: number; flows: number } {
  let requests = 0;
  let flows = 0;
  const countList = (steps: unknown): void => {
    if (!Array.isArray(steps)) return;
    for (const step of steps as unknown[]) {
      if (step === null || typeof step !== 'object') continue;
      if ('think' in step) continue;
      if ('loop' in step) {
        const loop = (step as { loop?: { steps?: unknown } }).loop;
        countList(loop?.steps);
        continue;
      }
      requests++;
    }
  };
  const countPart = (part: unknown): void => {
    if (part === null || typeof part !== 'object') return;
    const { requests: list, flows: flowList } = part as { requests?: unknown; flows?: unknown };
    countList(list);
    if (Array.isArray(flowList)) {
      for (const flow of flowList as unknown[]) {
        flows++;
        countList((flow as { steps?: unknown } | null)?.steps);
      }
    }
  };
  countPart(scenario);
  const scenarios = scenario['scenarios'];
  if (scenarios !== null && typeof scenarios === 'object') for (const part of Object.values(scenarios)) countPart(part);
  return { requests, flows };
}

/**
 * The problems `loadseed validate` would find in the text (the same code: parse, schema, checks, files,
 * templates, plan) with only the placeholders' variables set; undefined when there are none.
 */
async function validationProblems(
  text: string,
  file: string,
  baseDir: string,
  result: ImportResult,
  io: CliIo,
): Promise<string[] | undefined> {
  // The file alone decides: the placeholders' variables set, nothing else of the environment (TARGET_URL…).
  const env: Record<string, string | undefined> = {};
  for (const name of result.env) env[name] = 'placeholder-value';
  try {
    const scenario = await withFiles(parseScenario(text, file, { env, baseDir }), text, env);
    buildPlan(scenario);
    return undefined;
  } catch (error) {
    if (error instanceof ScenarioError && error.issues.every((issue) => MISSING_DATA_FILE.test(issue.message))) {
      // A data file the input names (an Artillery payload) that is not beside the scenario: the user's to copy,
      // not a bug. Everything else is still checked, and the file is written with a warning.
      for (const issue of error.issues) io.stderr.write(`warning: ${formatIssue(issue)}: put it there before running\n`);
      return validationProblemsWithoutFiles(text, file, baseDir, env);
    }
    if (error instanceof ScenarioError) return error.issues.map(formatIssue);
    return [error instanceof Error ? error.message : String(error)];
  }
}

/** `cannot read users.csv: no such file (looked for …)`, from scenario/load-feeders.ts. */
const MISSING_DATA_FILE = /^cannot read .*: no such file \(looked for /;

function validationProblemsWithoutFiles(
  text: string,
  file: string,
  baseDir: string,
  env: Record<string, string | undefined>,
): string[] | undefined {
  try {
    buildPlan(parseScenario(text, file, { env, baseDir }));
    return undefined;
  } catch (error) {
    if (error instanceof ScenarioError) return error.issues.map(formatIssue);
    return [error instanceof Error ? error.message : String(error)];
  }
}

function checkTarget(target: string): void {
  let url: URL | undefined;
  try {
    url = new URL(target);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`--target must be an http:// or https:// URL, e.g. http://127.0.0.1:3000 (got "${target}")`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The input's text; a missing or unreadable file is a located ScenarioError (exit 2). */
async function readInput(file: string, cwd: string): Promise<string> {
  const fail = (message: string): never => {
    throw new ScenarioError(file, [{ file, path: '', message }]);
  };
  const path = resolve(cwd, file);
  try {
    const info = await stat(path);
    if (info.isDirectory()) fail('is a directory, not a file to import');
    if (info.size > MAX_INPUT_BYTES) fail(`the file is ${info.size} bytes; at most ${MAX_INPUT_BYTES} bytes can be imported`);
    return stripBom(await readFile(path, 'utf8'));
  } catch (error) {
    if (error instanceof ScenarioError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? 'no such file' : `cannot read the file (${code ?? String(error)})`);
  }
}

async function readStdin(io: CliIo): Promise<string> {
  if (io.stdin === undefined) throw new UsageError('- reads standard input, and there is none here');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > MAX_INPUT_BYTES) throw new UsageError(`standard input is over ${MAX_INPUT_BYTES} bytes`);
    chunks.push(buffer);
  }
  return stripBom(Buffer.concat(chunks).toString('utf8'));
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

async function writeOutput(path: string, display: string, text: string, force: boolean): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text, { flag: force ? 'w' : 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`${display} already exists: pass --force to overwrite it`);
    if (code === 'EISDIR') throw new UsageError(`${display} is a directory: give a file name, e.g. ${join(display, 'scenario.yml')}`);
    throw new UsageError(`cannot write ${display} (${code ?? String(error)})`);
  }
}
