import { Chalk } from 'chalk';
import type { ChalkInstance } from 'chalk';
import type { OutputStream } from './io.js';

/**
 * Colours for one stream: on for a terminal, off for pipes and files; `NO_COLOR` turns them off,
 * `FORCE_COLOR` on (https://no-color.org, https://force-color.org); `--no-color` wins over both.
 */
export function colorsFor(stream: OutputStream, env: Readonly<Record<string, string | undefined>>, noColor = false): ChalkInstance {
  const force = env['FORCE_COLOR'];
  let enabled = stream.isTTY === true;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') enabled = false;
  if (force !== undefined) enabled = force !== '0' && force !== 'false';
  if (noColor) enabled = false;
  return new Chalk({ level: enabled ? 1 : 0 });
}
