import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderJunitReport } from '../../../src/report/junit-report.js';
import { resultsFixture } from './results-fixture.js';

interface TestCase {
  '@_name': string;
  '@_classname': string;
  failure?: { '#text': string; '@_message': string; '@_type': string };
}

function parse(xml: string): { suites: Record<string, string>; suite: Record<string, string>; cases: TestCase[] } {
  const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testcase' });
  const doc = parser.parse(xml) as {
    testsuites: Record<string, string> & { testsuite: Record<string, string> & { testcase: TestCase[] } };
  };
  return { suites: doc.testsuites, suite: doc.testsuites.testsuite, cases: doc.testsuites.testsuite.testcase };
}

describe('renderJunitReport', () => {
  it('writes one test case per threshold, the violation as the failure message, escaped', () => {
    const xml = renderJunitReport(resultsFixture());
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    const { suites, suite, cases } = parse(xml);
    expect([suites['@_tests'], suites['@_failures'], suites['@_time']]).toEqual(['2', '1', '10.000']);
    expect([suite['@_name'], suite['@_tests'], suite['@_failures'], suite['@_timestamp']]).toEqual([
      'shop & co',
      '2',
      '1',
      '2026-11-25T20:00:00.000Z',
    ]);
    expect(cases.map((testCase) => testCase['@_name'])).toEqual(['max_error_rate', 'p95_latency_ms (checkout <b>)']);
    expect(cases[0]?.failure).toBeUndefined();
    expect(cases[1]?.failure?.['@_message']).toBe('p95 latency 612.3 ms > 500 ms (checkout <b>)');
    expect(cases[1]?.failure?.['#text']).toBe('p95 latency 612.3 ms > 500 ms (checkout <b>)');
    expect(xml).not.toContain('<b>');
  });

  it('adds a failing "run completed" case for an interrupted run, a passing one when there are no thresholds', () => {
    const interrupted = parse(renderJunitReport(resultsFixture({ verdict: 'interrupted', thresholds: [] })));
    expect(interrupted.cases.map((testCase) => [testCase['@_name'], testCase.failure?.['@_type']])).toEqual([
      ['run completed', 'interrupted'],
    ]);
    expect(interrupted.suites['@_failures']).toBe('1');
    const plain = parse(renderJunitReport(resultsFixture({ verdict: 'passed', thresholds: [] })));
    expect(plain.cases.map((testCase) => [testCase['@_name'], testCase.failure])).toEqual([['run completed', undefined]]);
    expect(plain.suites['@_failures']).toBe('0');
  });
});
