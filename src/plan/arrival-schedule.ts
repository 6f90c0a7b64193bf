import type { LoadProfile, Stage } from './profile.js';

/** The open-model profiles: the ones with an arrival rate. */
export type ArrivalProfile = Extract<LoadProfile, { kind: 'constant-arrival-rate' | 'ramping-arrival-rate' }>;

/**
 * Arrival offsets (ms from the profile's start) of a piecewise-linear rate, computed exactly from one origin:
 * arrival n (0-based) happens when the area under the rate curve reaches n, so the first is at 0, a constant
 * rate r gives n / r, counts are exact and nothing drifts or bursts. Arrivals at or after the end are not
 * part of the schedule. Allocation-free: `nextOffsetMs()` returns numbers, Infinity once done.
 */
export class ArrivalSchedule {
  readonly #stages: readonly Stage[];
  #stageIndex = 0;
  #stageStartMs = 0;
  /** Rate at the start of the current stage, in arrivals per millisecond. */
  #fromPerMs: number;
  /** Area (arrivals) covered by the stages before the current one. */
  #carried = 0;
  #next = 0;

  constructor(startRatePerSec: number, stages: readonly Stage[]) {
    this.#stages = stages;
    this.#fromPerMs = startRatePerSec / 1000;
  }

  static of(profile: ArrivalProfile): ArrivalSchedule {
    return profile.kind === 'constant-arrival-rate'
      ? new ArrivalSchedule(profile.ratePerSec, [{ durationMs: profile.durationMs, target: profile.ratePerSec }])
      : new ArrivalSchedule(profile.startRatePerSec, profile.stages);
  }

  /** Number of arrivals the whole schedule holds. */
  static countOf(startRatePerSec: number, stages: readonly Stage[]): number {
    let from = startRatePerSec / 1000;
    let area = 0;
    for (const stage of stages) {
      const to = stage.target / 1000;
      area += (stage.durationMs * (from + to)) / 2;
      from = to;
    }
    return Math.ceil(area - EPSILON);
  }

  /** Offset of the next arrival in ms, or Infinity when the schedule is over. */
  nextOffsetMs(): number {
    for (;;) {
      const stage = this.#stages[this.#stageIndex];
      if (stage === undefined) return Infinity;
      const from = this.#fromPerMs;
      const to = stage.target / 1000;
      const stageArea = (stage.durationMs * (from + to)) / 2;
      const needed = this.#next - this.#carried;
      if (needed < stageArea - EPSILON) {
        this.#next += 1;
        return this.#stageStartMs + offsetWithin(needed, from, to, stage.durationMs);
      }
      this.#carried += stageArea;
      this.#stageStartMs += stage.durationMs;
      this.#fromPerMs = to;
      this.#stageIndex += 1;
    }
  }
}

/** Guards the strict "before the end" comparison against floating-point dust (200/s × 1 s is 200, not 200.0000001). */
const EPSILON = 1e-9;

/**
 * Time t into a stage at which the area under a rate going linearly from `from` to `to` (per ms) over
 * `durationMs` reaches `area`: the root of (to-from)/(2d)·t² + from·t = area, in the form that stays
 * accurate when from ≈ to or from = 0.
 */
function offsetWithin(area: number, from: number, to: number, durationMs: number): number {
  if (area <= 0) return 0;
  const slope = (to - from) / durationMs;
  const discriminant = Math.max(0, from * from + 2 * slope * area);
  return (2 * area) / (from + Math.sqrt(discriminant));
}
