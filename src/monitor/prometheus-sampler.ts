import type { PlannedMonitorSource } from '../plan/build-plan.js';
import { cpuPercent } from './cpu-percent.js';
import { formatSelector, parseMetricSelector } from '../scenario/metric-selector.js';
import type { MetricSelector } from '../scenario/metric-selector.js';
import { selectedSum } from './metric-selector.js';
import type { MonitorReading } from './monitor-series.js';
import { parsePrometheusText } from './prometheus-text.js';
import { SampleProblems } from './sample-problems.js';
import type { SourceSampler } from './source-sampler.js';

export type PrometheusSource = Extract<PlannedMonitorSource, { readonly kind: 'prometheus' }>;

/** The fetch the sampler uses: the global one, or a test's. */
export type FetchFunction = (url: string, init: { headers: Record<string, string>; signal: AbortSignal }) => Promise<Response>;

export interface PrometheusSamplerOptions {
  /** The clock readings are timed by, in ms (any origin). */
  readonly now: () => number;
  readonly fetch: FetchFunction;
  /** A scrape not answered (body included) by then fails. */
  readonly timeoutMs: number;
  /** A bigger exposition fails. Default 16 MiB. */
  readonly maxBytes?: number;
}

const ACCEPT = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Scrapes a Prometheus text endpoint: CPU from `cpuMetric`, a counter of CPU seconds (its growth between two
 * scrapes over the time between them, × 100: % of one core), memory from `memoryMetric`, a gauge of bytes;
 * each summed over the series the selector picks. A scrape is timed when its answer arrives (or by the
 * exposition's own timestamps, when every CPU sample has one). A counter that goes down was reset (the process
 * restarted): its new value is the growth, as PromQL's rate() counts it.
 */
export function prometheusSampler(source: PrometheusSource, options: PrometheusSamplerOptions): SourceSampler {
  const problems = new SampleProblems();
  const { url, headers, shown } = requestOf(source.url);
  const selectorOf = (text: string, key: string): MetricSelector | undefined => {
    // validate refuses such a selector; this is for plans built without it.
    const parsed = parseMetricSelector(text);
    if (!parsed.ok) problems.note(`${key} "${text}" is not a metric name or selector (${parsed.problem}): not sampled`);
    return parsed.ok ? parsed.selector : undefined;
  };
  const cpuSelector = selectorOf(source.cpuMetric, 'cpu_metric');
  const memorySelector = selectorOf(source.memoryMetric, 'memory_metric');
  const names = new Set([cpuSelector?.name, memorySelector?.name].filter((name): name is string => name !== undefined));
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  let previous: { readonly cpuSeconds: number; readonly atMs: number } | undefined;
  const failed = (reason: string): MonitorReading => {
    problems.count(reason);
    return { atMs: options.now(), cpuPercent: null, memoryBytes: null };
  };

  const sample = async (): Promise<MonitorReading> => {
    const scraped = await scrape(url, headers, options, maxBytes);
    if ('failure' in scraped) return failed(scraped.failure);
    const { text, atMs } = scraped;
    const parsed = parsePrometheusText(text, { names, maxProblems: 1 });
    if (parsed.problemCount > 0) problems.count(`malformed lines skipped (${parsed.problems[0] ?? ''})`);
    let memoryBytes: number | null = null;
    if (memorySelector !== undefined) {
      const memory = selectedSum(memorySelector, parsed.samples);
      if ('missing' in memory) problems.count(memory.missing);
      else memoryBytes = memory.sum;
    }
    let cpu: number | null = null;
    if (cpuSelector !== undefined) {
      const total = selectedSum(cpuSelector, parsed.samples);
      if ('missing' in total) {
        problems.count(total.missing);
      } else {
        const cpuAt = total.timestampMs ?? atMs;
        if (previous !== undefined) {
          let grownSeconds = total.sum - previous.cpuSeconds;
          if (grownSeconds < 0) {
            problems.note(`${formatSelector(cpuSelector)} went down: a counter reset (the process restarted?)`);
            grownSeconds = total.sum;
          }
          cpu = cpuPercent(grownSeconds, cpuAt - previous.atMs);
        }
        previous = { cpuSeconds: total.sum, atMs: cpuAt };
      }
    }
    return { atMs, cpuPercent: cpu, memoryBytes };
  };

  return {
    name: source.name,
    kind: 'prometheus',
    target: shown,
    sample: () => sample().catch((error: unknown) => failed(`cannot scrape the endpoint (${(error as Error).message})`)),
    warnings: (samples) => problems.warnings(samples),
  };
}

/** An exposition fetched, timed when its answer arrived; or why not. */
type Scrape = { readonly text: string; readonly atMs: number } | { readonly failure: string };

async function scrape(url: string, headers: Record<string, string>, options: PrometheusSamplerOptions, maxBytes: number): Promise<Scrape> {
  try {
    const response = await options.fetch(url, { headers, signal: AbortSignal.timeout(options.timeoutMs) });
    // The endpoint read its figures just before it answered: closer to the answer's arrival than to the
    // request's start, which connecting (or a first fetch loading its client) may delay by far more.
    const atMs = options.now();
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      return { failure: `the endpoint answered HTTP ${response.status}` };
    }
    const text = await readLimited(response, maxBytes);
    if (text === undefined) return { failure: `the exposition is bigger than ${maxBytes} bytes` };
    return { text, atMs };
  } catch (error) {
    return { failure: fetchProblem(error, options.timeoutMs) };
  }
}

/**
 * The URL to fetch and its headers: credentials in the URL (`http://user:pass@host/metrics`, which fetch
 * refuses) become a Basic Authorization header. `shown`: the URL with the password as `***`.
 */
export function requestOf(text: string): { url: string; headers: Record<string, string>; shown: string } {
  const headers: Record<string, string> = { accept: ACCEPT };
  const url = new URL(text);
  if (url.username === '' && url.password === '') return { url: url.href, headers, shown: url.href };
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  headers['authorization'] = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
  if (url.password !== '') url.password = '***';
  const shown = url.href;
  url.username = '';
  url.password = '';
  return { url: url.href, headers, shown };
}

/** The body as text, or undefined past `maxBytes` (the rest is not read). */
async function readLimited(response: Response, maxBytes: number): Promise<string | undefined> {
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  if (length > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (response.body === null) return '';
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    if (bytes > maxBytes) return undefined;
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

/** Why a fetch failed, in a few words that stay the same from one scrape to the next. */
function fetchProblem(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: unknown }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: unknown }).cause as
    { code?: unknown; errors?: readonly { code?: unknown }[]; message?: unknown } | undefined;
  const code = cause?.code ?? cause?.errors?.find((inner) => inner.code !== undefined)?.code;
  if (typeof code === 'string') return `cannot reach the endpoint (${code})`;
  const message = typeof cause?.message === 'string' && cause.message !== '' ? cause.message : (error as Error).message;
  return `cannot reach the endpoint (${message})`;
}
