import { defaultHtmlPath } from '../report/default-html-path.js';
import { renderJunitReport } from '../report/junit-report.js';
import { renderMarkdownReport } from '../report/markdown-report.js';
import type { ResultsDocument } from '../results/results-document.js';
import type { ReportSpec } from '../scenario/types.js';
import type { OutputTarget } from './output-paths.js';
import { writeOutputs } from './write-outputs.js';
import type { Output, OutputSinks } from './write-outputs.js';

export type RunOutputKind = Output['kind'];

/** The flags that say where a run writes its files; each overrides the scenario's `report` key. */
export interface RunOutputFlags {
  /** The JSON results (`report.json`). */
  readonly out?: string;
  /** The HTML report (`report.html`). */
  readonly html?: string;
  /** JUnit XML, one test case per threshold (`report.junit`). */
  readonly junit?: string;
  /** A Markdown summary (`report.markdown`). */
  readonly markdown?: string;
}

/** A file a run will write: what it is, where, and what asked for it (a flag, a scenario key, the default). */
export interface PlannedOutput extends OutputTarget {
  readonly kind: RunOutputKind;
  /** Added to the end of a file of someone else's (GitHub's step summary). */
  readonly append?: boolean;
}

/** Per file kind: the flag that places it (its option name and how it is written) and the scenario's `report` key. */
const PLACES = {
  html: { option: 'html', flag: '--html', key: 'html' },
  results: { option: 'out', flag: '--out', key: 'json' },
  junit: { option: 'junit', flag: '--junit', key: 'junit' },
  markdown: { option: 'markdown', flag: '--markdown', key: 'markdown' },
} as const;

/**
 * The files a run writes, decided once, before the run: checked then (output-paths.ts) and written after it from
 * the same list. For each kind the command writes: its flag, else the scenario's `report` key; the HTML report
 * defaults to reports/NAME-TIME.html (dated `atEpochMs`) unless `report.html: false`; the others are written only
 * when asked for. A `step summary` (the Markdown summary added to GitHub's `GITHUB_STEP_SUMMARY` file) only when
 * that path, `stepSummary`, is set.
 */
export function planOutputs(options: {
  readonly file: string;
  readonly kinds: readonly RunOutputKind[];
  readonly flags: RunOutputFlags;
  readonly report: ReportSpec | undefined;
  readonly name: string;
  readonly atEpochMs: number;
  readonly stepSummary?: string;
}): PlannedOutput[] {
  const { file, flags, report } = options;
  const planned: PlannedOutput[] = [];
  for (const kind of options.kinds) {
    if (kind === 'step summary') {
      if (options.stepSummary !== undefined && options.stepSummary !== '')
        planned.push({ kind, path: options.stepSummary, source: 'GITHUB_STEP_SUMMARY', append: true });
      continue;
    }
    const place = PLACES[kind];
    const flag = flags[place.option];
    const configured = report?.[place.key];
    // The results may go to stdout, framed (`--out -`: write-outputs.ts).
    const stdout = kind === 'results' ? { stdout: true } : {};
    if (flag !== undefined) planned.push({ kind, path: flag, source: place.flag, ...stdout });
    else if (typeof configured === 'string') planned.push({ kind, path: configured, source: `report.${place.key} in ${file}`, ...stdout });
    else if (kind === 'html' && configured === undefined) {
      planned.push({ kind, path: defaultHtmlPath(options.name, options.atEpochMs), source: 'the default HTML report path' });
    }
  }
  return planned;
}

/**
 * Writes the planned outputs of `results` (whole files, `-` framed on `sinks.stdout`, `s3://` objects: see
 * write-outputs.ts); returns the ones that failed, with why.
 */
export async function writeRunOutputs(
  planned: readonly PlannedOutput[],
  results: ResultsDocument,
  cwd: string,
  sinks: OutputSinks = {},
): Promise<Map<PlannedOutput, string>> {
  const shard = results.run.shard;
  const outputs: Output[] = planned.map((output) => ({
    kind: output.kind,
    path: output.path,
    ...(output.append === true ? { append: true } : {}),
    ...(shard === undefined ? {} : { shard }),
    render: renderer(output.kind, results),
  }));
  const failures = await writeOutputs(outputs, cwd, sinks);
  return new Map(
    planned.flatMap((output, index) => {
      const reason = failures.get(outputs[index] as Output);
      return reason === undefined ? [] : [[output, reason] as const];
    }),
  );
}

function renderer(kind: RunOutputKind, results: ResultsDocument): () => string | Promise<string> {
  switch (kind) {
    case 'html':
      return renderHtmlLazily(results);
    case 'results':
      return () => `${JSON.stringify(results, null, 2)}\n`;
    case 'junit':
      return () => renderJunitReport(results);
    case 'markdown':
    case 'step summary':
      return () => renderMarkdownReport(results);
  }
}

/**
 * The HTML renderer, imported when the report is written, after the run: it loads EJS, the chart library and
 * the histogram code (≈18 MB), which the generator's own memory need not carry while it sends the load.
 */
function renderHtmlLazily(results: ResultsDocument): () => Promise<string> {
  return async () => {
    const { renderHtmlReport } = await import('../report/html-report.js');
    return renderHtmlReport(results);
  };
}
