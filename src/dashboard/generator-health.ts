import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { EventLoopUtilization, IntervalHistogram } from 'node:perf_hooks';
import { cpuPercentOf, processCpuUs } from '../engine/load-monitor.js';
import type { DashboardGenerator } from '../report/dashboard-page-data.js';

/** monitorEventLoopDelay's timer period; Node 20 records each full period, so it is taken off every value (as LoadMonitor does). */
const DELAY_RESOLUTION_MS = 10;

/**
 * loadseed's own load between two reads, for the dashboard: the whole process's CPU (every thread) and this
 * thread's event-loop utilisation and delay. One histogram timer while it runs; `stop` ends it.
 */
export class GeneratorHealth {
  readonly #workers: number;
  readonly #delay: IntervalHistogram = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  #lastAt = performance.now();
  #lastCpuUs = processCpuUs();
  #lastUtilization: EventLoopUtilization = performance.eventLoopUtilization();

  constructor(workers: number) {
    this.#workers = workers;
    this.#delay.enable();
  }

  /** The figures since the last read (or since the start), and a new interval from now. */
  read(): DashboardGenerator {
    const at = performance.now();
    const cpuUs = processCpuUs();
    const utilization = performance.eventLoopUtilization();
    const delay = this.#delay;
    const delayMs = (ns: number): number => (delay.count === 0 ? 0 : round3(Math.max(0, ns / 1e6 - DELAY_RESOLUTION_MS)));
    const figures: DashboardGenerator = {
      workers: this.#workers,
      cpuPercent: round1(cpuPercentOf(cpuUs - this.#lastCpuUs, at - this.#lastAt)),
      busyPercent: round1(performance.eventLoopUtilization(utilization, this.#lastUtilization).utilization * 100),
      eventLoopDelayP99Ms: delayMs(delay.percentile(99)),
      eventLoopDelayMaxMs: delayMs(delay.max),
    };
    delay.reset();
    this.#lastAt = at;
    this.#lastCpuUs = cpuUs;
    this.#lastUtilization = utilization;
    return figures;
  }

  stop(): void {
    this.#delay.disable();
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
