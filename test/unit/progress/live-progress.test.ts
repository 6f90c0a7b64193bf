import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { colorsFor } from '../../../src/cli/colors.js';
import type { CliIo } from '../../../src/cli/io.js';
import { createLiveProgress } from '../../../src/progress/live-progress.js';
import type { LiveProgress, ProgressMode } from '../../../src/progress/live-progress.js';
import { FakeStream, fill, planOf, progressOf, recorderFor, thresholdsOf } from './fixtures.js';

const plain = new Chalk({ level: 0 });
const forced = new Chalk({ level: 1 });
const plan = planOf({ profile: 'constant', users: 50, duration: '1m' });
const sla = thresholdsOf({ p95_latency_ms: 500, max_error_rate: 0.01 });
/** Any control character but the newline that ends a line (ESC, CR, BS… and C1). */
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

/** A display on `stream` with a clock the test moves. */
function setup(
  stream: FakeStream,
  mode: ProgressMode = 'auto',
  colors = plain,
): { progress: LiveProgress; clock: { ms: number }; at: number[] } {
  const clock = { ms: 0 };
  const at: number[] = [];
  const write = stream.write.bind(stream);
  stream.write = (text: string): boolean => {
    at.push(clock.ms);
    return write(text);
  };
  return { progress: createLiveProgress({ stream, plan, thresholds: sla, colors, mode, now: () => clock.ms }), clock, at };
}

/** The most writes in any half-open window [t, t + windowMs). */
function busiestWindow(times: readonly number[], windowMs: number): number {
  return Math.max(0, ...times.map((start) => times.filter((time) => time >= start && time < start + windowMs).length));
}

describe('createLiveProgress: modes', () => {
  it('auto: a bar on a terminal, lines elsewhere; the caller asks for updates every 100 ms or every second', () => {
    const tty = createLiveProgress({ stream: new FakeStream(true, 80), plan, colors: plain });
    const pipe = createLiveProgress({ stream: new FakeStream(false), plan, colors: plain });
    expect([tty.mode, tty.intervalMs, pipe.mode, pipe.intervalMs]).toEqual(['tty', 100, 'lines', 1000]);
    expect(createLiveProgress({ stream: new FakeStream(true), plan, colors: plain, mode: 'lines' }).mode).toBe('lines');
  });

  it("takes the CLI's stderr and its colours as they are", () => {
    const io: Pick<CliIo, 'stderr' | 'env'> = { stderr: new FakeStream(true, 80), env: { NO_COLOR: '1' } };
    const progress = createLiveProgress({ stream: io.stderr, plan, thresholds: sla, colors: colorsFor(io.stderr, io.env) });
    expect(progress.mode).toBe('tty');
  });

  it('quiet: writes nothing at all', () => {
    const stream = new FakeStream(true, 120);
    const { progress, clock } = setup(stream, 'quiet');
    const recorder = recorderFor(plan);
    for (clock.ms = 0; clock.ms < 10_000; clock.ms += 100) progress.update(progressOf(recorder, { elapsedMs: clock.ms }));
    progress.stop();
    expect(stream.writes).toEqual([]);
  });
});

describe('createLiveProgress: lines (CI logs, pipes)', () => {
  it('writes one line per 5 s of updates every second, each a whole line with no control character', () => {
    const stream = new FakeStream(false);
    const { progress, clock, at } = setup(stream);
    const recorder = recorderFor(plan);
    for (clock.ms = 1000; clock.ms <= 30_000; clock.ms += 1000) {
      fill(recorder, { startMs: clock.ms - 1000, requests: 1000, latencyMs: 20, failures: 25 });
      progress.update(progressOf(recorder, { elapsedMs: clock.ms, activeUsers: 50 }));
    }
    progress.stop();
    expect(at).toEqual([1000, 6000, 11_000, 16_000, 21_000, 26_000]);
    for (const line of stream.writes) {
      expect(line).toMatch(
        /^measured \d:\d\d\/1:00 \(\d+%\) · 50 users · [\d,]+ requests · 1,000 req\/s · p95 20\.\d ms · 2\.50% errors · ✓ p95 ✗ error rate 2\.5% > 1%\n$/,
      );
      expect(line).not.toMatch(CONTROL);
    }
    expect(stream.writes[1]).toContain('measured 0:06/1:00 (10%) · 50 users · 6,000 requests');
  });

  it('throttles however often it is called (every 10 ms for a minute: 12 lines)', () => {
    const stream = new FakeStream(false);
    const { progress, clock, at } = setup(stream);
    const recorder = recorderFor(plan);
    for (clock.ms = 0; clock.ms < 60_000; clock.ms += 10) progress.update(progressOf(recorder, { elapsedMs: clock.ms }));
    expect(at).toHaveLength(12);
    expect(busiestWindow(at, 5000)).toBe(1);
  });

  it('colours lines only when the injected chalk has colours on (forced), and still never writes \\r', () => {
    const stream = new FakeStream(false);
    const { progress } = setup(stream, 'lines', forced);
    const recorder = recorderFor(plan);
    fill(recorder, { startMs: 0, requests: 100, latencyMs: 900 });
    progress.update(progressOf(recorder, { elapsedMs: 1000 }));
    expect(stream.text).toContain('\x1b[31m✗ p95 latency');
    expect(stream.text).not.toMatch(/[\r\b]/);
  });

  it('reads the recorder only when it draws, and never takes a whole snapshot', () => {
    const stream = new FakeStream(false);
    const { progress, clock } = setup(stream);
    const recorder = recorderFor(plan);
    fill(recorder, { startMs: 0, requests: 100, latencyMs: 20 });
    const reads = { counters: 0, snapshots: 0 };
    const counters = recorder.counters.bind(recorder);
    recorder.counters = () => {
      reads.counters += 1;
      return counters();
    };
    recorder.snapshot = () => {
      reads.snapshots += 1;
      throw new Error('snapshot() summarises every histogram: too slow for a live display');
    };
    for (clock.ms = 0; clock.ms < 10_000; clock.ms += 100) progress.update(progressOf(recorder, { elapsedMs: clock.ms }));
    expect(reads).toEqual({ counters: 2, snapshots: 0 });
  });
});

