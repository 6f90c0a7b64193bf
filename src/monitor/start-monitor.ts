import { platform } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { PlannedMonitorSource } from '../plan/build-plan.js';
import { measuredProcesses } from './measured-processes.js';
import type { MonitorResults } from './monitor-results.js';
import { MonitorSeries } from './monitor-series.js';
import { processSampler } from './process-sampler.js';
import { prometheusSampler } from './prometheus-sampler.js';
import type { FetchFunction } from './prometheus-sampler.js';
import type { SourceSampler } from './source-sampler.js';

export interface MonitorOptions {
  /** How often every source is sampled (`monitor.interval`, default 1 s). */
  readonly intervalMs: number;
  /** The wall clock readings are timed by, in ms since the Unix epoch. Default: a monotonic one (perf_hooks). */
  readonly now?: () => number;
  /** For Prometheus sources. Default: the global fetch. */
  readonly fetch?: FetchFunction;
  /** A scrape not answered by then fails. Default: 80% of the interval, from 100 ms to 10 s. */
  readonly scrapeTimeoutMs?: number;
  /** `os.platform()` by default: process sources need `linux`. */
  readonly platform?: string;
  /** Default `/proc`. */
  readonly procRoot?: string;
  /** Default: `getconf CLK_TCK`, else 100. */
  readonly clockTicksPerSec?: number;
  /** Points kept per source before neighbours are merged (default 240). */
  readonly maxPoints?: number;
}

/** A monitor sampling its sources until stopped. */
export interface RunningMonitor {
  /**
   * The measured phase's t=0, in ms since the Unix epoch (`RunResult.startedAtEpochMs`): offsets count from
   * it, and readings taken before it (a warm-up, setup) are left out. Until called: when the monitor started.
   */
  setOrigin(epochMs: number): void;
  /** Stops sampling (a sample under way is waited for, bounded by the scrape timeout) and returns every source's series and warnings. Never rejects. */
  stop(): Promise<MonitorResults>;
}

/**
 * Starts sampling every source now, then every `intervalMs` (one timer for all, unref'd; a tick that finds
 * the previous one still running is skipped). A source that cannot be sampled is a warning in its results,
 * never an exception.
 */
export function startMonitor(sources: readonly PlannedMonitorSource[], options: MonitorOptions): RunningMonitor {
  const intervalMs = Math.max(1, options.intervalMs);
  const now = options.now ?? ((): number => performance.timeOrigin + performance.now());
  const samplers = sources.map((source) => samplerOf(source, options, now, intervalMs));
  const series = samplers.map(() => new MonitorSeries(options.maxPoints));
  const samples = samplers.map(() => 0);
  let originMs = now();
  let inFlight: Promise<void> | undefined;
  let stopping: Promise<MonitorResults> | undefined;

  const tick = (): void => {
    if (inFlight !== undefined || stopping !== undefined) return;
    inFlight = Promise.all(samplers.map((sampler) => sampler.sample())).then(
      (readings) => {
        readings.forEach((reading, index) => {
          if (reading === undefined) return;
          samples[index] = (samples[index] ?? 0) + 1;
          series[index]?.add(reading);
        });
        inFlight = undefined;
      },
      () => {
        inFlight = undefined;
      },
    );
  };
  const timer = samplers.length === 0 ? undefined : setInterval(tick, intervalMs);
  timer?.unref();
  if (samplers.length > 0) tick();

  return {
    setOrigin(epochMs) {
      originMs = epochMs;
      for (const each of series) each.dropBefore(epochMs);
    },
    stop() {
      stopping ??= (async () => {
        if (timer !== undefined) clearInterval(timer);
        await inFlight;
        return samplers.map((sampler, index) => {
          const processes = sampler.processes?.();
          return {
            name: sampler.name,
            kind: sampler.kind,
            target: sampler.target,
            intervalMs,
            points: series[index]?.points(originMs) ?? [],
            ...(processes === undefined ? {} : { processes: measuredProcesses(processes, originMs) }),
            warnings: sampler.warnings(samples[index] ?? 0),
          };
        });
      })();
      return stopping;
    },
  };
}

function samplerOf(source: PlannedMonitorSource, options: MonitorOptions, now: () => number, intervalMs: number): SourceSampler {
  switch (source.kind) {
    case 'process':
      return processSampler(source, {
        now,
        procRoot: options.procRoot ?? '/proc',
        platform: options.platform ?? platform(),
        ...(options.clockTicksPerSec === undefined ? {} : { clockTicksPerSec: options.clockTicksPerSec }),
      });
    case 'prometheus':
      return prometheusSampler(source, {
        now,
        fetch: options.fetch ?? ((url, init) => fetch(url, init)),
        timeoutMs: options.scrapeTimeoutMs ?? Math.min(10_000, Math.max(100, Math.round(intervalMs * 0.8))),
      });
  }
}
