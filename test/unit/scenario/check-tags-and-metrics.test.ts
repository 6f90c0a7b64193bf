import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../../src/errors.js';
import type { ScenarioIssue } from '../../../src/errors.js';
import { parseScenario } from '../../../src/scenario/load-scenario.js';
import { tagGroupsOf, taggedRequestsOf } from '../../../src/scenario/request-tags.js';

const FILE = 'tags.yml';

/** Lines of YAML: line numbers in the tests are the array index + 1. */
function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

function issuesOf(text: string): readonly ScenarioIssue[] {
  try {
    parseScenario(text, FILE, { env: {}, baseDir: '/x' });
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).issues;
  }
  throw new Error('expected a ScenarioError, but nothing was thrown');
}

/** Flows tagged at three levels (lines 1-12), then `extra`. */
const flows = (...extra: string[]): string =>
  yaml(
    'target: http://127.0.0.1:8080',
    'tags: {env: ci}',
    'flows:',
    '  - name: buy',
    '    tags: {team: payments}',
    '    steps:',
    '      - {name: pay, method: POST, path: /pay, metric: {name: depth, from: "json $.depth"}}',
    '      - {name: ship, path: /ship, tags: {team: shipping}}',
    '  - name: browse',
    '    steps:',
    '      - {name: home, path: /, metric: [{name: orders, from: "header x-orders", kind: counter}]}',
    'load: {profile: constant, users: 1, duration: 1s}',
    ...extra,
  );

describe('tags: inherited scenario → flow → request, the inner value winning', () => {
  it('gives each request its tags and each tag pair its request names', () => {
    const { data } = parseScenario(flows(), FILE, { env: {}, baseDir: '/x' });
    expect([...taggedRequestsOf(data)].map(({ name, tags }) => [name, tags])).toEqual([
      ['pay', { env: 'ci', team: 'payments' }],
      ['ship', { env: 'ci', team: 'shipping' }],
      ['home', { env: 'ci' }],
    ]);
    expect(tagGroupsOf(data)).toEqual([
      { name: 'env:ci', requestNames: ['pay', 'ship', 'home'] },
      { name: 'team:payments', requestNames: ['pay'] },
      { name: 'team:shipping', requestNames: ['ship'] },
    ]);
  });

  it('adds a scenario of several its own tags over the file’s', () => {
    const { data } = parseScenario(
      yaml(
        'target: http://127.0.0.1:8080',
        'tags: {env: ci, team: core}',
        'scenarios:',
        '  a: {tags: {team: a}, requests: [{name: one, path: /1}], load: {profile: constant, users: 1, duration: 1s}}',
        '  b: {requests: [{name: two, path: /2, tags: {env: x}}], load: {profile: constant, users: 1, duration: 1s}}',
      ),
      FILE,
      { env: {}, baseDir: '/x' },
    );
    expect(tagGroupsOf(data)).toEqual([
      { name: 'env:ci', requestNames: ['one'] },
      { name: 'team:a', requestNames: ['one'] },
      { name: 'env:x', requestNames: ['two'] },
      { name: 'team:core', requestNames: ['two'] },
    ]);
  });
});

describe('tags and custom metrics: located scenario errors', () => {
  it('refuses an sla tag key that no request has, and a value none has, at the key', () => {
    expect(issuesOf(flows('sla:', '  tags:', '    "squad:a": {max_error_rate: 0.1}', '    "team:billing": {p95_latency_ms: 300}'))).toEqual(
      [
        {
          file: FILE,
          line: 15,
          column: 5,
          path: 'sla.tags["squad:a"]',
          message: 'no request has a tag "squad" (the tag keys are "env", "team")',
        },
        {
          file: FILE,
          line: 16,
          column: 5,
          path: 'sla.tags["team:billing"]',
          message: 'no request is tagged team:billing (team is "payments", "shipping")',
        },
      ],
    );
  });

  it('refuses an unknown metric in the sla, and thresholds of the other kind', () => {
    const issues = issuesOf(
      flows('sla:', '  metrics:', '    queue: {p95: 1}', '    depth: {sum_max: 3}', '    orders: {p95: 2, sum_min: 1}'),
    );
    expect(issues.map(({ line, path, message }) => [line, path, message])).toEqual([
      [15, 'sla.metrics.queue', 'no metric is named "queue" (metrics are "depth", "orders")'],
      [16, 'sla.metrics.depth.sum_max', 'depth is a trend: its thresholds are pNN (e.g. p95), avg and max'],
      [17, 'sla.metrics.orders.p95', 'orders is a counter: its thresholds are sum_max and sum_min'],
    ]);
  });

  it('refuses one name with two sets of tags, a metric of two kinds, an unreadable from, and sla.tags in a scenario', () => {
    const text = yaml(
      'target: http://127.0.0.1:8080',
      'requests:',
      '  - {name: a, path: /1, tags: {team: x}, metric: {name: m, from: "json $.n"}}',
      '  - {name: a, path: /2, tags: {team: y}, metric: {name: m, from: "regex (", kind: counter}}',
      '  - {name: b, path: /3, metric: {name: n, from: "json $["}}',
      'load: {profile: constant, users: 1, duration: 1s}',
    );
    expect(issuesOf(text).map(({ line, path, message }) => [line, path, message])).toEqual([
      [
        4,
        'requests[1].tags',
        'the requests named "a" have different tags (team:y here, team:x at requests[0]): a name\'s figures are one row, so give them different names',
      ],
      [4, 'requests[1].metric.from', 'not a valid regular expression: Invalid regular expression: /(/: Unterminated group'],
      [4, 'requests[1].metric.kind', 'metric m is a trend elsewhere: a metric has one kind'],
      [5, 'requests[2].metric.from', expect.stringMatching(/^not a valid JSONPath: /) as unknown as string],
    ]);
    const parts = yaml(
      'target: http://127.0.0.1:8080',
      'scenarios:',
      '  a:',
      '    requests: [{path: /1, tags: {team: x}}]',
      '    load: {profile: constant, users: 1, duration: 1s}',
      '    sla: {tags: {"team:x": {max_error_rate: 0}}}',
    );
    expect(issuesOf(parts).map(({ line, path, message }) => [line, path, message])).toEqual([
      [6, 'scenarios.a.sla.tags', 'sla.tags is for the whole run: set it in the top-level sla'],
    ]);
  });

  it('refuses a from it cannot read, through the schema', () => {
    const text = yaml(
      'target: http://127.0.0.1:8080',
      'requests: [{path: /, metric: {name: m, from: "body $.x"}}]',
      'load: {profile: constant, users: 1, duration: 1s}',
    );
    expect(issuesOf(text).map(({ line, column, path, message }) => [line, column, path, message])).toEqual([
      [2, 46, 'requests[0].metric.from', 'expected "json $.path", "header name", "regex pattern" or "status" (got "body $.x")'],
    ]);
  });

  it('refuses a tag key with a colon and an sla tag that is no pair, at the key', () => {
    const text = yaml(
      'target: http://127.0.0.1:8080',
      'requests: [{path: /, tags: {"a:b": c}}]',
      'load: {profile: constant, users: 1, duration: 1s}',
      'sla: {tags: {team: {max_error_rate: 0}}}',
    );
    expect(issuesOf(text).map(({ line, column, path, message }) => [line, column, path, message])).toEqual([
      [2, 29, 'requests[0].tags["a:b"]', 'expected a tag key of letters, digits, _ . and - that does not start with a digit'],
      [4, 14, 'sla.tags.team', 'expected a tag as key:value, e.g. "team:payments"'],
    ]);
  });
});
