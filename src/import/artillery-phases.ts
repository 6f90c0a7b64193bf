import type { InputDocument } from './input-document.js';

/**
 * Artillery's `config.phases` as a loadseed open-model load. Each Artillery arrival is a new virtual user that
 * runs one scenario once: a loadseed arrival (an iteration that runs one flow) is the same thing.
 *
 * - one `{duration, arrivalRate}` phase → `arrival_rate`;
 * - anything else → `ramping_arrival_rate`: `arrivalRate` (with `rampTo`: a linear ramp) → a stage to the
 *   phase's end rate; `arrivalCount` N over D → N/D per second for D; `pause` → rate 0. A phase that starts at
 *   another rate than the previous one ended at gets a 1 ms stage to jump there first.
 * - `maxVusers` → `max_users` (the largest).
 */
export function loadOfPhases(input: InputDocument, phases: unknown, notes: string[]): Record<string, unknown> | undefined {
  if (phases === undefined) return undefined;
  if (!Array.isArray(phases) || phases.length === 0) return input.fail(['config', 'phases'], 'expected a list of phases');
  const stages: { duration: string; rate: number }[] = [];
  let startRate: number | undefined;
  let current = 0;
  let maxUsers: number | undefined;
  const jumpTo = (rate: number): void => {
    if (startRate === undefined) startRate = rate;
    else if (rate !== current) stages.push({ duration: '1ms', rate });
    current = rate;
  };
  for (const [index, phase] of phases.entries()) {
    const at = ['config', 'phases', index];
    if (!isObject(phase)) return input.fail(at, 'expected a phase: {duration, arrivalRate}, {duration, arrivalCount} or {pause}');
    if (typeof phase['maxVusers'] === 'number') maxUsers = Math.max(maxUsers ?? 0, phase['maxVusers']);
    if (typeof phase['name'] === 'string') notes.push(`config.phases[${index}] "${phase['name']}": a phase's name is not kept`);
    if (phase['pause'] !== undefined) {
      const duration = durationOf(input, phase['pause'], [...at, 'pause']);
      jumpTo(0);
      stages.push({ duration: duration.text, rate: 0 });
      continue;
    }
    const duration = durationOf(input, phase['duration'], [...at, 'duration']);
    if (phase['arrivalCount'] !== undefined) {
      const count = nonNegative(input, phase['arrivalCount'], [...at, 'arrivalCount']);
      const rate = round(count / (duration.ms / 1000));
      jumpTo(rate);
      stages.push({ duration: duration.text, rate });
      continue;
    }
    if (phase['arrivalRate'] === undefined) return input.fail(at, 'a phase needs arrivalRate, arrivalCount or pause');
    const rate = nonNegative(input, phase['arrivalRate'], [...at, 'arrivalRate']);
    const end = phase['rampTo'] === undefined ? rate : nonNegative(input, phase['rampTo'], [...at, 'rampTo']);
    jumpTo(rate);
    stages.push({ duration: duration.text, rate: end });
    current = end;
  }
  const users = maxUsers === undefined ? {} : { max_users: maxUsers };
  const [only] = stages;
  if (stages.length === 1 && only !== undefined && only.rate === startRate && only.rate > 0) {
    return { profile: 'arrival_rate', rate: only.rate, duration: only.duration, ...users };
  }
  return { profile: 'ramping_arrival_rate', start_rate: startRate ?? 0, stages, ...users };
}

/** An Artillery duration: a number of seconds, or text loadseed reads (`30s`, `2m`, `1h30m`, `250ms`). */
export function durationOf(input: InputDocument, value: unknown, path: (string | number)[]): { text: string; ms: number } {
  if (typeof value === 'number' && value > 0) {
    return Number.isInteger(value)
      ? { text: `${value}s`, ms: value * 1000 }
      : { text: `${Math.round(value * 1000)}ms`, ms: Math.round(value * 1000) };
  }
  if (typeof value === 'string') {
    const ms = durationMs(value.trim());
    if (ms !== undefined && ms > 0) return { text: value.trim().replace(/\s+/g, ''), ms };
  }
  return input.fail(
    path,
    `expected a duration: a number of seconds, or text such as 30s, 2m, 1h30m (got ${JSON.stringify(value) ?? 'nothing'})`,
  );
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function durationMs(text: string): number | undefined {
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)\s*(ms|s|m|h)/g)];
  if (
    parts.length === 0 ||
    parts
      .map((part) => part[0])
      .join('')
      .replace(/\s+/g, '') !== text.replace(/\s+/g, '')
  )
    return undefined;
  return parts.reduce((sum, part) => sum + Number(part[1]) * (UNIT_MS[part[2] ?? 's'] ?? 1000), 0);
}

function nonNegative(input: InputDocument, value: unknown, path: (string | number)[]): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  return input.fail(path, `expected a number of arrivals (got ${JSON.stringify(value) ?? 'nothing'})`);
}

function round(rate: number): number {
  return Math.round(rate * 1000) / 1000;
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
