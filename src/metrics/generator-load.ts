/**
 * How hard one load-generating thread (the calling thread, or one worker) worked during the measured phase.
 * "Busy" is the thread's event-loop utilisation: the share of wall time it ran JavaScript and callbacks
 * instead of waiting for I/O. For a thread that only drives the event loop, that is its CPU use in % of a
 * core (Node 20 has no per-thread CPU clock).
 */
export interface ThreadLoad {
  readonly durationMs: number;
  readonly busyPercent: number;
  /** Share of the phase (%) spent in one-second intervals during which the thread was at least `SATURATION_LIMITS.busyPercent` busy. */
  readonly saturatedTimePercent: number;
  /** How late the thread's timers fired (perf_hooks.monitorEventLoopDelay, its 20 ms resolution taken off). */
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
}

/** The load generator's own load over the measured phase, and whether it, not the target, was the bottleneck. */
export interface GeneratorLoad {
  readonly workers: number;
  /** CPU of the whole loadseed process (every thread, user + system), in % of one core: up to 100 × cores. */
  readonly cpuPercent: number;
  /** The busiest thread's `busyPercent`. */
  readonly busyPercent: number;
  /** The worst thread's. */
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
  /** Open model: how late arrivals were dispatched, p99 (0 for the closed model). */
  readonly schedulerLagP99Ms: number;
  /** The figures may show loadseed's limits rather than the target's: lagging, and loadseed itself busy. */
  readonly saturated: boolean;
  /** The evidence, for people, when saturated. */
  readonly reason?: string;
  /**
   * Lagging while loadseed itself used little CPU: other processes took the machine. Not saturation, but the
   * figures (latency above all) may carry the machine's delays: a warning.
   */
  readonly noisyMachine: boolean;
  /** The evidence, for people, when the machine was noisy. */
  readonly noiseReason?: string;
  /** One per thread that generated load (worker i at index i). */
  readonly threads: readonly ThreadLoad[];
}

export interface SaturationLimits {
  /** A one-second interval at or above this event-loop utilisation (%) counts as saturated time. */
  readonly busyPercent: number;
  /** A thread saturated for at least this share of the phase (%) saturates the generator. */
  readonly saturatedTimePercent: number;
  /** Timers late by more than this at p99 on any thread. */
  readonly eventLoopDelayP99Ms: number;
  /**
   * A thread's figures count once its phase lasted this long: shorter, start-up work (connections, compiling)
   * dominates, and a p99 of the 10 ms delay samples is just their maximum.
   */
  readonly minDurationMs: number;
  /** Open model: arrivals dispatched later than this at p99… */
  readonly schedulerLagP99Ms: number;
  /** …over at least this many arrivals. */
  readonly minArrivals: number;
  /**
   * loadseed's own CPU (the whole process, % of one core) at least this for the evidence above to mean that
   * loadseed was the bottleneck; below, the machine was busy with something else. Node 20 has no per-thread
   * CPU clock: the process's CPU is what the busiest thread may at most have had.
   */
  readonly minOwnCpuPercent: number;
}

export const SATURATION_LIMITS: SaturationLimits = Object.freeze({
  busyPercent: 90,
  saturatedTimePercent: 50,
  eventLoopDelayP99Ms: 20,
  minDurationMs: 1000,
  schedulerLagP99Ms: 10,
  minArrivals: 100,
  minOwnCpuPercent: 50,
});

export interface GeneratorMeasurements {
  readonly workers: number;
  readonly cpuPercent: number;
  readonly threads: readonly ThreadLoad[];
  readonly schedulerLagP99Ms: number;
  /** Arrivals the scheduler lag was measured over (0 for the closed model). */
  readonly arrivals: number;
}

/**
 * Judges the generator's own measurements against the limits. The evidence (a thread busy most of the run,
 * late timers, late arrivals) is read against loadseed's own CPU: with it at `minOwnCpuPercent` or more,
 * loadseed was busy, and saturated; below, it was waiting for a CPU other processes held: a noisy machine.
 * Event-loop utilisation is wall time, so a thread descheduled in a callback looks busy too.
 */
export function judgeGenerator(measured: GeneratorMeasurements, limits: SaturationLimits = SATURATION_LIMITS): GeneratorLoad {
  const { threads } = measured;
  const name = (index: number): string => (threads.length === 1 ? 'the load thread' : `worker ${index + 1}`);
  const reasons: string[] = [];
  const judged = threads.filter((thread) => thread.durationMs >= limits.minDurationMs);
  threads.forEach((thread, index) => {
    if (judged.includes(thread) && thread.saturatedTimePercent >= limits.saturatedTimePercent) {
      reasons.push(`${name(index)} was ≥ ${limits.busyPercent}% busy (CPU) for ${round(thread.saturatedTimePercent)}% of the run`);
    }
  });
  threads.forEach((thread, index) => {
    if (judged.includes(thread) && thread.eventLoopDelayP99Ms > limits.eventLoopDelayP99Ms) {
      reasons.push(
        `event-loop delay p99 ${round(thread.eventLoopDelayP99Ms)} ms on ${name(index)} (limit ${limits.eventLoopDelayP99Ms} ms)`,
      );
    }
  });
  if (measured.arrivals >= limits.minArrivals && measured.schedulerLagP99Ms > limits.schedulerLagP99Ms) {
    reasons.push(`arrivals started late: scheduler lag p99 ${round(measured.schedulerLagP99Ms)} ms (limit ${limits.schedulerLagP99Ms} ms)`);
  }
  const ownBusy = measured.cpuPercent >= limits.minOwnCpuPercent;
  const evidence = reasons.join('; ');
  const saturated = reasons.length > 0 && ownBusy;
  const noisyMachine = reasons.length > 0 && !ownBusy;
  return {
    workers: measured.workers,
    cpuPercent: measured.cpuPercent,
    busyPercent: Math.max(0, ...threads.map((thread) => thread.busyPercent)),
    eventLoopDelayP99Ms: Math.max(0, ...threads.map((thread) => thread.eventLoopDelayP99Ms)),
    eventLoopDelayMaxMs: Math.max(0, ...threads.map((thread) => thread.eventLoopDelayMaxMs)),
    schedulerLagP99Ms: measured.schedulerLagP99Ms,
    saturated,
    ...(saturated ? { reason: evidence } : {}),
    noisyMachine,
    ...(noisyMachine
      ? {
          noiseReason: `loadseed itself used ${round(measured.cpuPercent)}% of a core (under ${limits.minOwnCpuPercent}%), yet: ${evidence}: other processes took the CPU`,
        }
      : {}),
    threads,
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
