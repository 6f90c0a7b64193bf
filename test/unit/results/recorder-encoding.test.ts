import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Recorder } from '../../../src/metrics/recorder.js';
import { RECORDER_ENCODING, recorderDocument, recorderFromDocument } from '../../../src/results/recorder-encoding.js';
import { newRecorder, record } from './results-helpers.js';

describe('the recorder in the results file', () => {
  it('decodes to a recorder equal to the one recorded, in every figure and in its encoding', () => {
    const recorder = record(newRecorder(1234.567), { count: 5000, errorEvery: 40 });
    recorder.recordDropped(1300);
    recorder.recordInterrupted(1);
    const document = recorderDocument(recorder);
    expect(document.encoding).toBe(RECORDER_ENCODING);
    expect(document.requestNames).toEqual(['home', 'checkout']);
    const decoded = recorderFromDocument(document);
    expect(decoded.snapshot()).toEqual(recorder.snapshot());
    expect(decoded.originAt).toBe(1234.567);
    expect(decoded.encode()).toEqual(recorder.encode());
    // Percentiles of any rank, not only the summary's, come out identical.
    for (const percentile of [1, 33.3, 50, 90, 99.99, 100]) {
      expect(decoded.responseTimeHistogram(1).getValueAtPercentile(percentile)).toBe(
        recorder.responseTimeHistogram(1).getValueAtPercentile(percentile),
      );
    }
  });

  it('keeps names that repeat (they share a slot), and an empty recorder', () => {
    const recorder = new Recorder(['GET /', 'POST /x', 'GET /']);
    recorder.recordResponse(2, 201, true, 1500, 1400, 10, 10, 0);
    const decoded = recorderFromDocument(recorderDocument(recorder));
    expect(decoded.requestNames).toEqual(['GET /', 'POST /x', 'GET /']);
    expect(decoded.snapshot()).toEqual(recorder.snapshot());
    const empty = new Recorder(['a']);
    expect(recorderFromDocument(recorderDocument(empty)).snapshot()).toEqual(empty.snapshot());
  });

  it('is compact: 60 s of 3 requests at 1,500 req/s in well under 100 KB', () => {
    const recorder = new Recorder(['home', 'catalog', 'search']);
    let seed = 7;
    const random = (): number => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    for (let i = 0; i < 90_000; i++) {
      const latencyUs = Math.round(
        [300, 500, 20_000][i % 3]! * Math.exp(0.8 * Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random())),
      );
      recorder.recordResponse(i % 3, 200, true, latencyUs, latencyUs, 300, 120, (i * 60_000) / 90_000);
    }
    const document = recorderDocument(recorder);
    expect(document.data.length).toBeLessThan(100_000);
    expect(recorderFromDocument(document).snapshot()).toEqual(recorder.snapshot());
  });

  it('refuses corrupt data with a message, never a wrong recorder', () => {
    const good = recorderDocument(record(newRecorder(), { count: 100 }));
    const cases: [string, string, RegExp][] = [
      ['not deflated', Buffer.from('hello').toString('base64'), /does not inflate/],
      ['truncated', deflateRawSync(Buffer.from([5, 200])).toString('base64'), /truncated/],
      ['another layout', deflateRawSync(Buffer.from([3, 0, 0, 0])).toString('base64'), /unexpected layout/],
      ['a huge length', deflateRawSync(Buffer.from([5, 0xff, 0xff, 0xff, 0xff, 0x0f])).toString('base64'), /truncated/],
    ];
    for (const [label, data, message] of cases) {
      expect(() => recorderFromDocument({ ...good, data }), label).toThrow(message);
    }
    expect(() => recorderFromDocument({ ...good, requestNames: ['a', 'b', 'c'] })).toThrow(/inconsistent/);
    expect(() => recorderFromDocument({ ...good, encoding: 'other' as typeof RECORDER_ENCODING })).toThrow(
      /unknown recorder encoding "other"/,
    );
  });
});
