import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { EventLoopUtilization, IntervalHistogram } from 'node:perf_hooks';
import { judgeGenerator, SATURATION_LIMITS } from '../metrics/generator-load.js';
import type { GeneratorLoad, ThreadLoad } from '../metrics/generator-load.js';
import type { Recorder } from '../metrics/recorder.js';

/**
 * monitorEventLoopDelay's timer period; Node 20 records each full period, so it is taken off every value.
 * Each period wakes an idle thread (twice: the timer, then a zero-timeout poll): at 10 ms that was 200 wakeups a
 * second, most of an idle run's CPU. Any stall still delays the pending timer, so the max is seen at any period.
 */
const DELAY_RESOLUTION_MS = 20;
const SAMPLE_INTERVAL_MS = 1000;

/**
 * Watches the thread it runs on while load is generated: event-loop utilisation (sampled once a second, to
 * tell "busy all along" from "busy at start-up") and event-loop delay. Two timers per thread, both unref'd;
 * nothing on the request path.
 */
export class LoadMonitor {
  readonly #delay: IntervalHistogram = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  #first: EventLoopUtilization | undefined = undefined;
  #last: EventLoopUtilization | undefined = undefined;
  #saturatedMs = 0;
  #timer: NodeJS.Timeout | undefined = undefined;

  start(): void {
    this.#delay.reset();
    this.#delay.enable();
    this.#first = this.#last = performance.eventLoopUtilization();
    this.#saturatedMs = 0;
    this.#timer = setInterval(() => this.#sample(), SAMPLE_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Stops watching; the figures since `start()`. */
  stop(): ThreadLoad {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#delay.disable();
    const first = this.#first;
    if (first === undefined)
      return { durationMs: 0, busyPercent: 0, saturatedTimePercent: 0, eventLoopDelayP99Ms: 0, eventLoopDelayMaxMs: 0 };
    this.#sample();
    const whole = performance.eventLoopUtilization(this.#last, first);
    const durationMs = whole.idle + whole.active;
    const delay = this.#delay;
    const delayMs = (ns: number): number => (delay.count === 0 ? 0 : Math.max(0, ns / 1e6 - DELAY_RESOLUTION_MS));
    this.#first = undefined;
    return {
      durationMs,
      busyPercent: whole.utilization * 100,
      saturatedTimePercent: durationMs > 0 ? (this.#saturatedMs / durationMs) * 100 : 0,
      eventLoopDelayP99Ms: delayMs(delay.percentile(99)),
      eventLoopDelayMaxMs: delayMs(delay.max),
    };
  }

  #sample(): void {
    const now = performance.eventLoopUtilization();
    const interval = performance.eventLoopUtilization(now, this.#last);
    if (interval.utilization * 100 >= SATURATION_LIMITS.busyPercent) this.#saturatedMs += interval.idle + interval.active;
    this.#last = now;
  }
}

/** CPU time of the whole process (user + system, every thread), in µs, for `cpuPercent`. */
export function processCpuUs(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/** CPU µs over a wall-clock span, in % of one core. */
export function cpuPercentOf(cpuUs: number, durationMs: number): number {
  return durationMs > 0 ? cpuUs / 10 / durationMs : 0;
}

/** Judges the threads' load, with the open model's scheduler lag from the run's (merged) recorder. */
export function generatorLoad(workers: number, cpuPercent: number, threads: readonly ThreadLoad[], recorder: Recorder): GeneratorLoad {
  const lag = recorder.schedulerLag();
  return judgeGenerator({ workers, cpuPercent, threads, schedulerLagP99Ms: lag.p99Us / 1000, arrivals: lag.count });
}

/** No measured phase ran: nothing to judge. */
export function idleGenerator(workers: number): GeneratorLoad {
  return judgeGenerator({ workers, cpuPercent: 0, threads: [], schedulerLagP99Ms: 0, arrivals: 0 });
}
