import type { ProgressMode } from '../progress/live-progress.js';

/**
 * How the live status is drawn: nothing with --quiet; plain log lines whenever CI is set (a CI runner may give
 * the job a pseudo-terminal, and a bar redrawn in place turns its log into noise); else by the stream.
 * `CI=false` or `CI=0` says it is not CI.
 */
export function progressModeFor(quiet: boolean, env: Readonly<Record<string, string | undefined>>): ProgressMode {
  if (quiet) return 'quiet';
  const ci = env['CI']?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0' ? 'lines' : 'auto';
}