describe('createLiveProgress: terminal', () => {
  it('never redraws more than 10 times in any second of fake time, even when updated every millisecond', () => {
    const stream = new FakeStream(true, 120);
    const { progress, clock, at } = setup(stream);
    const recorder = recorderFor(plan);
    // activeUsers changes on every call, so every allowed draw really writes a new line.
    for (clock.ms = 0; clock.ms < 3000; clock.ms += 1)
      progress.update(progressOf(recorder, { elapsedMs: clock.ms, activeUsers: clock.ms }));
    expect(busiestWindow(at, 1000)).toBe(10);
    expect(at).toHaveLength(30);
  });

  it('draws every update of a caller at 100 ms (10 a second)', () => {
    const stream = new FakeStream(true, 120);
    const { progress, clock, at } = setup(stream);
    const recorder = recorderFor(plan);
    for (clock.ms = 100; clock.ms <= 10_000; clock.ms += 100)
      progress.update(progressOf(recorder, { elapsedMs: clock.ms, activeUsers: clock.ms }));
    expect(at).toHaveLength(100);
  });

  it('judges thresholds at most once a second, however often it draws', () => {
    const stream = new FakeStream(true, 120);
    const { progress, clock } = setup(stream);
    const recorder = recorderFor(plan);
    let copies = 0;
    const copy = recorder.responseTimeHistogram.bind(recorder);
    recorder.responseTimeHistogram = (index?: number) => {
      copies += 1;
      return copy(index);
    };
    for (clock.ms = 0; clock.ms < 3000; clock.ms += 100) {
      fill(recorder, { startMs: clock.ms, requests: 10, latencyMs: clock.ms < 1500 ? 100 : 900, durationMs: 100 });
      progress.update(progressOf(recorder, { elapsedMs: clock.ms + 100, activeUsers: clock.ms }));
    }
    expect(stream.writes).toHaveLength(30);
    // One histogram copy per judgement (the p95 threshold; the error rate reads counters): at 0, 1 and 2 s.
    expect(copies).toBe(3);
    expect(stream.writes[19]).toContain('✓ p95');
    expect(stream.writes[20]).toContain('✗ p95');
  });

  it.each([80, 120])('redraws one line in place within %i columns, and clears it on stop', (columns) => {
    const stream = new FakeStream(true, columns);
    const { progress, clock } = setup(stream, 'auto', forced);
    const recorder = recorderFor(plan);
    for (clock.ms = 1000; clock.ms <= 5000; clock.ms += 1000) {
      fill(recorder, { startMs: clock.ms - 1000, requests: 1000, latencyMs: 700, failures: 25 });
      progress.update(progressOf(recorder, { elapsedMs: clock.ms, activeUsers: 50 }));
    }
    expect(stream.writes).toHaveLength(5);
    for (const write of stream.writes) {
      expect(write.startsWith('\r')).toBe(true);
      expect(write.endsWith('\x1b[K')).toBe(true);
      expect(write).not.toContain('\n');
      const shown = write.slice(1, -3).replace(/\x1b\[[0-9;]*m/g, '');
      expect([...shown].length).toBeLessThanOrEqual(columns - 1);
      expect(shown).toContain('1,000 req/s');
      expect(shown).toContain('✗ p95');
      expect(write).toContain('\x1b[31m✗ p95');
    }
    progress.stop();
    progress.stop();
    progress.update(progressOf(recorder, { elapsedMs: 6000 }));
    expect(stream.writes.slice(5)).toEqual(['\r\x1b[K']);
  });

  it('does not rewrite a line that has not changed, and stop writes nothing if nothing was drawn', () => {
    const stream = new FakeStream(true, 100);
    const { progress, clock } = setup(stream);
    const recorder = recorderFor(plan);
    for (clock.ms = 0; clock.ms < 900; clock.ms += 100) progress.update(progressOf(recorder, { elapsedMs: 500 }));
    expect(stream.writes).toHaveLength(1);
    const idle = new FakeStream(true, 100);
    setup(idle).progress.stop();
    expect(idle.writes).toEqual([]);
  });

  it('takes the width the terminal has now (resized during the run), 80 columns when it does not say', () => {
    const stream = new FakeStream(true, 120);
    const { progress, clock } = setup(stream);
    const recorder = recorderFor(plan);
    progress.update(progressOf(recorder, { elapsedMs: 1000 }));
    Object.defineProperty(stream, 'columns', { value: 60 });
    clock.ms = 1000;
    progress.update(progressOf(recorder, { elapsedMs: 2000 }));
    const widths = stream.writes.map((write) => [...write.slice(1, -3)].length);
    expect(widths[0]).toBeGreaterThan(80);
    expect(widths[1]).toBeLessThanOrEqual(59);
    const unknown = new FakeStream(false);
    const forcedTty = setup(unknown, 'tty');
    forcedTty.progress.update(progressOf(recorder, { elapsedMs: 1000 }));
    expect([...(unknown.writes[0] ?? '').slice(1, -3)].length).toBeLessThanOrEqual(79);
  });
});
