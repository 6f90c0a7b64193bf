import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, open, realpath, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { isS3Url, parseS3Url } from '../results/s3-location.js';
import type { Scenario } from '../scenario/types.js';

/** A file a command will write, and what asked for it (`--out`, `report.json in x.yml`), for the message. */
export interface OutputTarget {
  readonly path: string;
  readonly source: string;
  /** `-` means stdout here (a run's results, framed): see write-outputs.ts. */
  readonly stdout?: boolean;
}

/** What a command can write besides files (write-outputs.ts does): `s3://` objects. */
export interface OutputPlaces {
  /** `s3://bucket/key` outputs (the command hands writeOutputs the environment); refused otherwise. */
  readonly store?: boolean;
}

/** A file a command reads (the scenario, a data file, a results input): no output may overwrite it. */
export interface InputFile {
  /** Absolute, or relative to `cwd`. */
  readonly path: string;
  /** What it is, for the message: `the scenario file`, `a data file of x.yml`, `the baseline`. */
  readonly what: string;
}

/**
 * Checks, before any work, that every file a command will write can be written: not a directory, not under a
 * file, in a directory that exists (or can be created) and where a file can really be created (a temporary
 * file is created and removed there: `access()` says yes to root on /proc), and neither one of the command's
 * inputs nor another of its outputs (compared as real paths: symbolic links and `..` resolved). One
 * UsageError (exit 2) listing every problem, ending with `consequence` (`nothing was sent`). An `s3://` output
 * (where `places.store` allows it) must be a well-formed URL of an object, and `-` is stdout where the target
 * says so: neither is checked further before the run.
 */
export async function checkOutputPaths(
  targets: readonly OutputTarget[],
  cwd: string,
  consequence: string,
  inputs: readonly InputFile[] = [],
  places: OutputPlaces = {},
): Promise<void> {
  const problems: string[] = [];
  const claimed = new Map<string, string>();
  for (const input of inputs) {
    const real = await realPathOf(resolve(cwd, input.path));
    if (!claimed.has(real)) claimed.set(real, `it is ${input.what}`);
  }
  for (const target of targets) {
    const shown = target.path === '' ? '""' : target.path;
    if (target.path === '-' || isS3Url(target.path)) {
      const owner = claimed.get(target.path);
      const problem = owner ?? notFileProblem(target, places);
      if (problem !== undefined) problems.push(`${target.source}: cannot write ${shown}: ${problem}`);
      if (owner === undefined) claimed.set(target.path, `${target.source} writes it too`);
      continue;
    }
    const real = await realPathOf(resolve(cwd, target.path));
    const owner = claimed.get(real);
    const problem = owner ?? (await outputPathProblem(target.path, cwd));
    if (problem !== undefined) problems.push(`${target.source}: cannot write ${shown}: ${problem}`);
    if (owner === undefined) claimed.set(real, `${target.source} writes it too`);
  }
  if (problems.length > 0) throw new UsageError(`${problems.join('\nerror: ')}; ${consequence}`);
}

/** What is wrong with a `-` or `s3://` output, if anything. */
function notFileProblem(target: OutputTarget, places: OutputPlaces): string | undefined {
  if (target.path === '-')
    return target.stdout === true ? undefined : 'only the results of a run go to stdout (`--out -`); give a file name';
  if (places.store !== true) return 'this command writes files only, not to an object store';
  const location = parseS3Url(target.path, true);
  return typeof location === 'string' ? location : undefined;
}

/** The path with every symbolic link and `..` resolved, as far as it exists; the missing rest appended. */
async function realPathOf(absolute: string): Promise<string> {
  try {
    return await realpath(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(await realPathOf(parent), basename(absolute));
  }
}

async function outputPathProblem(path: string, cwd: string): Promise<string | undefined> {
  const absolute = resolve(cwd, path);
  const shown = (dir: string): string => {
    const inside = relative(cwd, dir);
    return inside === '' ? '.' : inside.startsWith('..') || isAbsolute(inside) ? dir : inside;
  };
  const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? String(error);
  try {
    const info = await stat(absolute);
    if (info.isDirectory()) return 'it is a directory (give a file name)';
    if (!info.isFile()) return 'it is not a regular file (a device, pipe or socket)';
    const denied = await access(absolute, constants.W_OK).then(() => undefined, codeOf);
    if (denied !== undefined) return `the file is not writable (${denied})`;
  } catch (error) {
    const code = codeOf(error);
    if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EACCES') return `cannot use it (${code})`;
  }
  // The nearest directory that exists: the file (and any directory missing below it) will be created there.
  for (let dir = dirname(absolute); ; dir = dirname(dir)) {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(dir)).isDirectory();
    } catch (error) {
      const code = codeOf(error);
      if ((code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES') && dirname(dir) !== dir) continue;
      return `cannot use the directory ${shown(dir)} (${code})`;
    }
    if (!isDirectory) return `${shown(dir)} is a file, not a directory`;
    const denied = await createAndRemove(dir).then(() => undefined, codeOf);
    return denied === undefined ? undefined : `the directory ${shown(dir)} is not writable (${denied})`;
  }
}

/** Creates a new empty file in `dir` and removes it: the one test of writability that /proc and /sys cannot fool. */
async function createAndRemove(dir: string): Promise<void> {
  const probe = join(dir, `.loadseed-write-check-${process.pid}-${randomBytes(4).toString('hex')}`);
  const handle = await open(probe, 'wx');
  await handle.close();
  await rm(probe, { force: true });
}

/**
 * What a scenario run reads: the scenario file, its `data:` files and its `http.tls` files (both relative to the
 * scenario's directory). Every file the scenario names belongs here: one left out can be overwritten by an output.
 */
export function scenarioInputs(scenario: Scenario): InputFile[] {
  const inputs: InputFile[] = [{ path: scenario.file, what: 'the scenario file' }];
  for (const feeder of scenario.data.data ?? [])
    inputs.push({ path: resolve(scenario.baseDir, feeder.file), what: `a data file of ${scenario.file}` });
  const tls = scenario.data.http?.tls;
  for (const key of ['ca', 'cert', 'key'] as const) {
    const file = tls?.[key];
    if (file !== undefined) inputs.push({ path: resolve(scenario.baseDir, file), what: `the http.tls.${key} file of ${scenario.file}` });
  }
  return inputs;
}
