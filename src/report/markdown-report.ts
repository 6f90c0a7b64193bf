import { diagnose } from '../results/diagnose.js';
import type { ResultsDocument, StatsDocument } from '../results/results-document.js';
import { abortedText, partialText, thresholdName } from './console-summary.js';
import { formatCount, formatMs, formatPercent, formatRate } from './format.js';

/**
 * A Markdown summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`: the verdict, the key figures,
 * what broke (results/diagnose.ts) when anything did, a table per request and the thresholds. A pure function
 * of the results.
 */
export function renderMarkdownReport(results: ResultsDocument): string {
  const total = results.summary.total;
  const icon = results.verdict === 'passed' ? '✅' : results.verdict === 'failed' ? '❌' : '⚠️';
  const failed = results.thresholds.filter((threshold) => !threshold.passed).length;
  const verdict =
    results.verdict === 'passed'
      ? `passed${results.thresholds.length > 0 ? `: ${results.thresholds.length} of ${results.thresholds.length} thresholds met` : ''}`
      : results.verdict === 'failed'
        ? results.run.abortedBy === undefined
          ? `failed: ${failed} of ${results.thresholds.length} thresholds violated`
          : `failed: aborted by ${thresholdName(results.run.abortedBy)}; ${failed} of ${results.thresholds.length} thresholds violated`
        : 'interrupted: partial results';
  const lines = [
    `### ${icon} loadseed: ${cell(results.scenario.name)} ${verdict}`,
    '',
    `${cell(results.scenario.plan)} · ${(results.run.durationMs / 1000).toFixed(1)} s · ${formatCount(total.count)} requests · ${formatRate(total.requestsPerSec)} req/s · ${formatPercent(total.errorRate)} errors`,
    '',
    ...diagnosisLines(results),
    '| request | count | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |',
    '|---|--:|--:|--:|--:|--:|--:|--:|',
    ...(results.summary.requests.length > 1 ? [...results.summary.requests, total] : results.summary.requests).map(row),
  ];
  const scenarios = results.summary.scenarios;
  if (scenarios !== undefined) {
    lines.push('', '| scenario | count | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |', '|---|--:|--:|--:|--:|--:|--:|--:|');
    lines.push(...scenarios.map(row));
  }
  if (results.run.abortedBy !== undefined) lines.push('', `> ${cell(abortedText(results.run.abortedBy))}`);
  if (results.run.partial !== undefined) lines.push('', `> ⚠️ ${cell(partialText(results.run.partial))}`);
  if (results.thresholds.length > 0) {
    lines.push('', '| threshold | result |', '|---|---|');
    for (const threshold of results.thresholds)
      lines.push(`| ${cell(threshold.description)} | ${threshold.passed ? '✅ pass' : '❌ fail'} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** `**What broke** (most likely first):` and a numbered line per cause, its figures after it; nothing when none. */
function diagnosisLines(results: ResultsDocument): string[] {
  const diagnoses = diagnose(results);
  if (diagnoses.length === 0) return [];
  return [
    '**What broke** (most likely first):',
    '',
    ...diagnoses.map(
      (diagnosis, index) =>
        `${index + 1}. ${cell(diagnosis.sentence)}${diagnosis.evidence.length === 0 ? '' : ` — ${cell(diagnosis.evidence.join('; '))}`}`,
    ),
    '',
  ];
}

function row(stats: StatsDocument): string {
  const latency = stats.latencyMs;
  const cells = [
    formatCount(stats.count),
    formatRate(stats.requestsPerSec),
    ...[latency.p50, latency.p95, latency.p99, latency.max].map(formatMs),
  ];
  return `| ${cell(stats.name)} | ${cells.join(' | ')} | ${formatCount(stats.failures)} (${formatPercent(stats.errorRate)}) |`;
}

/** Text safe inside a Markdown table cell: no pipes, no line breaks, no HTML. */
function cell(text: string): string {
  return text
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
