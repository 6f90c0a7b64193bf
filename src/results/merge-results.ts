import { ResultsFileError, UsageError } from '../errors.js';
import { Recorder } from '../metrics/recorder.js';
import { mergeMonitors } from '../monitor/merge-monitors.js';
import { plannedThresholdsOf, recorderOfResults } from './read-results.js';
import { assembleResults } from './results-document.js';
import type { GeneratorDocument, PartialDocument, ResultsDocument, RunStart } from './results-document.js';

/** A results document and the path it was read from (for messages). */
export interface ResultsFile {
  readonly file: string;
  readonly results: ResultsDocument;
}

export interface MergeOptions {
  /** Merge an incomplete set of shards (some of `--shard i/n` missing), marked `run.partial`, instead of refusing it. */
  readonly allowPartial?: boolean;
}

/**
 * Results of shards of one scenario (same name, same requests, same thresholds) as one results document,
 * losslessly: the recorders merged (histograms added bucket for bucket, counters summed), each shard's time
 * series placed at its own start (offsets from the earliest `run.startedAt`, to the nearest interval), the
 * thresholds evaluated again on the merged figures. The run starts at the earliest start, ends at the latest
 * end and lasts as long as the longest shard (throughput is over that). Interrupted if any shard was; failed
 * if any was aborted by a threshold (the merged data then stop short of the planned test). Throws a
 * UsageError (exit 2) for files that are not shards of one scenario, for a mix of shards and whole runs, and for
 * an incomplete set of shards (each records its split, `run.shard`) unless `allowPartial`, which marks the
 * merged results `run.partial`.
 */
export function mergeResults(files: readonly ResultsFile[], options: MergeOptions = {}): ResultsDocument {
  const first = files[0];
  if (first === undefined) throw new UsageError('merge needs at least one results file');
  for (const other of files.slice(1)) checkSameScenario(first, other);
  checkDistinctShards(files);
  const partial = missingShards(files);
  if (partial !== undefined && options.allowPartial !== true) {
    throw new UsageError(
      `cannot merge an incomplete set of shards: ${files.length} of ${partial.shardCount} given, ${describeMissing(partial)} missing; merge every shard, or pass --allow-partial to merge these, marked partial`,
    );
  }
  const thresholds = plannedThresholdsOf(first.file, first.results);
  const recorders = files.map(({ file, results }) => recorderOfResults(file, results));
  const startsAt = files.map(({ results }) => Date.parse(results.run.startedAt));
  const startedAtEpochMs = Math.min(...startsAt);
  const merged = new Recorder(first.results.recorder.requestNames);
  recorders.forEach((recorder, index) => merged.merge(recorder, (startsAt[index] ?? startedAtEpochMs) - startedAtEpochMs));
  const runs = files.map(({ results }) => results.run);
  const abortedBy = runs.find((run) => run.abortedBy !== undefined)?.abortedBy;
  // Every shard's monitor sources, one after another, each placed at its shard's start (monitor/merge-monitors.ts).
  const monitor = mergeMonitors(
    files.map(({ file, results }, index) => ({
      monitor: results.monitor,
      offsetMs: (startsAt[index] ?? startedAtEpochMs) - startedAtEpochMs,
      label: file,
    })),
  );
  const document = assembleResults({
    scenario: first.results.scenario,
    startedAtEpochMs,
    endedAtEpochMs: Math.max(...runs.map((run) => Date.parse(run.endedAt))),
    elapsedMs: Math.max(...runs.map((run) => run.durationMs)),
    ...mergedDrain(
      runs,
      startsAt.map((startAt) => startAt - startedAtEpochMs),
    ),
    host: [...new Set(runs.map((run) => run.host))].join(', '),
    interrupted: runs.some((run) => run.interrupted),
    warmupExcluded: runs.some((run) => run.warmupExcluded),
    warmupRequests: runs.reduce((sum, run) => sum + run.warmupRequests, 0),
    ...(abortedBy === undefined ? {} : { abortedBy }),
    shards: runs.reduce((sum, run) => sum + (run.shards ?? 1), 0),
    ...(partial === undefined ? {} : { partial }),
    ...mergedStart(runs),
    ...(first.results.run.http === undefined ? {} : { http: first.results.run.http }),
    recorder: merged,
    thresholds,
    ...scenariosOf(first.results),
    ...tagsOf(first.results),
    generator: mergeGenerators(files),
    ...(monitor === undefined ? {} : { monitor }),
  });
  return { ...document, ...mergedOutputs(files) };
}

