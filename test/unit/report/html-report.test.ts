import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ErrorCategoryId } from '../../../src/metrics/error-category.js';
import { createLatencyHistogram } from '../../../src/metrics/latency-histogram.js';
import { Recorder } from '../../../src/metrics/recorder.js';
import { planThresholds } from '../../../src/plan/thresholds.js';
import { renderHtmlReport } from '../../../src/report/html-report.js';
import { SPECTRUM_PERCENTILES, binCounts, logBins, percentileSpectrumUs } from '../../../src/metrics/latency-distribution.js';
import type { ReportChartData } from '../../../src/report/report-page-data.js';
import { scriptSafeJson } from '../../../src/report/script-safe-json.js';
import { assembleResults } from '../../../src/results/results-document.js';
import type { AbortedByDocument, ResultsDocument } from '../../../src/results/results-document.js';
import type { SlaSpec } from '../../../src/scenario/types.js';

const XSS_NAME = '<img src=x onerror=alert(1)>';
const SCRIPT_NAME = '</script><script>alert(2)</script>';
/** Every way out of a script block or a JS string: closing tag, comment opener and closer, line and paragraph separators. */
const SCENARIO_NAME = 'shop </script><!-- & -->\u2028\u2029"\' co';
const NAMES = ['home', XSS_NAME, SCRIPT_NAME];
const ORIGIN = 1_000;

interface RecordOptions {
  /** Outcomes per request name, spread over `durationMs`. */
  readonly perRequest: number;
  readonly durationMs: number;
  readonly names?: readonly string[];
  /** Series interval and the most intervals kept (the recorder's defaults: 1 s, 240). */
  readonly seriesBucketMs?: number;
}

/**
 * A recorder filled with known values: request i answers in (i + 1) × 1–40 ms, service time 0.8 of it;
 * every 10th outcome of the last request is a timeout, every 20th of the first a 503.
 */
function recorded(options: RecordOptions): Recorder {
  const names = options.names ?? NAMES;
  const recorder = new Recorder(names, options.seriesBucketMs === undefined ? {} : { seriesBucketMs: options.seriesBucketMs });
  recorder.start(ORIGIN);
  recorder.setActiveUsers(8, ORIGIN);
  const total = options.perRequest * names.length;
  for (let i = 0; i < total; i++) {
    const request = i % names.length;
    const endedAt = ORIGIN + (i * options.durationMs) / total;
    const latencyUs = (request + 1) * (1_000 + ((i * 7_919) % 39_000));
    if (request === names.length - 1 && i % 10 === 0) {
      recorder.recordError(request, ErrorCategoryId.timeout, latencyUs, latencyUs * 0.8, 0, 60, endedAt);
    } else {
      const status = request === 0 && i % 20 === 0 ? 503 : 200;
      recorder.recordResponse(request, status, status === 200, latencyUs, latencyUs * 0.8, 120, 60, endedAt);
    }
    recorder.recordIteration();
  }
  recorder.finish(ORIGIN + options.durationMs);
  return recorder;
}

function resultsOf(
  recorder: Recorder,
  options: { sla?: SlaSpec | false; elapsedMs: number; abortedBy?: AbortedByDocument; interrupted?: boolean },
): ResultsDocument {
  return assembleResults(resultsInputOf(recorder, options.elapsedMs, options));
}

