import { describe, expect, it } from 'vitest';
import { renderMarkdownReport } from '../../../src/report/markdown-report.js';
import { resultsFixture } from './results-fixture.js';

describe('renderMarkdownReport', () => {
  it('gives the verdict, a row per request and the total, and each threshold', () => {
    const markdown = renderMarkdownReport(resultsFixture());
    const lines = markdown.split('\n');
    expect(lines[0]).toBe('### ❌ loadseed: shop & co failed: 1 of 2 thresholds violated');
    expect(lines).toContain('| home | 800 | 80.0 | 50.0 | 100 | 150 | 300 | 0 (0.00%) |');
    expect(lines).toContain('| checkout &lt;b&gt; | 200 | 20.0 | 306 | 612 | 918 | 1837 | 5 (2.50%) |');
    expect(lines).toContain('| total | 1,000 | 100 | 270 | 540 | 810 | 1620 | 5 (0.50%) |');
    expect(lines).toContain('| p95 latency 612.3 ms &gt; 500 ms (checkout &lt;b&gt;) | ❌ fail |');
    expect(lines).toContain('| error rate 0.5% ≤ 1% | ✅ pass |');
  });
});
