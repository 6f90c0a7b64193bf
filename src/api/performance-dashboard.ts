import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { defaultHtmlPath } from '../report/default-html-path.js';
import { renderHtmlReport } from '../report/html-report.js';
import { assembleResults, generatorDocument } from '../results/results-document.js';
import type { ResultsDocument } from '../results/results-document.js';
import type { LoadResult } from './load-generator.js';
import { SLAPolicy } from './sla-policy.js';

export interface HtmlReportOptions {
  /** The title of the report. Default: the scenario's name, or `loadseed`. */
  readonly testName?: string;
  /** Where to write it. Default `reports/<testName>-<YYYYMMDD-HHMMSS>.html`, relative to the working directory. */
  readonly path?: string;
  /** Thresholds to judge a LoadResult by (a results document carries its own). Default: `new SLAPolicy()`, error rate ≤ 1%; `SLAPolicy.none()` for none. */
  readonly sla?: SLAPolicy;
}

/** The HTML report from code: the same page `loadseed run` writes. */
export class PerformanceDashboard {
  /**
   * Renders the report of a `LoadGenerator` result (or of a results document, e.g. a parsed results file)
   * and writes it; resolves with the file's absolute path.
   *
   *     const result = await new LoadGenerator({ url }).runConstantLoad({ users: 10, durationSeconds: 30 });
   *     const path = await PerformanceDashboard.generateHtmlReport(result, { testName: 'checkout', sla: new SLAPolicy({ p95LatencyMs: 300 }) });
   */
  static async generateHtmlReport(summary: LoadResult | ResultsDocument, options: HtmlReportOptions = {}): Promise<string> {
    const results = 'kind' in summary ? retitled(summary, options.testName) : resultsOf(summary, options);
    const path = resolve(options.path ?? defaultHtmlPath(results.scenario.name, Date.parse(results.run.startedAt)));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, await renderHtmlReport(results));
    return path;
  }
}

function resultsOf(load: LoadResult, options: HtmlReportOptions): ResultsDocument {
  const run = load.run;
  const name = options.testName ?? 'loadseed';
  return assembleResults({
    scenario: { name, file: '(programmatic API)', plan: `${load.iterations} iterations · ${(run.elapsedMs / 1000).toFixed(1)} s` },
    startedAtEpochMs: run.startedAtEpochMs,
    endedAtEpochMs: run.endedAtEpochMs,
    elapsedMs: run.elapsedMs,
    host: hostname(),
    interrupted: run.interrupted,
    warmupExcluded: run.warmupRan,
    warmupRequests: run.warmupRan ? run.warmupRecorder.snapshot().total.requests : 0,
    recorder: run.recorder,
    thresholds: (options.sla ?? new SLAPolicy()).thresholds,
    generator: generatorDocument(run.generator),
  });
}

function retitled(results: ResultsDocument, testName: string | undefined): ResultsDocument {
  return testName === undefined ? results : { ...results, scenario: { ...results.scenario, name: testName } };
}
