import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import snappy from 'snappyjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultsSchemaProblems } from '../../../src/results/read-results.js';
import type { ResultsDocument } from '../../../src/results/results-document.js';
import { startTargetServer } from '../../../src/target/target-server.js';
import type { TargetServer } from '../../../src/target/target-server.js';
import { closedPort } from '../engine/servers.js';
import { runCliInProcess } from '../../helpers/in-process-cli.js';
import type { InProcessOutcome } from '../../helpers/in-process-cli.js';

/**
 * The streaming outputs of `loadseed run --output`, end to end in-process against receivers started here on
 * loopback: an OTLP/HTTP receiver (JSON, as the official exporter sends it), a Prometheus remote-write receiver
 * (snappy + protobuf, decoded with the prompb messages below), and a JSON Lines file. Counts are checked against
 * the results file and the target's own count; latencies against the results within one histogram bucket.
 */

/** prompb (types.proto and remote.proto), the fields a receiver reads: decoded independently of the sender's copy. */
const PROMPB = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }
message Label { string name = 1; string value = 2; }
message Sample { double value = 1; int64 timestamp = 2; }
`;
const WriteRequest = protobuf.parse(PROMPB).root.lookupType('prometheus.WriteRequest');

interface Series {
  readonly labels: Record<string, string>;
  readonly value: number;
  readonly timestamp: number;
}

interface Receiver {
  readonly url: string;
  /** Every request body, decoded, in the order received. */
  readonly bodies: unknown[];
  readonly headers: IncomingMessage['headers'][];
  close(): Promise<void>;
}

async function startReceiver(decode: (body: Buffer) => unknown): Promise<Receiver> {
  const bodies: unknown[] = [];
  const headers: IncomingMessage['headers'][] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(decode(Buffer.concat(chunks)));
      headers.push(request.headers);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    headers,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function decodeRemoteWrite(body: Buffer): Series[] {
  const message = WriteRequest.decode(snappy.uncompress(body)) as unknown as {
    timeseries: { labels: { name: string; value: string }[]; samples: { value: number; timestamp: unknown }[] }[];
  };
  return message.timeseries.flatMap((series) =>
    series.samples.map((sample) => ({
      labels: Object.fromEntries(series.labels.map((label) => [label.name, label.value])),
      value: sample.value,
      timestamp: Number(sample.timestamp),
    })),
  );
}

let dir: string;
let target: TargetServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-streams-'));
  target = await startTargetServer({ port: 0 });
});

afterAll(async () => {
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

function run(...argv: string[]): Promise<InProcessOutcome> {
  return runCliInProcess(argv, { cwd: dir, env: { TARGET_URL: target.url, LOADSEED_RUN_ID: 'run-42' } });
}

async function scenario(name: string, extra = ''): Promise<string> {
  await writeFile(
    join(dir, `${name}.yml`),
    [
      `name: ${name}`,
      'target: ${TARGET_URL}',
      'requests:',
      '  - name: slow',
      '    path: /delay/20',
      '    weight: 3',
      '    metric: [{name: slow_status, from: status}, {name: slow_status_sum, from: status, kind: counter}]',
      '  - {name: unavailable, path: /status/503}',
      'load: {profile: constant, users: 4, duration: 1500ms}',
      'sla: {p95_latency_ms: 10000}',
      `report: {json: ${name}.json, html: false${extra}}`,
      '',
    ].join('\n'),
  );
  return `${name}.yml`;
}

async function results(name: string): Promise<ResultsDocument> {
  const document: unknown = JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8'));
  expect(resultsSchemaProblems(document)).toEqual([]);
  return document as ResultsDocument;
}

/** The index of the explicit bucket holding the p-th percentile of `counts` (non-cumulative). */
function bucketOfPercentile(counts: readonly number[], percentile: number): number {
  const total = counts.reduce((sum, count) => sum + count, 0);
  let seen = 0;
  for (const [index, count] of counts.entries()) {
    seen += count;
    if (seen >= (total * percentile) / 100) return index;
  }
  return counts.length - 1;
}

/** The index of the bucket (bounds ascending, the last one open) that holds `value`. */
function bucketOfValue(bounds: readonly number[], value: number): number {
  const index = bounds.findIndex((bound) => value <= bound);
  return index === -1 ? bounds.length : index;
}

type OtlpValue = { stringValue?: string; intValue?: string | number };
type OtlpAttribute = { key: string; value: OtlpValue };
type OtlpPoint = {
  attributes?: OtlpAttribute[];
  asInt?: string | number;
  asDouble?: number;
  count?: string | number;
  bucketCounts?: (string | number)[];
  explicitBounds?: number[];
};
type OtlpMetric = {
  name: string;
  sum?: { dataPoints: OtlpPoint[] };
  gauge?: { dataPoints: OtlpPoint[] };
  histogram?: { dataPoints: OtlpPoint[] };
};
type OtlpBody = { resourceMetrics: { resource: { attributes: OtlpAttribute[] }; scopeMetrics: { metrics: OtlpMetric[] }[] }[] };

function attributesOf(attributes: readonly OtlpAttribute[] | undefined): Record<string, string> {
  return Object.fromEntries(
    (attributes ?? []).map((attribute) => [attribute.key, String(attribute.value.stringValue ?? attribute.value.intValue)]),
  );
}

function metricOf(body: OtlpBody, name: string): OtlpMetric | undefined {
  return body.resourceMetrics
    .flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics))
    .find((metric) => metric.name === name);
}

/** JSON Lines: the intervals add up exactly; the summary is the results'. */
async function checkJsonl(doc: ResultsDocument): Promise<void> {
  const total = doc.summary.total.count;
  const lines = (await readFile(join(dir, 'streams/all.jsonl'), 'utf8'))
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown> & { kind: string });
  const intervals = lines.filter((line) => line.kind === 'interval') as unknown as {
    offsetMs: number;
    durationMs: number;
    requests: number;
    failures: number;
    failuresByKind: Record<string, number>;
    byRequest: Record<string, { requests: number; failures: number }>;
    latencyMs: { p50: number; p95: number; p99: number };
    users: number;
  }[];
  expect(intervals.length).toBeGreaterThanOrEqual(2);
  expect(intervals.reduce((sum, line) => sum + line.requests, 0)).toBe(total);
  expect(intervals.reduce((sum, line) => sum + line.failures, 0)).toBe(doc.summary.total.failures);
  expect(intervals.reduce((sum, line) => sum + (line.failuresByKind['status'] ?? 0), 0)).toBe(doc.summary.total.failures);
  for (const stats of doc.summary.requests) {
    expect(intervals.reduce((sum, line) => sum + (line.byRequest[stats.name]?.requests ?? 0), 0)).toBe(stats.count);
  }
  // Back to back, from t=0 to the run's end.
  expect(intervals[0]?.offsetMs).toBe(0);
  for (let index = 1; index < intervals.length; index++) {
    const previous = intervals[index - 1]!;
    expect(intervals[index]?.offsetMs).toBeCloseTo(previous.offsetMs + previous.durationMs, 2);
  }
  expect(lines.at(-1)?.kind).toBe('summary');
  const summary = lines.at(-1) as unknown as { runId: string; total: { count: number; latencyMs: { p95: number } } };
  expect(summary.runId).toBe('run-42');
  expect(summary.total.count).toBe(total);
  expect(summary.total.latencyMs.p95).toBe(doc.summary.total.latencyMs.p95);
  // The custom metrics: the intervals' counts and sums add up to the results', the summary carries the results' figures.
  const metricLines = intervals as unknown as { metrics: Record<string, { count: number; sum: number }> }[];
  for (const metric of doc.summary.metrics ?? []) {
    expect(metricLines.reduce((sum, line) => sum + (line.metrics[metric.name]?.count ?? 0), 0)).toBe(metric.count);
    expect(metricLines.reduce((sum, line) => sum + (line.metrics[metric.name]?.sum ?? 0), 0)).toBe(metric.sum);
  }
  expect((summary as unknown as { metrics: unknown }).metrics).toEqual(doc.summary.metrics);
  // Each full interval's p95: the 20 ms the target imposed on most requests, within 1% (2 significant digits) and the loop's noise.
  for (const line of intervals.filter((interval) => interval.requests > 0)) expect(line.latencyMs.p95).toBeGreaterThanOrEqual(19.5);
}

/** OTLP: the last export carries the run's totals. */
function checkOtlp(doc: ResultsDocument, lastOtlp: OtlpBody): void {
  const total = doc.summary.total.count;
  expect(attributesOf(lastOtlp.resourceMetrics[0]?.resource.attributes)).toMatchObject({
    'loadseed.run_id': 'run-42',
    'loadseed.scenario': 'all',
    'loadseed.shard': '1/1',
  });
  const requestPoints = metricOf(lastOtlp, 'loadseed.requests')?.sum?.dataPoints ?? [];
  expect(requestPoints.reduce((sum, point) => sum + Number(point.asInt ?? point.asDouble), 0)).toBe(total);
  const unavailable = requestPoints.find((point) => attributesOf(point.attributes)['http.response.status_code'] === '503');
  expect(Number(unavailable?.asInt)).toBe(doc.summary.requests.find((stats) => stats.name === 'unavailable')?.count);
  const failurePoints = metricOf(lastOtlp, 'loadseed.failures')?.sum?.dataPoints ?? [];
  expect(failurePoints.reduce((sum, point) => sum + Number(point.asInt ?? point.asDouble), 0)).toBe(doc.summary.total.failures);
  const histogram = metricOf(lastOtlp, 'loadseed.response_time')?.histogram?.dataPoints[0];
  expect(Number(histogram?.count)).toBe(total);
  const counts = (histogram?.bucketCounts ?? []).map(Number);
  const bounds = histogram?.explicitBounds ?? [];
  expect(Math.abs(bucketOfPercentile(counts, 95) - bucketOfValue(bounds, doc.summary.total.latencyMs.p95))).toBeLessThanOrEqual(1);
  expect(metricOf(lastOtlp, 'loadseed.users')).toBeDefined();
  checkOtlpCustomMetrics(doc, lastOtlp);
}

function checkOtlpCustomMetrics(doc: ResultsDocument, lastOtlp: OtlpBody): void {
  // Custom metrics: a trend as a histogram in its own unit (every status, 200, in the bucket ≤ 250), a counter's sum.
  const trend = metricOf(lastOtlp, 'loadseed.metric.slow_status')?.histogram?.dataPoints[0];
  const slow = doc.summary.metrics?.find((metric) => metric.name === 'slow_status');
  expect(Number(trend?.count)).toBe(slow?.count);
  const trendCounts = (trend?.bucketCounts ?? []).map(Number);
  expect(trendCounts[bucketOfValue(trend?.explicitBounds ?? [], 200)]).toBe(slow?.count);
  const counter = metricOf(lastOtlp, 'loadseed.metric.slow_status_sum')?.sum?.dataPoints[0];
  expect(counter?.asDouble).toBe(doc.summary.metrics?.find((metric) => metric.name === 'slow_status_sum')?.sum);
}

/** Remote write: cumulative counters in the last request, labelled with the run. */
function checkRemoteWrite(doc: ResultsDocument, last: Series[]): void {
  const total = doc.summary.total.count;
  const requests = last.filter((series) => series.labels['__name__'] === 'loadseed_requests_total');
  expect(requests.reduce((sum, series) => sum + series.value, 0)).toBe(total);
  expect(requests[0]?.labels).toMatchObject({ run_id: 'run-42', scenario: 'all', shard: '1/1' });
  const failures = last.filter((series) => series.labels['__name__'] === 'loadseed_failures_total');
  expect(failures.find((series) => series.labels['category'] === 'status')?.value).toBe(doc.summary.total.failures);
  const buckets = last.filter((series) => series.labels['__name__'] === 'loadseed_response_time_seconds_bucket');
  const finite = buckets.filter((series) => series.labels['le'] !== '+Inf');
  const cumulative = finite.map((series) => series.value);
  const perBucket = [...cumulative.map((value, index) => value - (cumulative[index - 1] ?? 0)), total - (cumulative.at(-1) ?? 0)];
  const boundsMs = finite.map((series) => Number(series.labels['le']) * 1000);
  expect(Math.abs(bucketOfPercentile(perBucket, 95) - bucketOfValue(boundsMs, doc.summary.total.latencyMs.p95))).toBeLessThanOrEqual(1);
  expect(buckets.find((series) => series.labels['le'] === '+Inf')?.value).toBe(total);
  const valueOf = (name: string): number | undefined => last.find((series) => series.labels['__name__'] === name)?.value;
  const slow = doc.summary.metrics?.find((metric) => metric.name === 'slow_status');
  expect(valueOf('loadseed_metric_slow_status_count')).toBe(slow?.count);
  expect(valueOf('loadseed_metric_slow_status_sum')).toBe(slow?.sum);
  expect(valueOf('loadseed_metric_slow_status_sum_total')).toBe(
    doc.summary.metrics?.find((metric) => metric.name === 'slow_status_sum')?.sum,
  );
}

describe('streaming outputs (--output)', () => {
  it('jsonl, otlp and prometheus-rw: every count adds up to the results and to the target', async () => {
    const otlp = await startReceiver((body) => JSON.parse(body.toString('utf8')) as unknown);
    const remoteWrite = await startReceiver(decodeRemoteWrite);
    try {
      const file = await scenario('all');
      const seenBefore = target.requestCount();
      const out = await run(
        'run',
        file,
        '--quiet',
        '--output',
        'jsonl=streams/all.jsonl',
        '--output',
        `otlp=${otlp.url}`,
        '--output',
        `prometheus-rw=${remoteWrite.url}/api/v1/write`,
      );
      expect(out.stderr).not.toContain('!');
      expect(out.code).toBe(0);
      const doc = await results('all');
      const total = doc.summary.total.count;
      expect(total).toBeGreaterThan(20);
      expect(total).toBe(target.requestCount() - seenBefore);
      expect(doc.summary.total.failures).toBeGreaterThan(0);
      expect(doc.summary.metrics?.map((metric) => [metric.name, metric.count])).toEqual([
        ['slow_status', doc.summary.requests.find((stats) => stats.name === 'slow')?.count],
        ['slow_status_sum', doc.summary.requests.find((stats) => stats.name === 'slow')?.count],
      ]);

      await checkJsonl(doc);
      checkOtlp(doc, otlp.bodies.at(-1) as OtlpBody);
      expect(otlp.bodies.length).toBeGreaterThanOrEqual(2);
      expect(remoteWrite.headers[0]?.['content-encoding']).toBe('snappy');
      checkRemoteWrite(doc, remoteWrite.bodies.at(-1) as Series[]);

      expect(doc.outputs?.map((output) => [output.kind, output.dropped])).toEqual([
        ['jsonl', 0],
        ['otlp', 0],
        ['prometheus-rw', 0],
      ]);
      expect(doc.outputs?.[1]?.sent).toBe(otlp.bodies.length);
      expect(doc.outputs?.[2]?.sent).toBe(remoteWrite.bodies.length);
    } finally {
      await otlp.close();
      await remoteWrite.close();
    }
  });

  it('a shard labels its own series; report.outputs in the scenario works like --output', async () => {
    const remoteWrite = await startReceiver(decodeRemoteWrite);
    try {
      const file = await scenario(
        'shard',
        `, outputs: [{kind: prometheus-rw, target: "${remoteWrite.url}/api/v1/write"}, {kind: jsonl, target: shard.jsonl}]`,
      );
      const out = await run('run', file, '--quiet', '--shard', '2/2');
      expect(out.code).toBe(0);
      const doc = await results('shard');
      const last = remoteWrite.bodies.at(-1) as Series[];
      const requests = last.filter((series) => series.labels['__name__'] === 'loadseed_requests_total');
      expect(requests.every((series) => series.labels['shard'] === '2/2')).toBe(true);
      expect(requests.reduce((sum, series) => sum + series.value, 0)).toBe(doc.summary.total.count);
      const lines = (await readFile(join(dir, 'shard.jsonl'), 'utf8'))
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as { kind: string; requests?: number; shard?: unknown });
      expect(lines.filter((line) => line.kind === 'interval').reduce((sum, line) => sum + (line.requests ?? 0), 0)).toBe(
        doc.summary.total.count,
      );
      expect(lines.at(-1)?.shard).toEqual({ index: 2, count: 2 });
    } finally {
      await remoteWrite.close();
    }
  });

  it("find-limit streams too: the scenario's report.outputs, the intervals adding up to its results", async () => {
    // Every request succeeds: a step with more than 10% errors would fail whatever the SLA says.
    await writeFile(
      join(dir, 'steps.yml'),
      'name: steps\ntarget: ${TARGET_URL}\nrequests: [{path: /delay/5}]\nload: {profile: constant, users: 1, duration: 1s}\nsla: {p95_latency_ms: 10000}\nreport: {json: steps.json, html: false, outputs: [{kind: jsonl, target: steps.jsonl}]}\n',
    );
    const file = 'steps.yml';
    const seenBefore = target.requestCount();
    const out = await run(
      'find-limit',
      file,
      '--quiet',
      '--start-rate',
      '20',
      '--step-rate',
      '20',
      '--max-rate',
      '40',
      '--step-duration',
      '1s',
    );
    expect(out.code, out.stderr).toBe(0);
    const doc = await results('steps');
    expect(doc.findLimit).toBeDefined();
    expect(doc.summary.total.count).toBe(target.requestCount() - seenBefore);
    const lines = (await readFile(join(dir, 'steps.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; requests?: number });
    expect(lines.filter((line) => line.kind === 'interval').reduce((sum, line) => sum + (line.requests ?? 0), 0)).toBe(
      doc.summary.total.count,
    );
    expect(doc.outputs).toEqual([{ kind: 'jsonl', target: 'steps.jsonl', sent: lines.length, dropped: 0 }]);
  });

  it('receivers that are down: the same exit code, one warning each, the dropped batches in the results', async () => {
    const port = await closedPort();
    const file = await scenario('down');
    const out = await run(
      'run',
      file,
      '--quiet',
      '--output',
      `otlp=http://127.0.0.1:${port}`,
      '--output',
      `prometheus-rw=http://127.0.0.1:${port}/api/v1/write`,
    );
    expect(out.code).toBe(0);
    const warnings = out.stderr.split('\n').filter((line) => line.startsWith('!'));
    expect(warnings.filter((line) => line.includes('otlp'))).toHaveLength(1);
    expect(warnings.filter((line) => line.includes('prometheus-rw'))).toHaveLength(1);
    expect(warnings).toHaveLength(2);
    const doc = await results('down');
    expect(doc.verdict).toBe('passed');
    expect(doc.outputs).toHaveLength(2);
    for (const output of doc.outputs ?? []) {
      expect(output.sent).toBe(0);
      expect(output.dropped).toBeGreaterThanOrEqual(2);
      expect(output.error).toBeDefined();
    }
    // The exporter retries a refused connection within its timeout; remote write says why at once.
    expect(doc.outputs?.[1]?.error).toMatch(/ECONNREFUSED/);
  });

  it('jsonl: a threshold line for each live state a threshold takes, once per change', async () => {
    // A quarter of the requests fail (503) from the start, against max_error_rate 1%: lost at the first interval
    // and lost to the end. The p95 (≈ 20 ms) is within 10 s all along. So each sends one line, and no more.
    await writeFile(
      join(dir, 'judged.yml'),
      [
        'name: judged',
        'target: ${TARGET_URL}',
        'requests: [{name: slow, path: /delay/20, weight: 3}, {name: unavailable, path: /status/503}]',
        'load: {profile: constant, users: 4, duration: 1500ms}',
        'sla: {p95_latency_ms: 10000, max_error_rate: 0.01}',
        'report: {json: judged.json, html: false}',
        '',
      ].join('\n'),
    );
    const out = await run('run', 'judged.yml', '--output', 'jsonl=judged.jsonl', '--quiet');
    expect(out.code).toBe(1);
    const lines = (await readFile(join(dir, 'judged.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as { kind: string; key?: string; passed?: boolean; measured?: number; limit?: number; offsetMs?: number },
      );
    const changes = lines.filter((line) => line.kind === 'threshold');
    expect(changes.map(({ key, passed, limit }) => ({ key, passed, limit }))).toEqual(
      expect.arrayContaining([
        { key: 'p95_latency_ms', passed: true, limit: 10_000 },
        { key: 'max_error_rate', passed: false, limit: 0.01 },
      ]),
    );
    expect(changes).toHaveLength(2);
    const lost = changes.find((line) => line.key === 'max_error_rate');
    expect(lost?.measured).toBeGreaterThan(0.01);
    expect(lost?.offsetMs).toBeGreaterThan(0);
    const doc = await results('judged');
    expect(doc.thresholds.map(({ key, passed }) => ({ key, passed }))).toEqual([
      { key: 'p95_latency_ms', passed: true },
      { key: 'max_error_rate', passed: false },
    ]);
  });

  it('jsonl=- streams on stdout; the summary for people goes to stderr', async () => {
    const file = await scenario('stdout');
    const out = await run('run', file, '--output', 'jsonl=-');
    expect(out.code).toBe(0);
    const lines = out.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; requests?: number });
    const doc = await results('stdout');
    expect(lines.filter((line) => line.kind === 'interval').reduce((sum, line) => sum + (line.requests ?? 0), 0)).toBe(
      doc.summary.total.count,
    );
    expect(out.stderr).toContain('passed');
    // The summary for people lists the stream with what it delivered.
    expect(out.stderr).toMatch(new RegExp(`jsonl +- +${lines.length} sent\\n`));
  });

  it.each([
    ['jsnl=run.jsonl', /unknown kind "jsnl"; did you mean jsonl\?/],
    ['prometheus=http://127.0.0.1:9090/api/v1/write', /unknown kind "prometheus"; did you mean prometheus-rw\?/],
    ['otlp=', /no target: otlp= needs the URL of an OTLP\/HTTP receiver/],
    ['jsonl', /expected KIND=TARGET/],
    ['otlp=localhost:4318', /only http and https URLs/],
    ['prometheus-rw=not a url', /"not a url" is not a URL/],
    ['jsonl=.', /cannot write \.: it is a directory/],
  ])('refuses --output %s before any load: exit 2, located', async (spec, message) => {
    const file = await scenario('bad');
    const seenBefore = target.requestCount();
    const out = await run('run', file, '--output', spec);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(`--output ${JSON.stringify(spec)}`);
    expect(out.stderr).toMatch(message);
    expect(out.stderr).not.toMatch(/\n\s+at /);
    expect(target.requestCount()).toBe(seenBefore);
  });

  it('refuses a bad target in report.outputs, located at the scenario key', async () => {
    const file = await scenario('badkey', ', outputs: [{kind: otlp, target: "ftp://x"}]');
    const seenBefore = target.requestCount();
    const out = await run('run', file);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('report.outputs[0] in badkey.yml');
    expect(target.requestCount()).toBe(seenBefore);
  });
});