/** Shards told one start instant (`run --start-at`) keep it, with the latest shard's lateness (unknown if any's is). */
function mergedStart(runs: readonly ResultsDocument['run'][]): { start?: RunStart } {
  const startAt = runs[0]?.startAt;
  if (startAt === undefined || runs.some((run) => run.startAt !== startAt)) return {};
  const lateMs = runs.map((run) => run.startLateMs);
  return {
    start: { atEpochMs: Date.parse(startAt), ...(lateMs.includes(undefined) ? {} : { lateMs: Math.max(...(lateMs as number[])) }) },
  };
}

/** Every shard's streaming outputs, one after another (each pushed its own series). */
function mergedOutputs(files: readonly ResultsFile[]): Pick<ResultsDocument, 'outputs'> {
  const outputs = files.flatMap(({ results }) => results.outputs ?? []);
  return files.some(({ results }) => results.outputs !== undefined) ? { outputs } : {};
}

/**
 * The merged run's drain: from when the last shard stopped starting work (on the merged timeline, each shard at
 * its start offset) to the merged run's end; unknown if any shard's is.
 */
function mergedDrain(runs: readonly ResultsDocument['run'][], offsetsMs: readonly number[]): { readonly drainMs?: number } {
  if (runs.some((run) => run.drainMs === undefined)) return {};
  const elapsedMs = Math.max(...runs.map((run) => run.durationMs));
  const loadEndMs = Math.max(...runs.map((run, index) => (offsetsMs[index] ?? 0) + run.durationMs - (run.drainMs ?? 0)));
  return { drainMs: Math.max(0, elapsedMs - loadEndMs) };
}

function checkSameScenario(first: ResultsFile, other: ResultsFile): void {
  const refuse = (why: string): never => {
    throw new UsageError(`cannot merge ${other.file} with ${first.file}: ${why}; merge combines shards of one scenario`);
  };
  const a = first.results;
  const b = other.results;
  if (a.scenario.name !== b.scenario.name) refuse(`different scenarios ("${b.scenario.name}" and "${a.scenario.name}")`);
  const names = (results: ResultsDocument): string => `[${results.recorder.requestNames.join(', ')}]`;
  if (JSON.stringify(a.recorder.requestNames) !== JSON.stringify(b.recorder.requestNames)) {
    refuse(`different requests (${names(b)} and ${names(a)})`);
  }
  const thresholds = (results: ResultsDocument): string =>
    results.thresholds
      .map(
        (t) =>
          `${t.key}${t.request === undefined ? '' : ` (${t.request})`}${t.tag === undefined ? '' : ` (tag ${t.tag})`}${t.metric === undefined ? '' : ` (metric ${t.metric})`} ${t.limit}`,
      )
      .join(', ') || 'none';
  if (thresholds(a) !== thresholds(b)) refuse(`different thresholds (${thresholds(b)} and ${thresholds(a)})`);
  if (a.recorder.data === b.recorder.data && a.run.startedAt === b.run.startedAt) {
    throw new ResultsFileError(other.file, `holds the same run as ${first.file}: merging it twice would count it twice`);
  }
  if (a.run.shard !== undefined && b.run.shard !== undefined) {
    if (a.run.shard.count !== b.run.shard.count)
      refuse(`shards of different splits (${b.run.shard.index}/${b.run.shard.count} and ${a.run.shard.index}/${a.run.shard.count})`);
  } else if (a.run.shard !== undefined || b.run.shard !== undefined) {
    const [shard, whole] = a.run.shard !== undefined ? [first, other] : [other, first];
    const split = shard.results.run.shard;
    refuse(`${whole.file} is not a shard (no run.shard) and ${shard.file} is shard ${split?.index ?? '?'}/${split?.count ?? '?'}`);
  }
}

