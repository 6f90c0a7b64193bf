import { describe, expect, it } from 'vitest';
import { EXHAUSTED, FeederCursor } from '../../../src/flow/feeder-cursor.js';
import type { FeederData } from '../../../src/scenario/load-feeders.js';

function feeder(rowCount: number, order: FeederData['order'], whenExhausted: FeederData['whenExhausted'] = 'stop'): FeederData {
  return {
    file: 'rows.csv',
    columns: ['n'],
    table: { rowCount, columnCount: 1, bytes: new Uint8Array(0), offsets: new Uint32Array(rowCount + 1) },
    order,
    whenExhausted,
  };
}

function take(cursor: FeederCursor, count: number): number[] {
  return Array.from({ length: count }, () => cursor.next());
}

/** A small deterministic generator (mulberry32), uniform in [0, 1). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('FeederCursor', () => {
  it('sequential: every row in order, wrapping', () => {
    const cursor = new FeederCursor(feeder(4, 'sequential'), { segmentIndex: 0, segmentCount: 1 });
    expect(take(cursor, 10)).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1]);
  });

  it('sequential: segments start spread over the file, each walking every row', () => {
    const starts = [0, 1, 2].map((segmentIndex) => new FeederCursor(feeder(10, 'sequential'), { segmentIndex, segmentCount: 3 }));
    expect(starts.map((cursor) => take(cursor, 11))).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0],
      [3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3],
      [6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6],
    ]);
  });

  it('unique: across 3 segments every row exactly once, then -1 with stop', () => {
    const rowCount = 10;
    const cursors = [0, 1, 2].map((segmentIndex) => new FeederCursor(feeder(rowCount, 'unique'), { segmentIndex, segmentCount: 3 }));
    const taken = cursors.map((cursor) => {
      const rows: number[] = [];
      for (let row = cursor.next(); row !== EXHAUSTED; row = cursor.next()) rows.push(row);
      return rows;
    });
    expect(taken).toEqual([
      [0, 3, 6, 9],
      [1, 4, 7],
      [2, 5, 8],
    ]);
    expect(taken.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: rowCount }, (_, index) => index));
    for (const cursor of cursors) expect(take(cursor, 3)).toEqual([-1, -1, -1]);
  });

  it('unique with cycle: each segment starts its own stripe over', () => {
    const cursor = new FeederCursor(feeder(7, 'unique', 'cycle'), { segmentIndex: 1, segmentCount: 3 });
    expect(take(cursor, 7)).toEqual([1, 4, 1, 4, 1, 4, 1]);
    expect(cursor.sharesRows).toBe(false);
    const whole = new FeederCursor(feeder(3, 'unique', 'cycle'), { segmentIndex: 0, segmentCount: 1 });
    expect(take(whole, 7)).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it('unique: a segment that owns no row is exhausted at once with stop, and walks every row with cycle', () => {
    const stop = new FeederCursor(feeder(2, 'unique', 'stop'), { segmentIndex: 3, segmentCount: 4 });
    expect(take(stop, 2)).toEqual([-1, -1]);
    expect(stop.sharesRows).toBe(false);
    const cycle = new FeederCursor(feeder(2, 'unique', 'cycle'), { segmentIndex: 3, segmentCount: 4 });
    expect(take(cycle, 4)).toEqual([1, 0, 1, 0]);
    expect(cycle.sharesRows).toBe(true);
  });

  it('random: stays in range and, seeded, reaches every row', () => {
    const rowCount = 20;
    const cursor = new FeederCursor(feeder(rowCount, 'random'), { segmentIndex: 0, segmentCount: 1, random: seeded(42) });
    const counts = new Array<number>(rowCount).fill(0);
    for (let index = 0; index < 2000; index++) {
      const row = cursor.next();
      expect(row).toBeGreaterThanOrEqual(0);
      expect(row).toBeLessThan(rowCount);
      counts[row] = (counts[row] ?? 0) + 1;
    }
    expect(counts.every((count) => count > 0)).toBe(true);
    expect(Math.min(...counts)).toBeGreaterThan(50);
    const edge = new FeederCursor(feeder(3, 'random'), { segmentIndex: 0, segmentCount: 1, random: () => 0.9999999999999999 });
    expect(edge.next()).toBe(2);
    const zero = new FeederCursor(feeder(3, 'random'), { segmentIndex: 0, segmentCount: 1, random: () => 0 });
    expect(zero.next()).toBe(0);
  });

  it('never hands out a row of an empty file, and refuses a segment outside the split', () => {
    expect(new FeederCursor(feeder(0, 'sequential'), { segmentIndex: 0, segmentCount: 1 }).next()).toBe(-1);
    expect(new FeederCursor(feeder(0, 'random'), { segmentIndex: 0, segmentCount: 1 }).next()).toBe(-1);
    expect(() => new FeederCursor(feeder(3, 'sequential'), { segmentIndex: 2, segmentCount: 2 })).toThrow(RangeError);
  });
});
