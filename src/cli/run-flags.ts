import { UsageError } from '../errors.js';
import type { RunRequest } from '../run/prepare-run.js';
import type { Segment } from '../plan/segment.js';
import { parseDurationMs } from '../scenario/duration.js';
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
