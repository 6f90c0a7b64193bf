import { ValueType } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType } from '@opentelemetry/sdk-metrics';
import type { DataPoint, Histogram, MetricData, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Attributes, HrTime } from '@opentelemetry/api';
import { LOADSEED_VERSION } from '../version.js';
import { DeliveryQueue } from './delivery-queue.js';
import { probeReceiver } from './probe-receiver.js';
import { onceOnly } from './receiver-options.js';
import type { ReceiverOptions } from './receiver-options.js';
import type {
  LatencyBuckets,
  MetricTotals,
  StreamInterval,
  StreamMeta,
  StreamOutput,
  StreamOutputReport,
  StreamSummary,
} from './stream-output.js';

/**
 * OpenTelemetry metrics over OTLP/HTTP (JSON), through the official exporter: per interval one export of
 * `loadseed.requests` {request, http.response.status_code} and `loadseed.failures` {request, error.category}
 * (cumulative sums), `loadseed.dropped_arrivals`, the `loadseed.response_time` and `loadseed.service_time`
 * histograms (ms, cumulative), and the gauges `loadseed.users`, `loadseed.arrival_rate` and
 * `loadseed.interval.response_time` {quantile}; the resource carries `loadseed.run_id`, `loadseed.scenario`,
 * `loadseed.shard`. The data points are built from loadseed's own figures (no per-request SDK calls).
 */
export class OtlpOutput implements StreamOutput {
  readonly kind = 'otlp';
  readonly target: string;
  readonly needsTotals = true;
  readonly #url: URL;
  readonly #exporter: OTLPMetricExporter;
  readonly #queue: DeliveryQueue<ResourceMetrics>;
  readonly #options: ReceiverOptions;
  readonly #warn: (message: string) => void;
  #resource = resourceFromAttributes({});

  /** `url`: the receiver (`http://HOST:4318`, `/v1/metrics` added when it has no path). */
  constructor(url: string, shown: string, options: ReceiverOptions) {
    const parsed = new URL(url);
    if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/v1/metrics';
    this.#url = parsed;
    this.target = shown;
    this.#options = options;
    this.#warn = onceOnly(options.onWarning);
    this.#exporter = new OTLPMetricExporter({ url: parsed.toString(), timeoutMillis: options.timeoutMs, concurrencyLimit: 2 });
    this.#queue = new DeliveryQueue({
      send: (batch) => this.#export(batch),
      maxBatches: options.maxBatches,
      timeoutMs: options.timeoutMs,
      onFirstDrop: (reason) => this.#warn(`otlp ${this.target}: ${reason}; the run goes on, the batches dropped are counted`),
    });
  }

  start(meta: StreamMeta): void {
    this.#resource = resourceFromAttributes({
      'service.name': 'loadseed',
      'service.version': LOADSEED_VERSION,
      'loadseed.run_id': meta.runId,
      'loadseed.scenario': meta.scenario,
      'loadseed.shard': meta.shard === undefined ? '1/1' : `${meta.shard.index}/${meta.shard.count}`,
    });
    void probeReceiver(this.#url, this.#options.timeoutMs).then((reason) => {
      if (reason !== undefined)
        this.#warn(`otlp ${this.target}: unreachable at start (${reason}); the run goes on, the batches dropped are counted`);
    });
  }

  interval(point: StreamInterval): void {
    this.#queue.push({
      resource: this.#resource,
      scopeMetrics: [{ scope: { name: 'loadseed', version: LOADSEED_VERSION }, metrics: metricsOf(point) }],
    });
  }

  threshold(): void {}

  async finish(_summary: StreamSummary): Promise<void> {
    await this.#queue.close(this.#options.timeoutMs);
    await this.#exporter.shutdown().catch(() => undefined);
  }

  report(): StreamOutputReport {
    return this.#queue.report(this.kind, this.target);
  }

  #export(batch: ResourceMetrics): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#exporter.export(batch, (result) => {
        if (result.code === ExportResultCode.SUCCESS) resolve();
        else reject(result.error ?? new Error('export failed'));
      });
    });
  }
}

