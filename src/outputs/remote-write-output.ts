import snappy from 'snappyjs';
import { DeliveryQueue } from './delivery-queue.js';
import { postBody } from './post-body.js';
import { WriteRequest } from './remote-write-proto.js';
import type { RemoteWriteSeries } from './remote-write-proto.js';
import type {
  LatencyBuckets,
  MetricTotals,
  StreamInterval,
  StreamMeta,
  StreamOutput,
  StreamOutputReport,
  StreamSummary,
} from './stream-output.js';
import { onceOnly } from './receiver-options.js';
import type { ReceiverOptions } from './receiver-options.js';
import { probeReceiver } from './probe-receiver.js';

const HEADERS = {
  'content-type': 'application/x-protobuf',
  'content-encoding': 'snappy',
  'x-prometheus-remote-write-version': '0.1.0',
  'user-agent': 'loadseed',
};

/**
 * Prometheus remote write: per interval one request (protobuf, snappy) with every series at the interval's
 * end: `loadseed_requests_total{request,status}`, `loadseed_failures_total{request,category}`,
 * `loadseed_dropped_arrivals_total`, the response-time and service-time histograms (`_bucket{le}`, `_sum`,
 * `_count`, seconds), the interval's quantiles (`loadseed_interval_response_time_seconds{quantile}`),
 * `loadseed_users` and `loadseed_arrival_rate`; all labelled `run_id`, `scenario`, `shard`. Counters are
 * cumulative, so a batch dropped loses a point, not a count.
 */
export class RemoteWriteOutput implements StreamOutput {
  readonly kind = 'prometheus-rw';
  readonly target: string;
  readonly needsTotals = true;
  readonly #url: URL;
  readonly #queue: DeliveryQueue<Uint8Array>;
  readonly #options: ReceiverOptions;
  readonly #warn: (message: string) => void;
  #labels: readonly { readonly name: string; readonly value: string }[] = [];

  constructor(url: string, shown: string, options: ReceiverOptions) {
    this.#url = new URL(url);
    this.target = shown;
    this.#options = options;
    this.#warn = onceOnly(options.onWarning);
    this.#queue = new DeliveryQueue({
      send: (body, signal) => postBody(this.#url, body, HEADERS, signal),
      maxBatches: options.maxBatches,
      timeoutMs: options.timeoutMs,
      onFirstDrop: (reason) => this.#warn(`prometheus-rw ${this.target}: ${reason}; the run goes on, the batches dropped are counted`),
    });
  }

  start(meta: StreamMeta): void {
    void probeReceiver(this.#url, this.#options.timeoutMs).then((reason) => {
      if (reason !== undefined)
        this.#warn(`prometheus-rw ${this.target}: unreachable at start (${reason}); the run goes on, the batches dropped are counted`);
    });
    this.#labels = [
      { name: 'run_id', value: meta.runId },
      { name: 'scenario', value: meta.scenario },
      { name: 'shard', value: meta.shard === undefined ? '1/1' : `${meta.shard.index}/${meta.shard.count}` },
    ];
  }

  interval(point: StreamInterval): void {
    const series = this.#series(point);
    this.#queue.push(snappy.compress(WriteRequest.encode(WriteRequest.fromObject({ timeseries: series })).finish()));
  }

  threshold(): void {}

  async finish(_summary: StreamSummary): Promise<void> {
    await this.#queue.close(this.#options.timeoutMs);
  }

  report(): StreamOutputReport {
    return this.#queue.report(this.kind, this.target);
  }

  #series(point: StreamInterval): RemoteWriteSeries[] {
    const timestamp = Math.round(point.endEpochMs);
    const out: RemoteWriteSeries[] = [];
    const add = (name: string, value: number, labels: Readonly<Record<string, string>> = {}): void => {
      const all = [
        { name: '__name__', value: name },
        ...this.#labels,
        ...Object.entries(labels).map(([key, text]) => ({ name: key, value: text })),
      ];
      all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      out.push({ labels: all, samples: [{ value, timestamp }] });
    };
    const totals = point.totals;
    if (totals !== undefined) {
      for (const request of totals.byRequest) {
        for (const [status, count] of Object.entries(request.byStatus))
          add('loadseed_requests_total', count, { request: request.name, status });
        for (const [category, count] of Object.entries(request.failuresByCategory))
          add('loadseed_failures_total', count, { request: request.name, category });
      }
      add('loadseed_dropped_arrivals_total', totals.droppedArrivals);
      addHistogram(add, 'loadseed_response_time_seconds', totals.responseTime);
      addHistogram(add, 'loadseed_service_time_seconds', totals.serviceTime);
      for (const metric of totals.metrics) addCustomMetric(add, metric);
    }
    for (const [quantile, ms] of [
      ['0.5', point.latencyMs.p50],
      ['0.95', point.latencyMs.p95],
      ['0.99', point.latencyMs.p99],
    ] as const) {
      add('loadseed_interval_response_time_seconds', ms / 1000, { quantile });
    }
    add('loadseed_users', point.users);
    add('loadseed_arrival_rate', point.durationMs > 0 ? (point.arrivals * 1000) / point.durationMs : 0);
    return out;
  }
}

/**
 * A custom metric: a counter as `loadseed_metric_<name>_total` (its sum), a trend as the histogram
 * `loadseed_metric_<name>` in its own unit (`le` in ms for a name ending in `_ms`).
 */
function addCustomMetric(
  add: (name: string, value: number, labels?: Readonly<Record<string, string>>) => void,
  metric: MetricTotals,
): void {
  const name = `loadseed_metric_${metric.name}`;
  if (metric.buckets === undefined) {
    add(`${name}_total`, metric.sum);
    return;
  }
  let cumulative = 0;
  metric.buckets.bounds.forEach((bound, index) => {
    cumulative += metric.buckets?.counts[index] ?? 0;
    add(`${name}_bucket`, cumulative, { le: String(bound) });
  });
  add(`${name}_bucket`, metric.count, { le: '+Inf' });
  add(`${name}_sum`, metric.sum);
  add(`${name}_count`, metric.count);
}

/** A Prometheus histogram: cumulative `_bucket{le}` (seconds), `+Inf`, `_sum` and `_count`. */
function addHistogram(
  add: (name: string, value: number, labels?: Readonly<Record<string, string>>) => void,
  name: string,
  buckets: LatencyBuckets,
): void {
  let cumulative = 0;
  buckets.boundsMs.forEach((boundMs, index) => {
    cumulative += buckets.counts[index] ?? 0;
    add(`${name}_bucket`, cumulative, { le: String(boundMs / 1000) });
  });
  add(`${name}_bucket`, buckets.count, { le: '+Inf' });
  add(`${name}_sum`, buckets.sumMs / 1000);
  add(`${name}_count`, buckets.count);
}
