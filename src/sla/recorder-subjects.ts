import type { Histogram } from 'hdr-histogram-js';
import { percentileUs } from '../metrics/latency-histogram.js';
import type { Recorder } from '../metrics/recorder.js';
import type { RecorderSnapshot, RequestStats } from '../metrics/recorder-snapshot.js';
import type { ThresholdSubject } from './evaluate-thresholds.js';
import { timingMsOf } from './timing-subject.js';
import type { ThresholdPhase } from '../plan/thresholds.js';

/**
 * What thresholds read from a recorder after `elapsedMs` of run: `subjectOf(undefined)` is the whole run,
 * `subjectOf(name)` one request name (undefined when the recorder has no such name). Percentiles come from
 * the full histograms, copied only when a threshold asks for one. Used at the end of a run and on merged
 * results; during a run, live-thresholds.ts reads the cheaper counters instead.
 */
export function recorderSubjects(
  recorder: Recorder,
  elapsedMs: number,
  snapshot: RecorderSnapshot = recorder.snapshot(),
  scenarios: readonly ScenarioRequests[] = [],
  tags: readonly ScenarioRequests[] = [],
): (name: string | undefined, scenario?: string, tag?: string) => ThresholdSubject | undefined {
  const seconds = elapsedMs / 1000;
  // Open model: every arrival either started an iteration (which ended, or was interrupted) or was dropped.
  const arrivals = snapshot.droppedArrivals === 0 ? 0 : snapshot.iterations + snapshot.droppedArrivals + snapshot.total.interrupted;
  const subject = (stats: RequestStats, histogramOf: () => Histogram, timingOf: (phase: ThresholdPhase) => Histogram): ThresholdSubject => {
    let histogram: Histogram | undefined;
    return {
      count: stats.requests,
      failures: stats.failures,
      meanLatencyMs: stats.responseTime.meanUs / 1000,
      maxLatencyMs: stats.responseTime.maxUs / 1000,
      percentileLatencyMs: (percentile) => {
        histogram ??= histogramOf();
        return percentileUs(histogram, percentile) / 1000;
      },
      requestsPerSec: seconds > 0 ? stats.requests / seconds : 0,
      arrivals,
      dropped: snapshot.droppedArrivals,
      timingMs: (phase, statistic) => timingMsOf(timingOf(phase), statistic),
    };
  };
  // A group's histograms are merged once, however many of its thresholds read them.
  const groups = new Map<string, ThresholdSubject | undefined>();
  const groupSubject = (kind: 'scenario' | 'tag', groupName: string): ThresholdSubject | undefined => {
    const key = `${kind} ${groupName}`;
    if (!groups.has(key)) {
      const names = (kind === 'tag' ? tags : scenarios).find((part) => part.name === groupName)?.requestNames;
      const group = names === undefined ? undefined : recorder.groupStats(groupName, names);
      const indexes = (names ?? []).map((metricName) => recorder.metricNames.indexOf(metricName)).filter((index) => index !== -1);
      groups.set(
        key,
        group === undefined
          ? undefined
          : subject(
              group.stats,
              () => group.responseTime,
              (phase) => recorder.timingHistogram(phase, indexes),
            ),
      );
    }
    return groups.get(key);
  };
  return (name, scenario, tag) => {
    if (name === undefined && scenario !== undefined) return groupSubject('scenario', scenario);
    if (name === undefined && tag !== undefined) return groupSubject('tag', tag);
    const index = name === undefined ? undefined : recorder.metricNames.indexOf(name);
    if (index === -1) return undefined;
    const stats = index === undefined ? snapshot.total : snapshot.requests[index];
    if (stats === undefined) return undefined;
    return subject(
      stats,
      () => recorder.responseTimeHistogram(index),
      (phase) => recorder.timingHistogram(phase, index),
    );
  };
}

/** One scenario of several (or one tag, `key:value`), as thresholds and reports group its requests. */
export interface ScenarioRequests {
  readonly name: string;
  readonly requestNames: readonly string[];
}