function metricsOf(point: StreamInterval): MetricData[] {
  const endTime = hrTime(point.endEpochMs);
  const totals = point.totals;
  const startTime = hrTime(totals?.startEpochMs ?? point.endEpochMs - point.durationMs);
  const intervalStart = hrTime(point.endEpochMs - point.durationMs);
  const at = <T>(value: T, attributes: Attributes = {}, start: HrTime = startTime): DataPoint<T> => ({
    startTime: start,
    endTime,
    attributes,
    value,
  });
  const metrics: MetricData[] = [];
  if (totals !== undefined) {
    metrics.push(
      sum(
        'loadseed.requests',
        'requests that ended, by request name and status (error: no response)',
        totals.byRequest.flatMap((request) =>
          Object.entries(request.byStatus).map(([status, count]) =>
            at(count, { request: request.name, 'http.response.status_code': status }),
          ),
        ),
      ),
      sum(
        'loadseed.failures',
        'failed requests, by request name and error category (status: a status not expected)',
        totals.byRequest.flatMap((request) =>
          Object.entries(request.failuresByCategory).map(([category, count]) =>
            at(count, { request: request.name, 'error.category': category }),
          ),
        ),
      ),
      sum('loadseed.dropped_arrivals', 'open model: arrivals dropped, every user busy', [at(totals.droppedArrivals)]),
      histogram('loadseed.response_time', 'response time, from when the request was due', at(histogramOf(totals.responseTime))),
      histogram('loadseed.service_time', 'service time, from the actual send', at(histogramOf(totals.serviceTime))),
      ...totals.metrics.map((metric) => customMetricOf(metric, at)),
    );
  }
  metrics.push(
    gauge('loadseed.users', 'virtual users active', '{user}', [at(point.users, {}, intervalStart)]),
    gauge('loadseed.arrival_rate', 'iterations started per second (open model)', '1/s', [
      at(point.durationMs > 0 ? (point.arrivals * 1000) / point.durationMs : 0, {}, intervalStart),
    ]),
    gauge(
      'loadseed.interval.response_time',
      "the interval's response-time quantiles",
      'ms',
      (
        [
          ['0.5', point.latencyMs.p50],
          ['0.95', point.latencyMs.p95],
          ['0.99', point.latencyMs.p99],
        ] as const
      ).map(([quantile, ms]) => at(ms, { quantile }, intervalStart)),
    ),
  );
  return metrics;
}

/**
 * A custom metric as `loadseed.metric.<name>`: a counter's sum as a monotonic sum, a trend as a histogram in its
 * own unit (`ms` for a name ending in `_ms`).
 */
function customMetricOf(metric: MetricTotals, at: <T>(value: T) => DataPoint<T>): MetricData {
  const name = `loadseed.metric.${metric.name}`;
  const unit = metric.name.endsWith('_ms') ? 'ms' : '1';
  if (metric.buckets === undefined)
    return sum(name, `custom metric ${metric.name}: the sum of its values`, [at(metric.sum)], unit, ValueType.DOUBLE);
  const histogramPoint = at<Histogram>({
    buckets: { boundaries: [...metric.buckets.bounds], counts: [...metric.buckets.counts] },
    sum: metric.sum,
    count: metric.count,
  });
  return histogram(name, `custom metric ${metric.name}: the distribution of its values`, histogramPoint, unit);
}

function sum(
  name: string,
  description: string,
  dataPoints: DataPoint<number>[],
  unit = '{request}',
  valueType = ValueType.INT,
): MetricData {
  return {
    descriptor: { name, description, unit, valueType },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: true,
    dataPoints,
  };
}

function gauge(name: string, description: string, unit: string, dataPoints: DataPoint<number>[]): MetricData {
  return {
    descriptor: { name, description, unit, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.GAUGE,
    dataPoints,
  };
}

function histogram(name: string, description: string, dataPoint: DataPoint<Histogram>, unit = 'ms'): MetricData {
  return {
    descriptor: { name, description, unit, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: [dataPoint],
  };
}

function histogramOf(buckets: LatencyBuckets): Histogram {
  return { buckets: { boundaries: [...buckets.boundsMs], counts: [...buckets.counts] }, sum: buckets.sumMs, count: buckets.count };
}

function hrTime(epochMs: number): HrTime {
  const seconds = Math.floor(epochMs / 1000);
  return [seconds, Math.round((epochMs - seconds * 1000) * 1e6)];
}