/** The shards of the split not among `files` (all shards of one split, distinct: checked before); undefined when complete or not shards. */
function missingShards(files: readonly ResultsFile[]): PartialDocument | undefined {
  const shardCount = files[0]?.results.run.shard?.count;
  if (shardCount === undefined) return undefined;
  const given = new Set(files.map(({ results }) => results.run.shard?.index));
  const missing = Array.from({ length: shardCount }, (_, index) => index + 1).filter((index) => !given.has(index));
  return missing.length === 0 ? undefined : { shardCount, missingShards: missing };
}

/** `shards 3/4 and 4/4`, `shard 2/4`, `shards 2/8, 5/8 and 7/8` */
export function describeMissing(partial: PartialDocument): string {
  const SHOWN = 10;
  const shown = partial.missingShards.slice(0, SHOWN).map((index) => `${index}/${partial.shardCount}`);
  const names = partial.missingShards.length > SHOWN ? [...shown, `${partial.missingShards.length - SHOWN} more`] : shown;
  const list = names.length === 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
  return `shard${names.length === 1 ? '' : 's'} ${list}`;
}

/** The same shard (`--shard i/n`) twice would count its share twice. */
function checkDistinctShards(files: readonly ResultsFile[]): void {
  const seen = new Map<string, string>();
  for (const { file, results } of files) {
    const shard = results.run.shard;
    if (shard === undefined) continue;
    const key = `${shard.index}/${shard.count}`;
    const earlier = seen.get(key);
    if (earlier !== undefined)
      throw new UsageError(`cannot merge ${file} with ${earlier}: both are shard ${key}; merging it twice would count its share twice`);
    seen.set(key, file);
  }
}

/** loadseed's own load over several shards: the busiest shard's figures, every thread listed, saturated if any was. */
function mergeGenerators(files: readonly ResultsFile[]): GeneratorDocument {
  const generators = files.map(({ results }) => results.generator);
  const max = (pick: (generator: GeneratorDocument) => number): number => Math.max(...generators.map(pick));
  const saturated = files.find(({ results }) => results.generator.saturated);
  const noisy = files.find(({ results }) => results.generator.noisyMachine === true);
  return {
    workers: generators.reduce((sum, generator) => sum + generator.workers, 0),
    cpuPercent: max((generator) => generator.cpuPercent),
    busyPercent: max((generator) => generator.busyPercent),
    eventLoopDelayP99Ms: max((generator) => generator.eventLoopDelayP99Ms),
    eventLoopDelayMaxMs: max((generator) => generator.eventLoopDelayMaxMs),
    schedulerLagP99Ms: max((generator) => generator.schedulerLagP99Ms),
    saturated: saturated !== undefined,
    ...(saturated === undefined ? {} : { reason: `${saturated.file}: ${saturated.results.generator.reason ?? 'saturated'}` }),
    noisyMachine: noisy !== undefined,
    ...(noisy === undefined ? {} : { noiseReason: `${noisy.file}: ${noisy.results.generator.noiseReason ?? 'noisy machine'}` }),
    threads: generators.flatMap((generator) => generator.threads),
  };
}

/** The tag groups of a run with tags, as the results record them: their blocks are rebuilt from the merged recorder. */
export function tagsOf(results: ResultsDocument): { tags?: readonly { name: string; requestNames: readonly string[] }[] } {
  const tags = results.summary.tags;
  return tags === undefined ? {} : { tags: tags.map((group) => ({ name: group.name, requestNames: group.requestNames })) };
}

/** The scenarios of a file with several, as the results record them: their blocks are rebuilt from the merged recorder. */
export function scenariosOf(results: ResultsDocument): { scenarios?: readonly { name: string; requestNames: readonly string[] }[] } {
  const scenarios = results.summary.scenarios;
  return scenarios === undefined ? {} : { scenarios: scenarios.map((part) => ({ name: part.name, requestNames: part.requestNames })) };
}
