import { UsageError } from '../errors.js';
import type { RunRequest } from '../run/prepare-run.js';
import type { Segment } from '../plan/segment.js';
import { formatDuration, parseDurationMs } from '../scenario/duration.js';
import { DEFAULT_MAX_ERROR_RATE_INCREASE, DEFAULT_MAX_REGRESSION, percentOption } from './compare-command.js';
import type { RunCommandOptions } from './run-command-options.js';

/** The flags of `run` that are not outputs, parsed (find-limit shares --max-duration). */

/** `--shard i/n` (1-based, as CI matrices count) → the plan segment it runs (0-based). */
export function parseShard(text: string): Segment {
  const match = /^([0-9]+)\/([0-9]+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || !(count >= 1 && count <= 10_000) || !(index >= 1 && index <= count)) {
    throw new UsageError(`--shard takes i/n with 1 ≤ i ≤ n (say 2/8: the second of 8 shards), not "${text}"`);
  }
  return { index: index - 1, count };
}

/** `--seed <n>`: a whole number from 0 to 4294967295, as the scenario's `seed`. */
export function parseSeed(text: string): number {
  const seed = /^[0-9]{1,10}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!(seed <= 0xffffffff)) throw new UsageError(`--seed takes a whole number from 0 to 4294967295, not "${text}"`);
  return seed;
}

/** `--max-duration`: a duration of at least 1 s, or `none` (no kill switch). */
export function parseMaxDuration(text: string): number | 'none' {
  if (text.trim() === 'none') return 'none';
  const ms = parseDurationMs(text);
  if (ms === undefined || !(ms >= 1000)) {
    throw new UsageError(`--max-duration takes a duration of at least 1s, such as 90s or 15m, or none (got "${text}")`);
  }
  return ms;
}

/** `--baseline` and its tolerances, as prepareRun takes them; the tolerances are checked even without it. */
export function baselineRequest(
  options: Pick<RunCommandOptions, 'baseline' | 'maxRegression' | 'maxErrorRateIncrease'>,
): Pick<RunRequest, 'baseline'> {
  const tolerance = percentOption('--max-regression', options.maxRegression ?? DEFAULT_MAX_REGRESSION);
  const errorRateTolerance = percentOption('--max-error-rate-increase', options.maxErrorRateIncrease ?? DEFAULT_MAX_ERROR_RATE_INCREASE);
  return options.baseline === undefined
    ? {}
    : {
        baseline: {
          file: options.baseline,
          tolerances: { p50: tolerance, p95: tolerance, p99: tolerance, throughput: tolerance, 'error-rate': errorRateTolerance },
        },
      };
}

/** `--dashboard [port]` and `--dashboard-linger`, parsed: where to serve the live dashboard, and how long to keep it up after the run. */
export interface DashboardRequest {
  /** 0: any free port. */
  readonly port: number;
  readonly lingerMs: number;
}

/** The longest `--dashboard-linger`: a day (the process stays up that long, doing nothing else). */
const MAX_DASHBOARD_LINGER_MS = 86_400_000;

/**
 * `--dashboard` alone: the default port; `--dashboard <port>`: that one, 0 for any free one.
 * `--dashboard-linger <duration>`: 0 (the default) to 24h; only with `--dashboard`. Undefined without a dashboard.
 */
export function dashboardRequest(
  options: { readonly dashboard?: string | boolean; readonly dashboardLinger?: string },
  defaultPort: number,
): DashboardRequest | undefined {
  const { dashboard, dashboardLinger } = options;
  if (dashboard === undefined || dashboard === false) {
    if (dashboardLinger !== undefined) throw new UsageError('--dashboard-linger goes with --dashboard, which serves the live dashboard');
    return undefined;
  }
  let port = defaultPort;
  if (dashboard !== true) {
    port = /^[0-9]{1,5}$/.test(dashboard.trim()) ? Number(dashboard.trim()) : Number.NaN;
    if (!(port <= 65_535)) throw new UsageError(`--dashboard takes a port from 1 to 65535, or 0 for any free one (got "${dashboard}")`);
  }
  const lingerMs = dashboardLinger === undefined ? 0 : dashboardLinger.trim() === '0' ? 0 : parseDurationMs(dashboardLinger);
  if (lingerMs === undefined || !(lingerMs <= MAX_DASHBOARD_LINGER_MS)) {
    throw new UsageError(`--dashboard-linger takes a duration from 0 to 24h, such as 60s or 10m (got "${dashboardLinger}")`);
  }
  return { port, lingerMs };
}

/** `--start-at` / `--start-in`: at most this far ahead (a process waiting longer is more likely a mistake). */
const MAX_START_WAIT_MS = 86_400_000;
/** `--start-at` may be this far past when parsed (shards started a little late): the run then starts at once. */
export const START_AT_PAST_TOLERANCE_MS = 5_000;
/** ISO-8601 date and time with seconds optional, fractions optional, and a zone (Z or ±hh:mm): never local time. */
const ISO_INSTANT = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2})$/i;

/**
 * `--start-at <ISO-8601 instant>` or `--start-in <duration>` (not both): when the measured phase starts, in ms
 * since the epoch; undefined without either. `nowEpochMs`: the wall clock as the flags are parsed. Refused
 * (UsageError, exit 2): a time that is not ISO-8601 with a zone, one more than 5 s past, anything more than 24 h away.
 */
export function startAtRequest(options: Pick<RunCommandOptions, 'startAt' | 'startIn'>, nowEpochMs: number): number | undefined {
  const { startAt, startIn } = options;
  if (startAt !== undefined && startIn !== undefined) {
    throw new UsageError('--start-at and --start-in both say when to start: give one of them');
  }
  if (startIn !== undefined) {
    const waitMs = startIn.trim() === '0' ? 0 : parseDurationMs(startIn);
    if (waitMs === undefined || !(waitMs <= MAX_START_WAIT_MS)) {
      throw new UsageError(`--start-in: takes a duration from 0 to 24h, such as 30s or 5m (got "${startIn}")`);
    }
    return nowEpochMs + waitMs;
  }
  return startAt === undefined ? undefined : parseStartAt(startAt, nowEpochMs);
}

/** `--start-at`: an ISO-8601 instant with a zone, from 5 s past to 24 h ahead of `nowEpochMs`. */
export function parseStartAt(text: string, nowEpochMs: number): number {
  const trimmed = text.trim();
  const atEpochMs = ISO_INSTANT.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(atEpochMs)) {
    throw new UsageError(`--start-at: not an ISO-8601 time: "${text}" (say 2026-12-07T12:00:00Z, with Z or an offset such as +01:00)`);
  }
  const aheadMs = atEpochMs - nowEpochMs;
  const clock = `this host's clock says ${new Date(nowEpochMs).toISOString()}`;
  if (aheadMs < -START_AT_PAST_TOLERANCE_MS) {
    throw new UsageError(
      `--start-at: ${new Date(atEpochMs).toISOString()} is ${formatDuration(-aheadMs)} past already (${clock}): give a time to come`,
    );
  }
  if (aheadMs > MAX_START_WAIT_MS) {
    throw new UsageError(`--start-at: ${new Date(atEpochMs).toISOString()} is more than 24h away (${clock})`);
  }
  return atEpochMs;
}
