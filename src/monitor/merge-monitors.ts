import type { MonitorResults, MonitorSourceResults } from './monitor-results.js';

/** One shard's monitor results, where its t=0 falls on the merged run's (ms, ≥ 0), and a label for it. */
export interface ShardMonitor {
  readonly monitor: MonitorResults | undefined;
  readonly offsetMs: number;
  /** Tells the shard's sources apart when names repeat (its results file). */
  readonly label: string;
}

/**
 * The sources of every shard, one after another (shards may watch different servers, or the same one from
 * different places: each series is kept as it was sampled, with the processes it was of), offsets moved onto
 * the merged run's t=0. A name that several shards use gets the shard's label: `api (s2.json)`. Undefined when
 * no shard monitored anything.
 */
export function mergeMonitors(shards: readonly ShardMonitor[]): MonitorResults | undefined {
  const withMonitor = shards.filter((shard) => shard.monitor !== undefined);
  if (withMonitor.length === 0) return undefined;
  const uses = new Map<string, number>();
  for (const shard of withMonitor) for (const source of shard.monitor ?? []) uses.set(source.name, (uses.get(source.name) ?? 0) + 1);
  return withMonitor.flatMap((shard) =>
    (shard.monitor ?? []).map((source): MonitorSourceResults => ({
      ...source,
      name: (uses.get(source.name) ?? 0) > 1 ? `${source.name} (${shard.label})` : source.name,
      points: source.points.map((point) => ({ ...point, offsetMs: Math.round(point.offsetMs + shard.offsetMs) })),
      ...(source.processes === undefined
        ? {}
        : {
            processes: source.processes.map((sampled) => ({ ...sampled, fromOffsetMs: Math.round(sampled.fromOffsetMs + shard.offsetMs) })),
          }),
    })),
  );
}
