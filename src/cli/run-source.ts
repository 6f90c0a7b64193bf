import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { RunRequest } from '../run/prepare-run.js';
import { parseDurationMs } from '../scenario/duration.js';
import { quickScenario } from '../scenario/quick-scenario.js';
import { parseLoadFlags } from './load-flags.js';
import type { LoadFlags } from './load-flags.js';

/** The flags of a quick run from a URL (`loadseed run http://…`), as commander hands them over. */
export interface QuickRunFlags extends LoadFlags {
  readonly method?: string;
  readonly header?: readonly string[];
  readonly body?: string;
  readonly p95?: string;
  readonly p99?: string;
  readonly maxErrorRate?: string;
}

/** Which flags only a quick run takes: with a scenario file they would be ignored, so they are refused. */
const QUICK_ONLY: readonly (readonly [keyof QuickRunFlags, string, string])[] = [
  ['method', '--method', 'method: on the request'],
  ['header', '-H', 'headers: on the request (or defaults.headers)'],
  ['body', '--body', 'body: (or json:) on the request'],
  ['p95', '--p95', 'sla: {p95_latency_ms: …}'],
  ['p99', '--p99', 'sla: {p99_latency_ms: …}'],
  ['maxErrorRate', '--max-error-rate', 'sla: {max_error_rate: …}'],
];

/** Whether `run`'s argument is a URL to run at once rather than a scenario file (any scheme: another is refused). */
export function isRunUrl(argument: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(argument.trim());
}

/**
 * Where a run's scenario comes from: a URL (a quick run, its scenario built from the flags and checked as a
 * file is, each problem located at its flag) or a scenario file, with the load flags as overrides.
 */
export async function runSource(
  argument: string,
  flags: QuickRunFlags,
  cwd: string,
): Promise<Pick<RunRequest, 'file' | 'data' | 'overrides'>> {
  const load = parseLoadFlags(flags);
  if (!isRunUrl(argument)) {
    for (const [key, flag, instead] of QUICK_ONLY) {
      if (flags[key] !== undefined) throw new UsageError(`${flag} is for a quick run from a URL; in a scenario file, write ${instead}`);
    }
    return { file: argument, ...(Object.keys(load).length === 0 ? {} : { overrides: load }) };
  }
  if (flags.scenario !== undefined)
    throw new UsageError('--scenario names a scenario of a file with several; a quick run from a URL has one');
  const body = flags.body === undefined ? undefined : await bodyOf(flags.body, cwd);
  const p95Ms = latencyFlag('--p95', flags.p95);
  const p99Ms = latencyFlag('--p99', flags.p99);
  const maxErrorRate = errorRateFlag(flags.maxErrorRate);
  const { file, data } = quickScenario({
    url: argument.trim(),
    load,
    ...(flags.method === undefined ? {} : { method: flags.method }),
    ...(flags.header === undefined ? {} : { headers: flags.header }),
    ...(body === undefined ? {} : { body }),
    ...(p95Ms === undefined ? {} : { p95Ms }),
    ...(p99Ms === undefined ? {} : { p99Ms }),
    ...(maxErrorRate === undefined ? {} : { maxErrorRate }),
  });
  return { file, data };
}

/** `--body text`, or `--body @file`: the file's text (a missing or unreadable file is a usage error). */
async function bodyOf(flag: string, cwd: string): Promise<string> {
  if (!flag.startsWith('@')) return flag;
  const path = flag.slice(1);
  try {
    return await readFile(resolve(cwd, path), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--body ${flag}: ${code === 'ENOENT' ? 'no such file' : `cannot read the file (${code ?? String(error)})`}`);
  }
}

/** `--p95 200ms`, `--p95 1.5s`, `--p95 200` (milliseconds, as p95_latency_ms counts). */
function latencyFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  const ms = /^[0-9]+(\.[0-9]+)?$/.test(trimmed) ? Number(trimmed) : parseDurationMs(trimmed);
  if (ms === undefined) throw new UsageError(`${flag}: expected a latency such as 200ms or 1.5s, not "${text}"`);
  return ms;
}

/** `--max-error-rate 1%` or `--max-error-rate 0.01`: a share of the requests. */
function errorRateFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(%?)\s*$/.exec(text);
  if (match === null) throw new UsageError(`--max-error-rate: expected a share such as 1% or 0.01, not "${text}"`);
  return match[2] === '%' ? Number(match[1]) / 100 : Number(match[1]);
}
