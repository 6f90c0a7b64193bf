import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_MONITOR_POINTS, MonitorSeries } from '../../../src/monitor/monitor-series.js';

describe('MonitorSeries', () => {
  it('keeps one point per reading, offsets from the origin, CPU to 0.1%', () => {
    const series = new MonitorSeries();
    series.add({ atMs: 1_000, cpuPercent: null, memoryBytes: 100 });
    series.add({ atMs: 2_000.4, cpuPercent: 12.345, memoryBytes: 150.2 });
    series.add({ atMs: 3_000, cpuPercent: 50, memoryBytes: null });
    expect(series.points(1_000)).toEqual([
      { offsetMs: 0, cpuPercent: null, memoryBytes: 100 },
      { offsetMs: 1_000, cpuPercent: 12.3, memoryBytes: 150 },
      { offsetMs: 2_000, cpuPercent: 50, memoryBytes: null },
    ]);
    // Points before the origin (a warm-up) are left out.
    expect(series.points(1_500).map((point) => point.offsetMs)).toEqual([500, 1_500]);
  });

  it('merges neighbours pairwise past its bound: CPU averaged, memory the larger, time the later', () => {
    const series = new MonitorSeries(4);
    for (let i = 1; i <= 4; i++) series.add({ atMs: i * 1_000, cpuPercent: i * 10, memoryBytes: i % 2 === 0 ? 100 * i : 1_000 });
    expect(series.points(0)).toHaveLength(4);
    series.add({ atMs: 5_000, cpuPercent: 50, memoryBytes: 5 });
    expect(series.readingsPerPoint).toBe(2);
    expect(series.points(0)).toEqual([
      { offsetMs: 2_000, cpuPercent: 15, memoryBytes: 1_000 },
      { offsetMs: 4_000, cpuPercent: 35, memoryBytes: 1_000 },
      { offsetMs: 5_000, cpuPercent: 50, memoryBytes: 5 },
    ]);
    // From now on a point takes two readings.
    series.add({ atMs: 6_000, cpuPercent: 70, memoryBytes: 6 });
    expect(series.points(0)[2]).toEqual({ offsetMs: 6_000, cpuPercent: 60, memoryBytes: 6 });
  });

  it('keeps the wait for a CPU where readings have it, averaged like CPU when merged, absent elsewhere', () => {
    const series = new MonitorSeries(2);
    series.add({ atMs: 1_000, cpuPercent: null, memoryBytes: 1 });
    series.add({ atMs: 2_000, cpuPercent: 30, memoryBytes: 1, waitPercent: 65.04 });
    expect(series.points(1_000)).toEqual([
      { offsetMs: 0, cpuPercent: null, memoryBytes: 1 },
      { offsetMs: 1_000, cpuPercent: 30, memoryBytes: 1, waitPercent: 65 },
    ]);
    series.add({ atMs: 3_000, cpuPercent: 40, memoryBytes: 1, waitPercent: 55 });
    expect(series.points(1_000)).toEqual([
      { offsetMs: 1_000, cpuPercent: 30, memoryBytes: 1, waitPercent: 65 },
      { offsetMs: 2_000, cpuPercent: 40, memoryBytes: 1, waitPercent: 55 },
    ]);
  });

  it('averages CPU over the readings that had one (a failed sample is not a zero)', () => {
    const series = new MonitorSeries(2);
    series.add({ atMs: 1, cpuPercent: 80, memoryBytes: 1 });
    series.add({ atMs: 2, cpuPercent: null, memoryBytes: null });
    series.add({ atMs: 3, cpuPercent: 20, memoryBytes: 3 });
    expect(series.points(0)).toEqual([
      { offsetMs: 2, cpuPercent: 80, memoryBytes: 1 },
      { offsetMs: 3, cpuPercent: 20, memoryBytes: 3 },
    ]);
  });

  it(`stays within ${DEFAULT_MAX_MONITOR_POINTS} points however long the run, and keeps the mean and the peak`, () => {
    const series = new MonitorSeries();
    const readings = 24 * 3_600; // a day at one per second
    for (let i = 0; i < readings; i++)
      series.add({ atMs: i * 1_000, cpuPercent: i % 2 === 0 ? 0 : 100, memoryBytes: i === 40_000 ? 9e9 : 1e6 });
    const points = series.points(0);
    expect(points.length).toBeLessThanOrEqual(DEFAULT_MAX_MONITOR_POINTS);
    expect(points.length).toBeGreaterThan(DEFAULT_MAX_MONITOR_POINTS / 2);
    expect(points.every((point) => point.cpuPercent === 50)).toBe(true);
    expect(Math.max(...points.map((point) => point.memoryBytes ?? 0))).toBe(9e9);
    expect(points[points.length - 1]?.offsetMs).toBe((readings - 1) * 1_000);
  });

  it('forgets the points before a new origin, freeing room', () => {
    const series = new MonitorSeries(4);
    for (let i = 0; i < 4; i++) series.add({ atMs: i, cpuPercent: 1, memoryBytes: 1 });
    series.dropBefore(2);
    series.add({ atMs: 4, cpuPercent: 1, memoryBytes: 1 });
    expect(series.readingsPerPoint).toBe(1);
    expect(series.points(2).map((point) => point.offsetMs)).toEqual([0, 1, 2]);
  });
});
