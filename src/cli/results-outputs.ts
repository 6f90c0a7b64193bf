import { defaultHtmlPath } from '../report/default-html-path.js';
import type { ResultsDocument } from '../results/results-document.js';
import type { ReportSpec } from '../scenario/types.js';
import type { Output } from './write-outputs.js';

/** The flags that say where a command that runs a scenario writes its results and HTML report. */
export interface ResultsOutputFlags {
  /** The JSON results; overrides the scenario's `report.json`. */
  readonly out?: string;
  /** The HTML report; overrides the scenario's `report.html`. */
  readonly html?: string;
}

/**
 * The HTML report and the results file of a run, decided as `run` decides them: a flag wins, then the scenario's
 * `report` key; the HTML report defaults to reports/NAME-TIME.html (dated by the run's start) unless
 * `report.html: false`; the results file is written only when asked for. HTML first, then JSON.
 */
export function resultsOutputs(
  results: ResultsDocument,
  flags: ResultsOutputFlags,
  report: ReportSpec | undefined,
  startedAtEpochMs: number,
): Output[] {
  const outputs: Output[] = [];
  const htmlPath = flags.html ?? (report?.html === false ? undefined : (report?.html ?? defaultHtmlPath(results.scenario.name, startedAtEpochMs)));
  if (htmlPath !== undefined) outputs.push({ kind: 'html', path: htmlPath, render: renderHtmlLazily(results) });
  const jsonPath = flags.out ?? (typeof report?.json === 'string' ? report.json : undefined);
  if (jsonPath !== undefined) outputs.push({ kind: 'results', path: jsonPath, render: async () => `${JSON.stringify(results, null, 2)}\n` });
  return outputs;
}

/**
 * The HTML renderer, imported when the report is written, after the run: it loads EJS, the chart library and
 * the histogram code (≈18 MB), which the generator's own memory need not carry while it sends the load.
 */
export function renderHtmlLazily(results: ResultsDocument): () => Promise<string> {
  return async () => {
    const { renderHtmlReport } = await import('../report/html-report.js');
    return renderHtmlReport(results);
  };
}