function resultsInputOf(
  recorder: Recorder,
  elapsedMs: number,
  options: { sla?: SlaSpec | false; abortedBy?: AbortedByDocument; interrupted?: boolean } = {},
): Parameters<typeof assembleResults>[0] {
  return {
    scenario: { name: SCENARIO_NAME, file: 'shop.yml', plan: `constant 8 users for 10s · 10s · 3 requests: ${NAMES.join(', ')}` },
    startedAtEpochMs: Date.parse('2026-11-25T20:00:00.000Z'),
    endedAtEpochMs: Date.parse('2026-11-25T20:00:00.000Z') + elapsedMs,
    elapsedMs,
    host: 'ci-1',
    interrupted: options.interrupted ?? false,
    warmupExcluded: false,
    warmupRequests: 0,
    ...(options.abortedBy === undefined ? {} : { abortedBy: options.abortedBy }),
    recorder,
    thresholds: planThresholds(options.sla),
    generator: {
      workers: 1,
      cpuPercent: 40,
      busyPercent: 35,
      eventLoopDelayP99Ms: 1,
      eventLoopDelayMaxMs: 4,
      schedulerLagP99Ms: 0,
      saturated: false,
      threads: [{ busyPercent: 35, saturatedTimePercent: 0, eventLoopDelayP99Ms: 1, eventLoopDelayMaxMs: 4 }],
    },
  };
}

const SLA: SlaSpec = { max_error_rate: 0.01, p95_latency_ms: 500, requests: { [SCRIPT_NAME]: { p99_latency_ms: 1 } } };

/** The `<script type="application/json">` block: its raw text and the data it parses to. */
function dataBlock(html: string): { raw: string; data: ReportChartData & { colors: string[] } } {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  if (match === null) throw new Error('no data block');
  const raw = match[1]!;
  return { raw, data: JSON.parse(raw) as ReportChartData & { colors: string[] } };
}

/** The executable inline scripts, as the browser hashes them. */
function inlineScripts(html: string): string[] {
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1]!);
}

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

