import { UsageError } from '../errors.js';
import type { Duration } from './duration.js';
import { applyLoadOverrides, checkData, loadFlagOf } from './load-overrides.js';
import type { LoadOverrides } from './load-overrides.js';
import type { DataPath } from './source-map.js';
import type { HttpMethod, LoadSpec, RequestSpec, Scenario, ScenarioData, SlaSpec } from './types.js';

/** What `loadseed run <url>` was given, the flags parsed (a body file already read). */
export interface QuickRun {
  readonly url: string;
  readonly method?: string;
  /** `-H 'name: value'`, as given, in order. */
  readonly headers?: readonly string[];
  readonly body?: string;
  readonly load: LoadOverrides;
  /** Thresholds: p95 and p99 in milliseconds, the error rate as a share (0.01 for 1%). */
  readonly p95Ms?: number;
  readonly p99Ms?: number;
  readonly maxErrorRate?: number;
}

/** A quick run without `--duration`, `--iterations`: autocannon's 10 seconds, with autocannon's 10 users (connections). */
export const QUICK_DEFAULT_USERS = 10;
export const QUICK_DEFAULT_DURATION: Duration = '10s';

/**
 * The scenario of a quick run: one request to the URL, the load from the flags (`--users` alone: that many for
 * 10 s; `--rate`: an arrival rate for `--duration`, 10 s by default; `--iterations`: a budget), thresholds from
 * --p95, --p99 and --max-error-rate (none: the default max_error_rate 1%). Checked as a file is, each problem
 * located at its flag. Throws UsageError (a URL or header that cannot be read) or ScenarioError.
 */
export function quickScenario(run: QuickRun): Pick<Scenario, 'file' | 'data'> {
  const url = parseUrl(run.url);
  const request = quickRequest(run, url);
  const sla = quickSla(run);
  const data: ScenarioData = {
    name: `${url.host}${url.pathname === '/' ? '' : url.pathname}`,
    requests: [request],
    load: quickLoad(run.load),
    ...(sla === undefined ? {} : { sla }),
  };
  checkData(data, run.url, (path) => flagOf(path, run));
  return { file: run.url, data };
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${text}: not a URL (expected http://host:port/path or https://…)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${text}: only http:// and https:// URLs can be run`);
  return url;
}

function quickRequest(run: QuickRun, url: URL): RequestSpec {
  const method = (run.method ?? 'GET').toUpperCase() as HttpMethod;
  const headers: Record<string, string> = {};
  for (const header of run.headers ?? []) {
    const colon = header.indexOf(':');
    const name = colon === -1 ? '' : header.slice(0, colon).trim();
    if (name === '') throw new UsageError(`-H: expected "name: value", not "${header}"`);
    headers[name] = header.slice(colon + 1).trim();
  }
  const typed = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
  if (run.body !== undefined && !typed && looksLikeJson(run.body)) headers['content-type'] = 'application/json';
  return {
    name: `${method} ${url.pathname}${url.search}`,
    method,
    url: url.href,
    ...(Object.keys(headers).length === 0 ? {} : { headers }),
    ...(run.body === undefined ? {} : { body: run.body }),
  };
}

function looksLikeJson(body: string): boolean {
  const first = body.trimStart()[0];
  if (first !== '{' && first !== '[') return false;
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

/** The load flags over the quick run's default load (10 users for 10 s); `--rate` alone runs for 10 s. */
function quickLoad(overrides: LoadOverrides): LoadSpec {
  const base: LoadSpec = { profile: 'constant', users: QUICK_DEFAULT_USERS, duration: QUICK_DEFAULT_DURATION };
  const timed =
    overrides.rate !== undefined && overrides.duration === undefined ? { ...overrides, duration: QUICK_DEFAULT_DURATION } : overrides;
  return applyLoadOverrides(base, timed);
}

function quickSla(run: QuickRun): SlaSpec | undefined {
  const sla: Record<string, number> = {};
  if (run.p95Ms !== undefined) sla['p95_latency_ms'] = run.p95Ms;
  if (run.p99Ms !== undefined) sla['p99_latency_ms'] = run.p99Ms;
  if (run.maxErrorRate !== undefined) sla['max_error_rate'] = run.maxErrorRate;
  return Object.keys(sla).length === 0 ? undefined : sla;
}

const SLA_FLAGS: Readonly<Record<string, string>> = {
  p95_latency_ms: '--p95',
  p99_latency_ms: '--p99',
  max_error_rate: '--max-error-rate',
};

/** The flag (or the URL) that gave the value at `path`. */
function flagOf(path: DataPath, run: QuickRun): string | undefined {
  const [top, , key] = path;
  if (top === 'load') return loadFlagOf(path[1], run.load);
  if (top === 'sla') return SLA_FLAGS[String(path[1])];
  if (top !== 'requests') return undefined;
  if (key === 'method') return '--method';
  if (key === 'headers') return '-H';
  if (key === 'body') return '--body';
  return run.url;
}
