import type { Histogram } from 'hdr-histogram-js';
import { percentileUs } from '../metrics/latency-histogram.js';
import type { TimingStatistic } from '../plan/thresholds.js';

/**
 * A timing phase's figure for a threshold (ms): its mean, maximum or a percentile; undefined when the phase has
 * no samples (no new connection was opened, the host was an address and needed no lookup…), so the threshold
 * has no data, and fails, like any threshold without data.
 */
export function timingMsOf(histogram: Histogram, statistic: TimingStatistic): number | undefined {
  if (histogram.totalCount === 0) return undefined;
  if (statistic === 'avg') return histogram.mean / 1000;
  if (statistic === 'max') return histogram.maxValue / 1000;
  return percentileUs(histogram, statistic) / 1000;
}
