import type { ResultsDocument } from '../results/results-document.js';
import { describeRegression } from '../results/baseline.js';
import { diagnose } from '../results/diagnose.js';
import { abortedText, partialText, thresholdName } from './console-summary.js';
import { capacityBaselineText } from './find-limit-summary.js';

/**
 * JUnit XML: one test case per threshold (its violation as the failure message), so CI systems show an SLA
 * failure natively; an interrupted run, or one aborted by a threshold, adds a failing "run completed" case,
 * a run without thresholds one passing case. What broke (results/diagnose.ts), when anything did, is the
 * suite's `system-out`. A pure function of the results.
 */
export function renderJunitReport(results: ResultsDocument): string {
  const seconds = (results.run.durationMs / 1000).toFixed(3);
  const suite = results.scenario.name;
  const cases: string[] = [];
  for (const threshold of results.thresholds) {
    const name = thresholdName(threshold);
    const failure = threshold.passed
      ? ''
      : `\n      <failure type="threshold" message="${xml(threshold.description)}">${xml(threshold.description)}</failure>\n    `;
    cases.push(`    <testcase classname="loadseed.${xml(suite)}" name="${xml(name)}" time="0">${failure}</testcase>`);
  }
  const baseline = results.baseline;
  if (baseline !== undefined) {
    const message = baseline.regressions.map(describeRegression).join('; ');
    const failure = baseline.passed ? '' : `\n      <failure type="baseline" message="${xml(message)}">${xml(message)}</failure>\n    `;
    cases.push(
      `    <testcase classname="loadseed.${xml(suite)}" name="no regression against ${xml(baseline.file)}" time="0">${failure}</testcase>`,
    );
  }
  cases.push(...capacityCase(results));
  // A partial merge is shown, not failed (it was asked for): a skipped case that says what is missing.
  const partial = results.run.partial;
  if (partial !== undefined) {
    const message = xml(partialText(partial));
    cases.push(
      `    <testcase classname="loadseed.${xml(suite)}" name="every shard merged" time="0">\n      <skipped message="${message}">${message}</skipped>\n    </testcase>`,
    );
  }
  const aborted = results.run.abortedBy;
  if (aborted !== undefined) {
    const message = xml(abortedText(aborted));
    cases.push(
      `    <testcase classname="loadseed.${xml(suite)}" name="run completed" time="${seconds}">\n      <failure type="aborted" message="${message}">${message}</failure>\n    </testcase>`,
    );
  } else if (results.verdict === 'interrupted') {
    cases.push(
      `    <testcase classname="loadseed.${xml(suite)}" name="run completed" time="${seconds}">\n      <failure type="interrupted" message="the run was interrupted: partial results">the run was interrupted: partial results</failure>\n    </testcase>`,
    );
  } else if (results.thresholds.length === 0 && baseline === undefined) {
    cases.push(`    <testcase classname="loadseed.${xml(suite)}" name="run completed" time="${seconds}"></testcase>`);
  }
  const failures = (cases.join('\n').match(/<failure /g) ?? []).length;
  const tests = cases.length;
  const skipped = partial === undefined ? 0 : 1;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="loadseed" tests="${tests}" failures="${failures}" errors="0" time="${seconds}">`,
    `  <testsuite name="${xml(suite)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds}" timestamp="${xml(results.run.startedAt)}" hostname="${xml(results.run.host)}">`,
    ...cases,
    ...systemOut(results),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** find-limit --baseline: the capacity gate as a test case, its figures in the message either way; none without a baseline. */
function capacityCase(results: ResultsDocument): string[] {
  const capacity = results.findLimit?.baseline;
  const text = results.findLimit === undefined ? undefined : capacityBaselineText(results.findLimit);
  if (capacity === undefined || text === undefined) return [];
  const message = xml(text.replace(/^[✓✗] /, ''));
  const outcome = capacity.passed
    ? `<system-out>${message}</system-out>`
    : `<failure type="capacity" message="${message}">${message}</failure>`;
  return [
    `    <testcase classname="loadseed.${xml(results.scenario.name)}" name="capacity vs baseline" time="0">\n      ${outcome}\n    </testcase>`,
  ];
}

/** The likely causes, most likely first, each with its figures: `1. errors: 503 from the target from 14:02:31 UTC…`. */
function systemOut(results: ResultsDocument): string[] {
  const diagnoses = diagnose(results);
  if (diagnoses.length === 0) return [];
  const text = diagnoses.flatMap((diagnosis, index) => [
    `${index + 1}. ${diagnosis.sentence}`,
    ...diagnosis.evidence.map((evidence) => `   ${evidence}`),
  ]);
  return [`    <system-out>what broke (most likely first):\n${xml(text.join('\n'))}</system-out>`];
}

/** Escapes text for XML attributes and content; drops characters XML 1.0 cannot hold. */
function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
