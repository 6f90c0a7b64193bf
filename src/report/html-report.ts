import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ejs from 'ejs';
import { TEMPLATES_DIR } from '../assets.js';
import type { ResultsDocument } from '../results/results-document.js';
import { formatCount, formatMs, formatRate } from './format.js';

/**
 * The HTML report: one self-contained file (inline style, no script, no network) rendered from a results
 * document alone. Every value goes through EJS's escaping (`<%=`), so names and messages from the target
 * or the scenario cannot inject markup.
 */
export async function renderHtmlReport(results: ResultsDocument): Promise<string> {
  const template = await readFile(join(TEMPLATES_DIR, 'report', 'report.html.ejs'), 'utf8');
  const total = results.summary.total;
  const warnings: string[] = [];
  if (results.run.interrupted) warnings.push('Interrupted: the figures cover the run until it was stopped.');
  if (results.summary.droppedArrivals > 0) warnings.push(`${results.summary.droppedArrivals} arrivals dropped: every user was busy.`);
  if (results.generator.saturated) {
    warnings.push(`Load generator saturated (${results.generator.reason ?? 'busy'}): the figures may show loadseed's limits, not the target's.`);
  }
  if (results.run.warmupExcluded) warnings.push(`Warm-up excluded: ${results.run.warmupRequests} requests left out of the figures and the SLA.`);
  return ejs.render(template, {
    r: results,
    total,
    rows: results.summary.requests.length > 1 ? [...results.summary.requests, total] : results.summary.requests,
    failed: results.thresholds.filter((threshold) => !threshold.passed),
    warnings,
    count: formatCount,
    rate: formatRate,
    ms: formatMs,
  });
}
