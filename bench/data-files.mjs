#!/usr/bin/env node
// data-files.mjs — how long loading a big `data:` CSV takes, and how much memory it needs.
//
//   npm run build && node bench/data-files.mjs [MiB=98] [rows-per-MiB: default as many "u123456,p1\n" rows as fit]
//
// Writes a CSV of short rows (`user,pass` + "u<n>,p<n mod 10>\n") of about MiB mebibytes into a temp dir,
// loads it with the built dist/ (readFeeders, the same path `loadseed run` takes), and prints the outcome
// (rows loaded or the refusal), wall time, peak RSS and peak heap used (sampled every 50 ms, plus at the end).
// The temp dir is removed at the end. Run with --expose-gc for a steadier heap baseline.
import { mkdtempSync, rmSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const mib = Number(process.argv[2] ?? 98);
const { readFeeders } = await import(new URL('../dist/scenario/load-feeders.js', import.meta.url).href);

const dir = mkdtempSync(join(tmpdir(), 'loadseed-bench-data-'));
try {
  const file = join(dir, 'big.csv');
  const fd = openSync(file, 'w');
  const target = mib * 1024 * 1024;
  let written = writeSync(fd, 'user,pass\n');
  let rows = 0;
  while (written < target) {
    const lines = [];
    for (let i = 0; i < 10_000 && written < target; i += 1) {
      const line = `u${rows},p${rows % 10}\n`;
      if (written + line.length > target) break;
      lines.push(line);
      written += line.length;
      rows += 1;
    }
    if (lines.length === 0) break;
    writeSync(fd, lines.join(''));
  }
  closeSync(fd);
  globalThis.gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const timer = setInterval(sample, 50);
  const startedAt = performance.now();
  const result = await readFeeders({ data: [{ file: 'big.csv' }] }, dir);
  const elapsedMs = performance.now() - startedAt;
  sample();
  clearInterval(timer);
  const outcome = result.issues.length > 0 ? `refused: ${result.issues[0].message}` : `loaded ${result.feeders[0].table.rowCount} rows`;
  const toMiB = (bytes) => (bytes / 1024 / 1024).toFixed(0);
  console.log(`file      ${toMiB(statSync(file).size)} MiB, ${rows} rows`);
  console.log(`outcome   ${outcome}`);
  console.log(`time      ${(elapsedMs / 1000).toFixed(1)} s`);
  console.log(`peak RSS  ${toMiB(peakRss)} MiB (${toMiB(base.rss)} before)`);
  console.log(`peak heap ${toMiB(peakHeap)} MiB used (${toMiB(base.heapUsed)} before)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
