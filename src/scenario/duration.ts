/** A duration as written in a scenario: `250ms`, `30s`, `2m`, `1h30m`, or a number of seconds. */
export type Duration = string | number;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const WHOLE = /^(?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h))+$/;
const PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g;

/**
 * Milliseconds in a duration, or undefined when it is not one (negative, empty, unknown unit, not finite).
 * Units may repeat and combine in any order (`1h30m`, `1m30s500ms`); the parts add up.
 */
export function parseDurationMs(value: Duration): number | undefined {
  if (typeof value === 'number') {
    // Finite seconds can still overflow as milliseconds (1e306 s): that is not a duration either.
    const durationMs = value * 1000;
    return Number.isFinite(durationMs) && value >= 0 ? durationMs : undefined;
  }
  const text = value.trim();
  if (!WHOLE.test(text)) return undefined;
  let totalMs = 0;
  for (const [, amount, unit] of text.matchAll(PART)) {
    totalMs += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  }
  return Number.isFinite(totalMs) ? totalMs : undefined;
}

/** The shortest readable form: `250ms`, `30s`, `1m30s`, `1h30m`, `2h`; fractions of a millisecond are rounded. */
export function formatDuration(durationMs: number): string {
  let restMs = Math.round(durationMs);
  if (restMs === 0) return '0s';
  if (restMs < 1000) return `${restMs}ms`;
  const parts: string[] = [];
  for (const [unit, unitMs] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    const count = Math.floor(restMs / unitMs);
    if (count > 0) parts.push(`${count}${unit}`);
    restMs -= count * unitMs;
  }
  if (restMs > 0) parts.push(`${restMs}ms`);
  return parts.join('');
}
