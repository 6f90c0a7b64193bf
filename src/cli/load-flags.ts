import { UsageError } from '../errors.js';
import type { Duration } from '../scenario/duration.js';
import type { LoadOverrides } from '../scenario/load-overrides.js';

/** The load flags as commander hands them over: text. */
export interface LoadFlags {
  readonly users?: string;
  readonly duration?: string;
  readonly rate?: string;
  readonly iterations?: string;
  readonly scenario?: string;
}

const NUMBER = /^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;

/**
 * The load flags as a scenario's values: a number where the file has one, a duration as written (a bare number
 * is seconds, as in a file). Only the syntax is checked here; the ranges are the schema's, checked with the
 * scenario they change (scenario/load-overrides.ts), and located at the flag.
 */
export function parseLoadFlags(flags: LoadFlags): LoadOverrides {
  const users = numberFlag('--users', flags.users);
  const duration = durationFlag(flags.duration);
  const rate = numberFlag('--rate', flags.rate);
  const iterations = numberFlag('--iterations', flags.iterations);
  return {
    ...(users === undefined ? {} : { users }),
    ...(duration === undefined ? {} : { duration }),
    ...(rate === undefined ? {} : { rate }),
    ...(iterations === undefined ? {} : { iterations }),
    ...(flags.scenario === undefined ? {} : { scenario: flags.scenario }),
  };
}

/** A flag that takes a number: `--users 50`, `--rate 12.5`. */
export function numberFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (!NUMBER.test(trimmed)) throw new UsageError(`${flag}: expected a number, not "${text}"`);
  return Number(trimmed);
}

/** `--duration 30s`, `--duration 2m`, `--duration 90` (seconds): kept as written, or as a number of seconds. */
function durationFlag(text: string | undefined): Duration | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  return NUMBER.test(trimmed) ? Number(trimmed) : trimmed;
}
