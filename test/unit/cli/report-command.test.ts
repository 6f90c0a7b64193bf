import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlPathFor } from '../../../src/cli/report-command.js';
import { CliSandbox, newRecorder, record, resultsOf } from '../results/results-helpers.js';

let sandbox: CliSandbox;
beforeAll(async () => {
  sandbox = await CliSandbox.create();
});
afterAll(async () => {
  await sandbox.remove();
});

describe('loadseed report', () => {
  it('renders HTML (default: beside the results), JUnit and Markdown from the file alone; exit 0 whatever the verdict', async () => {
    const results = resultsOf(record(newRecorder(), { count: 500, errorEvery: 10 }), { sla: { max_error_rate: 0.01 } });
    expect(results.verdict).toBe('failed');
    await sandbox.write('run.json', results);
    const out = await sandbox.run('report', 'run.json', '--junit', 'ci/sla.xml', '--markdown', 'ci/sla.md');
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('✗ error rate 10% > 1%');
    // The verdict, naming the violated threshold, with its most likely cause (results/diagnose.ts): the
    // target's timeouts, one request in ten.
    expect(out.stdout).toMatch(
      /html {4}run\.html\njunit {3}ci\/sla\.xml\nmarkdown ci\/sla\.md\n✗ failed: 1 of 1 thresholds violated: max_error_rate — errors: timeouts from the target from 20:00:00 UTC, 0\.0 s into the run\n$/,
    );
    expect(await sandbox.read('run.html')).toContain('<title>shop · loadseed report</title>');
    expect(await sandbox.read('ci/sla.xml')).toContain('<failure type="threshold" message="error rate 10% &gt; 1%">');
    expect((await sandbox.read('ci/sla.md')).split('\n')[0]).toBe('### ❌ loadseed: shop failed: 1 of 1 thresholds violated');
  });

  it('names the default HTML after the results file', () => {
    expect(htmlPathFor('results.json')).toBe('results.html');
    expect(htmlPathFor('out/Run.JSON')).toBe('out/Run.html');
    expect(htmlPathFor('results')).toBe('results.html');
  });

  it('refuses, with exit 2 and a message naming the file, what is not a results document of this version', async () => {
    const valid = resultsOf(record(newRecorder(), { count: 10 }));
    const { summary: _, ...withoutSummary } = valid;
    const cases: [string, string, string][] = [
      ['broken.json', '{"kind": "loadseed-results",', 'broken.json: not valid JSON ('],
      [
        'array.json',
        '[1, 2]',
        'array.json: not a loadseed results document (no "kind": "loadseed-results"); write one with `loadseed run --out`',
      ],
      ['k6.json', '{"metrics": {}}', 'k6.json: not a loadseed results document'],
      [
        'future.json',
        JSON.stringify({ ...valid, version: 2 }),
        'future.json: results format version 2, but this loadseed reads version 1 only',
      ],
      ['partial.json', JSON.stringify(withoutSummary), 'partial.json: not a valid results document: the document lacks "summary"'],
      [
        'typo.json',
        JSON.stringify({ ...valid, verdcit: 'passed' }),
        'typo.json: not a valid results document: the document has an unexpected property "verdcit"',
      ],
      [
        'negative.json',
        JSON.stringify({ ...valid, summary: { ...valid.summary, iterations: -1 } }),
        'negative.json: not a valid results document: /summary/iterations must be >= 0',
      ],
    ];
    for (const [file, content, message] of cases) {
      await sandbox.write(file, content);
      const out = await sandbox.run('report', file);
      expect(out.code, file).toBe(2);
      expect(out.stderr, file).toContain(`error: ${message}`);
      expect(out.stderr).not.toMatch(/^\s+at /m);
    }
    const missing = await sandbox.run('report', 'nowhere.json');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error: nowhere.json: no such file');
  });

  it('merge refuses a results file whose recorder data is corrupt (exit 2)', async () => {
    const valid = resultsOf(record(newRecorder(), { count: 10 }));
    await sandbox.write('ok.json', valid);
    await sandbox.write('corrupt.json', {
      ...valid,
      run: { ...valid.run, startedAt: '2026-11-25T20:00:01.000Z' },
      recorder: { ...valid.recorder, data: 'AAAA' },
    });
    const out = await sandbox.run('merge', 'ok.json', 'corrupt.json', '-o', 'm.json');
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('error: corrupt.json: corrupt recorder data: the recorder data');
  });
});
