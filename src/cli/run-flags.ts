import { UsageError } from '../errors.js';
import type { Segment } from '../plan/segment.js';
import { parseDurationMs } from '../scenario/duration.js';

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

/** `--max-duration`: a duration of at least 1 s, or `none` (no kill switch). */
export function parseMaxDuration(text: string): number | 'none' {
  if (text.trim() === 'none') return 'none';
  const ms = parseDurationMs(text);
  if (ms === undefined || !(ms >= 1000)) {
    throw new UsageError(`--max-duration takes a duration of at least 1s, such as 90s or 15m, or none (got "${text}")`);
  }
  return ms;
}
