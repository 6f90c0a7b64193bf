import type { ChalkInstance } from 'chalk';

/**
 * The status line before a start instant: `waiting to start at 12:00:00Z (in 12.3 s)` (milliseconds shown
 * only when the instant has some; "now" once it is due). Plain text but for a dim countdown.
 */
export function waitingLine(startAtEpochMs: number, nowEpochMs: number, c: ChalkInstance): string {
  const leftMs = startAtEpochMs - nowEpochMs;
  const countdown = leftMs > 0 ? `in ${(leftMs / 1000).toFixed(1)} s` : 'now';
  return `waiting to start at ${clockTime(startAtEpochMs)} ${c.dim(`(${countdown})`)}`;
}

/** The time of day of an instant, UTC: `12:00:00Z`, or `12:00:00.250Z` when it has milliseconds. */
export function clockTime(atEpochMs: number): string {
  const iso = new Date(atEpochMs).toISOString();
  const time = iso.slice(11, 23);
  return `${time.endsWith('.000') ? time.slice(0, 8) : time}Z`;
}
