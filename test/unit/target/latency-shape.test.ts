import { describe, expect, it } from 'vitest';
import {
  latencyShapeProblem,
  logNormalFor,
  logNormalMean,
  logNormalQuantile,
  MAX_P99_TO_MEAN_RATIO,
  normalQuantile,
  sampleLogNormal,
  Z_99,
} from '../../../src/target/latency-shape.js';

/** A small seeded PRNG (mulberry32), so the sampling tests are reproducible. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function meanOf(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function percentile(sortedValues: readonly number[], p: number): number {
  const index = Math.min(sortedValues.length - 1, Math.ceil(p * sortedValues.length) - 1);
  return sortedValues[index] ?? Number.NaN;
}

describe('normalQuantile', () => {
  it('matches known standard normal quantiles', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.99)).toBeCloseTo(Z_99, 8);
    expect(normalQuantile(0.01)).toBeCloseTo(-Z_99, 8);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 7);
  });

  it('stays finite at the edges of [0, 1]', () => {
    expect(Number.isFinite(normalQuantile(0))).toBe(true);
    expect(Number.isFinite(normalQuantile(1))).toBe(true);
    expect(normalQuantile(0)).toBeLessThan(-8);
    expect(normalQuantile(1)).toBeGreaterThan(8);
  });
});

describe('logNormalFor', () => {
  it('derives a distribution whose analytic mean and p99 equal the inputs (mean=50, p99=200)', () => {
    const shape = logNormalFor(50, 200);
    expect(Math.abs(logNormalMean(shape) - 50)).toBeLessThan(1e-6);
    expect(Math.abs(Math.exp(shape.mu + Z_99 * shape.sigma) - 200)).toBeLessThan(1e-6);
    expect(Math.abs(logNormalQuantile(shape, 0.99) - 200)).toBeLessThan(1e-6);
    // sigma = z − sqrt(z² − 2·ln 4)
    expect(shape.sigma).toBeCloseTo(Z_99 - Math.sqrt(Z_99 * Z_99 - 2 * Math.log(4)), 12);
  });

  it.each([
    [20, 60],
    [1, 1],
    [100, 1000],
    [0.5, 7],
    [50, 50 * MAX_P99_TO_MEAN_RATIO],
  ])('round-trips mean=%d p99=%d', (meanMs, p99Ms) => {
    const shape = logNormalFor(meanMs, p99Ms);
    expect(logNormalMean(shape) / meanMs).toBeCloseTo(1, 9);
    expect(Math.exp(shape.mu + Z_99 * shape.sigma) / p99Ms).toBeCloseTo(1, 9);
    expect(shape.sigma).toBeGreaterThanOrEqual(0);
  });

  it('gives a constant (sigma 0) when mean equals p99', () => {
    const shape = logNormalFor(30, 30);
    expect(shape.sigma).toBe(0);
    expect(sampleLogNormal(shape, () => 0.001)).toBeCloseTo(30, 9);
    expect(sampleLogNormal(shape, () => 0.999)).toBeCloseTo(30, 9);
  });

  it.each([
    [100, 10, 'p99 must be >= mean'],
    [0, 10, 'mean must be > 0'],
    [-5, 10, 'mean must be > 0'],
    [10, 150, 'p99/mean must be <= 14.97'],
    [Number.NaN, 10, 'finite'],
    [10, Number.POSITIVE_INFINITY, 'finite'],
  ])('rejects mean=%d p99=%d (%s)', (meanMs, p99Ms, reason) => {
    expect(latencyShapeProblem(meanMs, p99Ms)).toContain(reason);
    expect(() => logNormalFor(meanMs, p99Ms)).toThrow(RangeError);
  });

  it('puts the largest valid ratio at exp(z²/2) ≈ 14.9685', () => {
    expect(MAX_P99_TO_MEAN_RATIO).toBeCloseTo(14.968488, 5);
    expect(latencyShapeProblem(10, 149.68)).toBeUndefined();
    expect(latencyShapeProblem(10, 149.69)).toBeDefined();
  });
});

describe('sampleLogNormal', () => {
  const shape = logNormalFor(50, 200);

  it('maps uniforms to quantiles deterministically', () => {
    expect(sampleLogNormal(shape, () => 0.5)).toBeCloseTo(Math.exp(shape.mu), 6);
    expect(sampleLogNormal(shape, () => 0.99)).toBeCloseTo(200, 5);
    expect(sampleLogNormal(shape, () => 0)).toBeGreaterThan(0);
  });

  it('with Math.random, 20000 draws have mean within 5% and p99 within 10% of the inputs', () => {
    const samples = Array.from({ length: 20_000 }, () => sampleLogNormal(shape, Math.random));
    samples.sort((a, b) => a - b);
    expect(Math.abs(meanOf(samples) - 50) / 50).toBeLessThan(0.05);
    expect(Math.abs(percentile(samples, 0.99) - 200) / 200).toBeLessThan(0.1);
  });

  it('with a seeded source, 20000 draws have mean within 2% and p99 within 5% of the inputs', () => {
    const random = seededRandom(42);
    const samples = Array.from({ length: 20_000 }, () => sampleLogNormal(shape, random));
    samples.sort((a, b) => a - b);
    expect(Math.abs(meanOf(samples) - 50) / 50).toBeLessThan(0.02);
    expect(Math.abs(percentile(samples, 0.99) - 200) / 200).toBeLessThan(0.05);
  });
});