describe('renderHtmlReport', () => {
  const results = resultsOf(recorded({ perRequest: 400, durationMs: 10_000 }), { sla: SLA, elapsedMs: 10_000 });

  it('is self-contained: nothing loaded from anywhere, scripts allowed by hash only', async () => {
    const html = await renderHtmlReport(results);
    expect(html).not.toMatch(/<script[^>]*\bsrc\s*=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<(img|iframe|object|embed)\b/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/https?:\/\//i);
    // Three script tags, the template's: the data, uPlot, the page's script. None more from the data.
    expect(html.match(/<script/gi)).toHaveLength(3);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1]?.replace(/&#39;/g, "'");
    expect(csp).toBeDefined();
    expect(csp).toContain("default-src 'none'");
    const scripts = inlineScripts(html);
    expect(scripts).toHaveLength(2);
    for (const script of scripts) {
      expect(csp).toContain(`'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`);
    }
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it('escapes every name: the XSS request renders as text, nothing breaks out of the data block', async () => {
    const html = await renderHtmlReport(results);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain(XSS_NAME);
    expect(html).not.toContain('<script>alert(2)');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(html).not.toContain('<!--');
    expect(html).toContain('<title>shop &lt;/script&gt;&lt;!-- &amp; --&gt;\u2028\u2029&#34;&#39; co · loadseed report</title>');
    const { raw, data } = dataBlock(html);
    expect(raw).not.toMatch(/[<>&\u2028\u2029]/);
    expect(data.spectrum?.requests.map((request) => request.name).sort()).toEqual([...NAMES].sort());
  });

  it('embeds chart data that matches the results: histogram, spectrum, per request, series', async () => {
    const html = await renderHtmlReport(results);
    const { data } = dataBlock(html);
    const total = results.summary.total;
    expect(total.count).toBe(1200);

    const distribution = data.distribution!;
    expect(distribution.edgesMs).toHaveLength(distribution.responseCounts.length + 1);
    expect(sum(distribution.responseCounts)).toBe(total.count);
    expect(sum(distribution.serviceCounts)).toBe(total.count);
    expect(distribution.responseCounts.length).toBeLessThanOrEqual(100);
    expect(distribution.edgesMs[0]!).toBeLessThanOrEqual(total.latencyMs.min);
    expect(distribution.edgesMs.at(-1)!).toBeGreaterThan(total.latencyMs.max);

    const spectrum = data.spectrum!;
    const at = (percentile: number): number => spectrum.percentiles.indexOf(percentile);
    for (const percentile of [0, 50, 90, 95, 99, 99.9, 99.99]) expect(at(percentile)).toBeGreaterThanOrEqual(0);
    const withinHdr = (value: number, expected: number): void =>
      expect(Math.abs(value - expected)).toBeLessThanOrEqual(expected * 0.001 + 0.001);
    withinHdr(spectrum.responseMs[at(50)]!, total.latencyMs.p50);
    withinHdr(spectrum.responseMs[at(95)]!, total.latencyMs.p95);
    withinHdr(spectrum.responseMs[at(99)]!, total.latencyMs.p99);
    withinHdr(spectrum.serviceMs[at(50)]!, total.serviceTimeMs.p50);
    withinHdr(spectrum.responseMs[0]!, total.latencyMs.min);
    expect(spectrum.responseMs.at(-1)!).toBeLessThanOrEqual(total.latencyMs.max);
    // A spectrum never goes down.
    expect(spectrum.responseMs).toEqual([...spectrum.responseMs].sort((a, b) => a - b));
    for (const request of spectrum.requests) {
      const stats = results.summary.requests.find((candidate) => candidate.name === request.name)!;
      expect(request.count).toBe(stats.count);
      withinHdr(request.responseMs[at(50)]!, stats.latencyMs.p50);
      withinHdr(request.responseMs[at(99)]!, stats.latencyMs.p99);
    }

    const series = data.series;
    // Ten 1 s intervals; the recorder's eleventh, empty, starts at the run's end and is left out.
    const points = results.series.slice(0, 10);
    expect(results.series.slice(10).map((point) => [point.startMs, point.requests])).toEqual([[10_000, 0]]);
    expect(series.startS).toEqual(points.map((point) => point.startMs / 1000));
    expect(series.requestsPerSec).toEqual(points.map((point) => point.requests));
    expect(sum(series.requestsPerSec)).toBe(total.count);
    expect(sum(series.failuresPerSec)).toBe(total.failures);
    expect(series.p95Ms).toEqual(points.map((point) => point.p95Ms));
    expect(series.activeUsers.every((users) => users === 8)).toBe(true);
    expect(series.endS).toBe(10);
    expect(series.anyDropped).toBe(false);
  });

  it('draws the interval the run ended in as a rate over the part of it the run lasted, in the results and the chart', async () => {
    // 2.5 s at an even 120 requests a second: the third interval holds 60 requests over 0.5 s.
    const recorder = recorded({ perRequest: 300, durationMs: 2_500, names: ['home'] });
    const partial = resultsOf(recorder, { elapsedMs: 2_500 });
    expect(partial.series.map((point) => [point.startMs, point.durationMs, point.requests])).toEqual([
      [0, 1000, 120],
      [1000, 1000, 120],
      [2000, 500, 60],
    ]);
    const { data } = dataBlock(await renderHtmlReport(partial));
    expect(data.series.requestsPerSec).toEqual([120, 120, 120]);
    expect(data.series.endS).toBe(2.5);
  });

  it('leaves the drain out of the charts over time and says so: the load stopped at 2 s, slow requests ended by 2.08 s', async () => {
    const recorder = recorded({ perRequest: 240, durationMs: 2_000, names: ['home'] });
    // Three requests still in flight at the planned end finish in the drain; one of them times out.
    recorder.recordResponse(0, 200, true, 60_000, 59_000, 120, 60, ORIGIN + 2_030);
    recorder.recordResponse(0, 200, true, 75_000, 74_000, 120, 60, ORIGIN + 2_045);
    recorder.recordError(0, ErrorCategoryId.timeout, 80_000, 80_000, 0, 60, ORIGIN + 2_080);
    recorder.finish(ORIGIN + 2_080);
    const drained = assembleResults({ ...resultsInputOf(recorder, 2_080), drainMs: 80 });
    expect(drained.run.drainMs).toBe(80);
    expect(drained.series.map((point) => [point.startMs, point.durationMs, point.requests])).toEqual([
      [0, 1000, 120],
      [1000, 1000, 120],
      [2000, 80, 3],
    ]);
    const html = await renderHtmlReport(drained);
    const { data } = dataBlock(html);
    // Before: a third step at 3 requests over 80 ms (37.5/s) and a p50 of 75 ms, a cliff that was only the drain.
    expect(data.series.requestsPerSec).toEqual([120, 120]);
    expect(data.series.p50Ms.every((value) => value !== null && value < 45)).toBe(true);
    expect(data.series.endS).toBe(2);
    expect(data.series.drain).toEqual({ ms: 80, requests: 3, failures: 1 });
    expect(html).toContain(
      'The last 80.0 ms, after the load stopped, are not charted: only the 3 requests still in flight finished then, 1 of them failed. They count in every total.',
    );
    // Totals still count the drain.
    expect(drained.summary.total.count).toBe(243);

    // Results from before drainMs was recorded: charted as before.
    const old = dataBlock(await renderHtmlReport(assembleResults(resultsInputOf(recorder, 2_080)))).data.series;
    expect(old.requestsPerSec).toEqual([120, 120, 37.5]);
    expect(old.drain).toBeUndefined();
  });

  it('shows the verdict with the violated thresholds, and the thresholds table with measured values and limits', async () => {
    const html = await renderHtmlReport(results);
    expect(results.verdict).toBe('failed');
    expect(html).toContain('<div class="verdict failed" role="status" id="verdict">');
    expect(html).toContain('Failed: 2 of 3 thresholds violated');
    expect(html).toMatch(/<li>error rate [0-9.]+% &gt; 1%<\/li>/);
    expect(html).toContain('<td class="key">max_error_rate</td><td class="text">all requests</td>');
    expect(html).toContain('<td>≤ 500 ms</td><td class="pass">✓ pass</td>');
    expect(html).toContain('<td class="text">&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;</td>');
    expect(html).toContain('<td>≤ 1%</td><td class="fail">✗ fail</td>');
  });

  it('says passed, interrupted, and aborted by threshold', async () => {
    const recorder = recorded({ perRequest: 20, durationMs: 1_000, names: ['home'] });
    const passed = await renderHtmlReport(resultsOf(recorder, { sla: { p95_latency_ms: 1000 }, elapsedMs: 1_000 }));
    expect(passed).toContain('Passed: 1 of 1 thresholds met');
    expect(await renderHtmlReport(resultsOf(recorder, { elapsedMs: 1_000, sla: false }))).toContain(
      'Passed: the run completed (no thresholds)',
    );
    expect(await renderHtmlReport(resultsOf(recorder, { elapsedMs: 1_000, interrupted: true }))).toContain('Interrupted: partial results');
    const abortedBy: AbortedByDocument = {
      kind: 'threshold',
      key: 'p95_latency_ms',
      limit: 10,
      measured: 38.2,
      description: 'p95 latency 38.2 ms > 10 ms',
      atMs: 500,
    };
    const aborted = await renderHtmlReport(resultsOf(recorder, { sla: { p95_latency_ms: 10 }, elapsedMs: 1_000, abortedBy }));
    expect(aborted).toContain('Failed: aborted by threshold p95_latency_ms');
    expect(aborted).toContain('Aborted at 0.5 s by abort_on_fail: p95 latency 38.2 ms &gt; 10 ms.');
  });

  it('lists status codes and error categories with their counts', async () => {
    const html = await renderHtmlReport(results);
    const total = results.summary.total;
    expect(total.statusCodes).toEqual({ 200: 1140, 503: 20 });
    expect(total.errors).toEqual({ timeout: 40 });
    const row = (label: string, explanation: string, count: string, share: string): RegExp =>
      new RegExp(`${label}</span>${explanation}</td>\\s*<td>${count}</td>\\s*<td>${share}</td>`);
    expect(html).toMatch(row('HTTP 200', '', '1,140', '95%'));
    expect(html).toMatch(row('HTTP 503', '', '20', '1.67%'));
    expect(html).toMatch(row('timeout', '<span class="explain">no complete response within the timeout</span>', '40', '3.33%'));
  });

  it('stays small: under 400 KB for a 3-request run, under 2 MB for an hour-long one', async () => {
    const html = await renderHtmlReport(results);
    expect(Buffer.byteLength(html)).toBeLessThan(400 * 1024);
    const hourMs = 3_600_000;
    const hour = resultsOf(recorded({ perRequest: 60_000, durationMs: hourMs }), { sla: SLA, elapsedMs: hourMs });
    expect(hour.series.length).toBeLessThanOrEqual(240);
    expect(hour.series.length).toBeGreaterThan(100);
    const long = await renderHtmlReport(hour);
    expect(Buffer.byteLength(long)).toBeLessThan(2 * 1024 * 1024);
    expect(dataBlock(long).data.series.endS).toBe(3_600);
  });

  it('charts the 12 busiest requests and tables every one', async () => {
    const names = Array.from({ length: 30 }, (_, index) => `request ${index}`);
    const many = resultsOf(recorded({ perRequest: 20, durationMs: 2_000, names }), { elapsedMs: 2_000 });
    const html = await renderHtmlReport(many);
    expect(dataBlock(html).data.spectrum?.requests).toHaveLength(12);
    expect(html).toContain('18 more requests with fewer responses are in the table only.');
    const table = html.slice(html.indexOf('<section id="requests">'), html.indexOf('</table>', html.indexOf('<section id="requests">')));
    for (const name of names) expect(table).toContain(`${name}</td>`);
    expect(table.match(/<td class="name">/g)).toHaveLength(31); // 30 requests and the total
  });

  it('still renders, and says why, when the results carry no readable recorder', async () => {
    const broken = { ...results, recorder: { ...results.recorder, data: 'not base64 deflate' } };
    const html = await renderHtmlReport(broken);
    expect(html).toContain('The distribution cannot be drawn: the recorder data');
    expect(dataBlock(html).data.distribution).toBeUndefined();
    expect(html).toContain('id="chart-throughput"');
  });
});

describe('latency distribution', () => {
  it('bins log-spaced, aligned on 10^(k/n), covering every value, at most 100 bins', () => {
    const bins = logBins(1_000, 1_000_000);
    expect(bins.binsPerDecade).toBe(20);
    expect(bins.edgesUs[0]!).toBeLessThanOrEqual(1_000);
    expect(bins.edgesUs.at(-1)!).toBeGreaterThan(1_000_000);
    expect(bins.edgesUs.length - 1).toBeLessThanOrEqual(100);
    for (let i = 1; i < bins.edgesUs.length; i++) expect(bins.edgesUs[i]! / bins.edgesUs[i - 1]!).toBeCloseTo(10 ** (1 / 20), 9);
    expect(logBins(10_000, 11_000).binsPerDecade).toBe(80);
    expect(logBins(1, 3_600_000_000).edgesUs.length - 1).toBeLessThanOrEqual(100);
  });

  it('counts every value once, without a comb where bins hold 3 or 4 integer microseconds', () => {
    const histogram = createLatencyHistogram();
    // 100 responses at each µs from 30 to 99: a flat density.
    for (let us = 30; us < 100; us++) histogram.recordValueWithCount(us, 100);
    const bins = logBins(30, 99);
    const counts = binCounts(histogram, bins);
    expect(sum(counts)).toBe(7_000);
    // Each full bin holds 100 × its width in µs, to the request.
    bins.edgesUs.slice(0, -1).forEach((from, index) => {
      const to = bins.edgesUs[index + 1]!;
      if (from < 29.5 || to > 99.5) return;
      expect(Math.abs(counts[index]! - 100 * (to - from))).toBeLessThanOrEqual(1);
    });
    expect(binCounts(createLatencyHistogram(), bins).every((count) => count === 0)).toBe(true);
  });

  it('gives the spectrum as the histogram gives percentiles, from p0 to p99.99', () => {
    const histogram = createLatencyHistogram();
    for (let us = 1_000; us <= 100_000; us += 7) histogram.recordValue(us);
    const spectrum = percentileSpectrumUs(histogram);
    expect(spectrum).toHaveLength(SPECTRUM_PERCENTILES.length);
    expect(SPECTRUM_PERCENTILES[0]).toBe(0);
    expect(SPECTRUM_PERCENTILES.at(-1)).toBe(99.99);
    expect(spectrum[SPECTRUM_PERCENTILES.indexOf(50)]).toBe(histogram.getValueAtPercentile(50));
    expect(spectrum[0]).toBe(1_000);
    expect(spectrum.at(-1)!).toBeLessThanOrEqual(histogram.maxValue);
    expect(percentileSpectrumUs(createLatencyHistogram())).toEqual([]);
  });
});

describe('scriptSafeJson', () => {
  it('escapes what could end a script block or a JS line, and parses back to the same strings', () => {
    const value = { name: '</script><!--<script>-->&\u2028\u2029"\\' };
    const json = scriptSafeJson(value);
    expect(json).toBe('{"name":"\\u003c/script\\u003e\\u003c!--\\u003cscript\\u003e--\\u003e\\u0026\\u2028\\u2029\\"\\\\"}');
    expect(JSON.parse(json)).toEqual(value);
  });

  it('charts failures by kind and lists example messages per error category, escaped', async () => {
    const recorder = recorded({ perRequest: 400, durationMs: 10_000 });
    recorder.noteFailure(2, ErrorCategoryId.timeout, 'no response within 50 ms');
    recorder.noteFailure(2, ErrorCategoryId.timeout, '</script><script>alert(3)</script>');
    const html = await renderHtmlReport(resultsOf(recorder, { sla: SLA, elapsedMs: 10_000 }));
    const { data } = dataBlock(html);
    // Timeouts (every 10th outcome of the last request) and 503s (every 20th of the first), interval by interval.
    expect(data.series.failuresByKind.map((entry) => entry.kind)).toEqual(['timeout', 'status']);
    const perKind = (kind: string): number => sum(data.series.failuresByKind.find((entry) => entry.kind === kind)?.perSec ?? []);
    expect(perKind('timeout') + perKind('status')).toBeCloseTo(sum(data.series.failuresPerSec), 6);
    expect(data.series.arrivals).toBeUndefined();
    expect(html).toContain('<code>no response within 50 ms</code>');
    expect(html).toContain('<code>&lt;/script&gt;&lt;script&gt;alert(3)&lt;/script&gt;</code>');
    expect(html).not.toContain('alert(3)</script>');
  });

  it('draws the target and the achieved arrival rate in the open model', async () => {
    const recorder = new Recorder(['a']);
    recorder.start(ORIGIN);
    // 10 arrivals per second asked for; from the 5th second on, 4 of them find every user busy.
    for (let second = 0; second < 10; second++) {
      for (let i = 0; i < 10; i++) {
        const at = ORIGIN + second * 1000 + i * 100;
        if (second >= 5 && i < 4) {
          recorder.recordDropped(at);
          continue;
        }
        recorder.recordArrival(at);
        recorder.recordResponse(0, 200, true, 5_000, 4_000, 100, 50, at + 5);
      }
    }
    recorder.finish(ORIGIN + 10_000);
    const html = await renderHtmlReport(resultsOf(recorder, { elapsedMs: 10_000 }));
    const { data } = dataBlock(html);
    expect(data.series.arrivals?.targetPerSec).toEqual(Array(10).fill(10));
    expect(data.series.arrivals?.achievedPerSec).toEqual([10, 10, 10, 10, 10, 6, 6, 6, 6, 6]);
    expect(html).toContain('Throughput, target and achieved arrival rate, active users');
  });
});
