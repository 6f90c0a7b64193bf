import type { MonitorPoint } from './monitor-results.js';

export const DEFAULT_MAX_MONITOR_POINTS = 240;

/** One reading of a source: when (ms on the caller's clock), CPU over the interval ending then, memory then. */
export interface MonitorReading {
  readonly atMs: number;
  readonly cpuPercent: number | null;
  readonly memoryBytes: number | null;
  /** Process sources: the main thread's wait for a CPU over the interval, % of it; absent when unknown. */
  readonly waitPercent?: number;
}

interface Slot {
  /** The last reading's time: a point stands for the interval that ends at it. */
  atMs: number;
  readings: number;
  cpuSum: number;
  cpuCount: number;
  memoryMax: number | null;
  waitSum: number;
  waitCount: number;
}

/**
 * A source's readings, bounded in memory like the recorder's time series: one point per reading until
 * `maxPoints`; then neighbours are merged pairwise (CPU and the wait for a CPU averaged over the readings that
 * had one, memory the larger, time the later) and each point from then on takes twice as many readings (2, 4, 8…).
 */
export class MonitorSeries {
  readonly maxPoints: number;
  readonly #slots: Slot[] = [];
  #readingsPerPoint = 1;

  constructor(maxPoints = DEFAULT_MAX_MONITOR_POINTS) {
    if (maxPoints < 2) throw new Error('a monitor series needs at least 2 points');
    this.maxPoints = maxPoints;
  }

  get readingsPerPoint(): number {
    return this.#readingsPerPoint;
  }

  add(reading: MonitorReading): void {
    let slot = this.#slots[this.#slots.length - 1];
    if (slot === undefined || slot.readings >= this.#readingsPerPoint) {
      if (this.#slots.length >= this.maxPoints) this.#coalesce();
      slot = { atMs: reading.atMs, readings: 0, cpuSum: 0, cpuCount: 0, memoryMax: null, waitSum: 0, waitCount: 0 };
      this.#slots.push(slot);
    }
    slot.atMs = reading.atMs;
    slot.readings += 1;
    if (reading.cpuPercent !== null) {
      slot.cpuSum += reading.cpuPercent;
      slot.cpuCount += 1;
    }
    if (reading.memoryBytes !== null) slot.memoryMax = Math.max(slot.memoryMax ?? 0, reading.memoryBytes);
    if (reading.waitPercent !== undefined) {
      slot.waitSum += reading.waitPercent;
      slot.waitCount += 1;
    }
  }

  /** Forgets the points before `atMs` (a warm-up before the measured phase's t=0). */
  dropBefore(atMs: number): void {
    const keepFrom = this.#slots.findIndex((slot) => slot.atMs >= atMs);
    this.#slots.splice(0, keepFrom === -1 ? this.#slots.length : keepFrom);
  }

  /** The points from `originMs` on (earlier ones left out), offsets in whole ms from it, CPU to 0.1%. */
  points(originMs: number): MonitorPoint[] {
    return this.#slots
      .filter((slot) => slot.atMs >= originMs)
      .map((slot) => ({
        offsetMs: Math.round(slot.atMs - originMs),
        cpuPercent: slot.cpuCount === 0 ? null : Math.round((slot.cpuSum / slot.cpuCount) * 10) / 10,
        memoryBytes: slot.memoryMax === null ? null : Math.round(slot.memoryMax),
        ...(slot.waitCount === 0 ? {} : { waitPercent: Math.round((slot.waitSum / slot.waitCount) * 10) / 10 }),
      }));
  }

  #coalesce(): void {
    const slots = this.#slots;
    const merged: Slot[] = [];
    for (let index = 0; index < slots.length; index += 2) {
      const first = slots[index] as Slot;
      const second = slots[index + 1];
      if (second !== undefined) {
        first.atMs = second.atMs;
        first.readings += second.readings;
        first.cpuSum += second.cpuSum;
        first.cpuCount += second.cpuCount;
        first.memoryMax = second.memoryMax === null ? first.memoryMax : Math.max(first.memoryMax ?? 0, second.memoryMax);
        first.waitSum += second.waitSum;
        first.waitCount += second.waitCount;
      }
      merged.push(first);
    }
    slots.length = 0;
    slots.push(...merged);
    this.#readingsPerPoint *= 2;
  }
}
