import { describe, expect, it } from 'vitest';
import { mergeResults } from '../../../src/results/merge-results.js';
import { resultsSchemaProblems } from '../../../src/results/read-results.js';
import { newRecorder, record, resultsOf } from './results-helpers.js';

describe('merge: streaming outputs', () => {
  it("lists every shard's outputs, one after another; none when no shard streamed", () => {
    const shard = (index: number) => resultsOf(record(newRecorder(), { count: 50, seed: index }), { shard: { index, count: 2 } });
    const first = { ...shard(1), outputs: [{ kind: 'prometheus-rw' as const, target: 'http://p/api/v1/write', sent: 10, dropped: 0 }] };
    const second = {
      ...shard(2),
      outputs: [{ kind: 'prometheus-rw' as const, target: 'http://p/api/v1/write', sent: 7, dropped: 3, error: 'HTTP 503' }],
    };
    const merged = mergeResults([
      { file: 'a.json', results: first },
      { file: 'b.json', results: second },
    ]);
    expect(merged.outputs).toEqual([...first.outputs, ...second.outputs]);
    expect(resultsSchemaProblems(merged)).toEqual([]);
    expect(
      mergeResults([
        { file: 'a.json', results: shard(1) },
        { file: 'b.json', results: shard(2) },
      ]).outputs,
    ).toBeUndefined();
  });
});
