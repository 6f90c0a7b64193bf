import { describe, expect, it } from 'vitest';
import { ErrorCategoryId } from '../../../src/metrics/error-category.js';
import { MAX_MESSAGES_PER_KIND } from '../../../src/metrics/failure-samples.js';
import { Recorder } from '../../../src/metrics/recorder.js';
import { recorderDocument } from '../../../src/results/recorder-encoding.js';

/**
 * Memory is flat in run length: a recorder fed a long run (simulated time: 8 hours) with many request names,
 * statuses, error kinds and ever-new error messages keeps a bounded series, bounded samples, and a results
 * encoding whose size does not grow with the length of the run. (The 10-minute soak at full speed, with RSS
 * sampled every second, is a benchmark: bench/soak.sh.)
 */
const NAMES = Array.from({ length: 40 }, (_, index) => `request-${index}`);
const CATEGORIES = [
  ErrorCategoryId.connection_refused,
  ErrorCategoryId.connection_reset,
  ErrorCategoryId.timeout,
  ErrorCategoryId.protocol,
  ErrorCategoryId.check,
];

function feed(recorder: Recorder, fromMs: number, toMs: number, perSecond: number): void {
  for (let atMs = fromMs; atMs < toMs; atMs += 1000 / perSecond) {
    const index = Math.floor(atMs) % NAMES.length;
    const latencyUs = 500 + ((atMs * 7919) % 200_000);
    const roll = Math.floor(atMs / 7) % 10;
    if (roll === 0) {
      const category = CATEGORIES[Math.floor(atMs) % CATEGORIES.length] as ErrorCategoryId;
      recorder.recordError(index, category, latencyUs, latencyUs, 0, 100, atMs);
      // A new message every time (a port number, a byte offset): the samples must not grow with them.
      recorder.noteFailure(index, category, `failure at ${atMs.toFixed(1)} ms`);
    } else {
      const status = roll === 1 ? 500 + (Math.floor(atMs) % 4) : 200;
      recorder.recordResponse(index, status, status === 200, latencyUs, latencyUs, 300, 100, atMs);
    }
  }
}

describe('the recorder over a long run', () => {
  it('keeps its series, samples and encoding bounded, however long the run', () => {
    const recorder = new Recorder(NAMES);
    recorder.start(0);
    feed(recorder, 0, 10 * 60_000, 20);
    recorder.finish(10 * 60_000);
    const tenMinutes = recorderDocument(recorder).data.length;
    const heapBefore = process.memoryUsage().heapUsed;
    feed(recorder, 10 * 60_000, 8 * 3_600_000, 20);
    recorder.finish(8 * 3_600_000);
    const snapshot = recorder.snapshot();
    expect(snapshot.total.requests).toBeGreaterThan(500_000);
    // The series coalesces: at most 240 intervals (here 2 min each), whatever the length.
    expect(snapshot.series.length).toBeLessThanOrEqual(240);
    expect(snapshot.seriesBucketMs).toBe(128_000);
    // At most MAX_MESSAGES_PER_KIND distinct messages per name and kind, though every message was new.
    for (const stats of snapshot.requests) {
      const byKind = new Map<string, number>();
      for (const sample of stats.failureSamples) byKind.set(sample.kind, (byKind.get(sample.kind) ?? 0) + 1);
      for (const count of byKind.values()) expect(count).toBeLessThanOrEqual(MAX_MESSAGES_PER_KIND);
    }
    // The results encoding of 8 hours is about the size of 10 minutes' (generous: within 3×).
    const eightHours = recorderDocument(recorder).data.length;
    expect(eightHours).toBeLessThan(tenMinutes * 3);
    // And the heap did not grow with the run (generous: 64 MB for 8 hours of 20 records/s over 40 names).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);
});
