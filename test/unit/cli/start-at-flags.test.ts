import { describe, expect, it } from 'vitest';
import { Chalk } from 'chalk';
import { parseStartAt, startAtRequest } from '../../../src/cli/run-flags.js';
import { lateStartLine } from '../../../src/cli/run-console.js';
import { plannedPhaseStart, WARMUP_END_LEAD_MS } from '../../../src/engine/start-instant.js';
import { UsageError } from '../../../src/errors.js';
import { clockTime, waitingLine } from '../../../src/progress/waiting-line.js';
import { waitUntilEpoch } from '../../../src/time/wait-until.js';

const NOW = Date.parse('2026-12-07T12:00:00.000Z');
const plain = new Chalk({ level: 0 });

function usageMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('no UsageError');
}

describe('--start-at / --start-in', () => {
  it('reads ISO-8601 instants with Z or an offset, seconds and fractions optional', () => {
    expect(parseStartAt('2026-12-07T12:00:30Z', NOW)).toBe(NOW + 30_000);
    expect(parseStartAt(' 2026-12-07T13:00:30.250+01:00 ', NOW)).toBe(NOW + 30_250);
    expect(parseStartAt('2026-12-07T12:01Z', NOW)).toBe(NOW + 60_000);
    // A little past (a shard started late) is taken: the run starts at once and records how late.
    expect(parseStartAt('2026-12-07T11:59:57Z', NOW)).toBe(NOW - 3_000);
  });

  it('refuses what is not an instant, one more than 5 s past, and one more than 24 h away', () => {
    for (const text of ['tomorrow', '2026-12-07 12:00:00Z', '2026-12-07T12:00:00', '1765108800', '2026-13-07T12:00:00Z']) {
      expect(usageMessage(() => parseStartAt(text, NOW))).toContain(`--start-at: not an ISO-8601 time: "${text}"`);
    }
    expect(usageMessage(() => parseStartAt('2026-12-07T11:59:50Z', NOW))).toBe(
      "--start-at: 2026-12-07T11:59:50.000Z is 10s past already (this host's clock says 2026-12-07T12:00:00.000Z): give a time to come",
    );
    expect(usageMessage(() => parseStartAt('2026-12-08T12:00:01Z', NOW))).toContain('is more than 24h away');
  });

  it('--start-in is a duration from now, 0 to 24 h; the two flags exclude each other', () => {
    expect(startAtRequest({ startIn: '30s' }, NOW)).toBe(NOW + 30_000);
    expect(startAtRequest({ startIn: '0' }, NOW)).toBe(NOW);
    expect(startAtRequest({}, NOW)).toBeUndefined();
    expect(usageMessage(() => startAtRequest({ startIn: '25h' }, NOW))).toContain('--start-in: takes a duration from 0 to 24h');
    expect(usageMessage(() => startAtRequest({ startIn: 'soon' }, NOW))).toContain('(got "soon")');
    expect(usageMessage(() => startAtRequest({ startIn: '5s', startAt: '2026-12-07T12:00:30Z' }, NOW))).toBe(
      '--start-at and --start-in both say when to start: give one of them',
    );
  });
});

describe('the wait for the instant', () => {
  it('the measured phase at the instant; a warm-up before it, ending WARMUP_END_LEAD_MS before', () => {
    expect(plannedPhaseStart('measured', NOW, 10_000)).toBe(NOW);
    expect(plannedPhaseStart('warmup', NOW, 10_000)).toBe(NOW - 10_000 - WARMUP_END_LEAD_MS);
  });

  it('the status line counts down, and a late start is said', () => {
    expect(waitingLine(NOW, NOW - 12_345, plain)).toBe('waiting to start at 12:00:00Z (in 12.3 s)');
    expect(waitingLine(NOW + 250, NOW + 300, plain)).toBe('waiting to start at 12:00:00.250Z (now)');
    expect(clockTime(Date.parse('2026-12-07T08:05:09.007Z'))).toBe('08:05:09.007Z');
    expect(lateStartLine(NOW, NOW + 5, plain)).toBe('');
    expect(lateStartLine(NOW, NOW + 1500, plain)).toBe(
      '\n! --start-at 12:00:00Z: ready only after it, started at once, 1s500ms late (run.startLateMs in the results)\n',
    );
  });

  it('waitUntilEpoch resolves true not before the moment, at once when past, false when aborted', async () => {
    const at = Date.now() + 30;
    expect(await waitUntilEpoch(at)).toBe(true);
    expect(Date.now()).toBeGreaterThanOrEqual(at);
    expect(await waitUntilEpoch(Date.now() - 1000)).toBe(true);
    const controller = new AbortController();
    const waiting = waitUntilEpoch(Date.now() + 3_600_000, controller.signal);
    controller.abort();
    expect(await waiting).toBe(false);
    expect(await waitUntilEpoch(Date.now() + 3_600_000, AbortSignal.abort())).toBe(false);
  });
});
