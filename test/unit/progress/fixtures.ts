import type { RunProgress } from '../../../src/engine/run-result.js';
import { Recorder } from '../../../src/metrics/recorder.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import type { Plan } from '../../../src/plan/build-plan.js';
import { planThresholds } from '../../../src/plan/thresholds.js';
import type { PlannedThreshold } from '../../../src/plan/thresholds.js';
import type { ScenarioData } from '../../../src/scenario/types.js';

/** A plan from the scenario's `load` (and anything else), against a target nobody calls. */
export function planOf(load: Record<string, unknown>, extra: Record<string, unknown> = {}): Plan {
  const data = { target: 'http://127.0.0.1:1', requests: [{ name: 'home', path: '/' }], load, ...extra } as unknown as ScenarioData;
  return buildPlan({ file: 'progress.yml', baseDir: '.', data, envVarsUsed: [] });
}

export function thresholdsOf(sla: Record<string, unknown>): PlannedThreshold[] {
  return planThresholds(sla);
}

/** A recorder for `plan` with t=0 at 0, as the engine starts one. */
export function recorderFor(plan: Plan): Recorder {
  const recorder = new Recorder(plan.requests.map((request) => request.name));
  recorder.start(0);
  return recorder;
}

export interface IntervalFill {
  /** Start of the second, ms from t=0. */
  readonly startMs: number;
  readonly requests: number;
  readonly latencyMs: number;
  /** Of `requests`, this many fail (status 500). */
  readonly failures?: number;
  readonly requestIndex?: number;
  readonly durationMs?: number;
}

/** `requests` responses ending evenly spread over one interval, each taking `latencyMs`. */
export function fill(recorder: Recorder, interval: IntervalFill): void {
  const durationMs = interval.durationMs ?? 1000;
  const failures = interval.failures ?? 0;
  for (let i = 0; i < interval.requests; i++) {
    const failed = i < failures;
    const endedAt = interval.startMs + (i * durationMs) / interval.requests;
    recorder.recordResponse(
      interval.requestIndex ?? 0,
      failed ? 500 : 200,
      !failed,
      interval.latencyMs * 1000,
      interval.latencyMs * 1000,
      100,
      50,
      endedAt,
    );
  }
}

export function progressOf(recorder: Recorder, fields: Partial<Omit<RunProgress, 'recorder'>> = {}): RunProgress {
  return {
    phase: 'measured',
    elapsedMs: 0,
    plannedDurationMs: 60_000,
    activeUsers: 0,
    inFlight: 0,
    stopping: false,
    recorder,
    ...fields,
  };
}

/** What a stream received, and whether it says it is a terminal. */
export class FakeStream {
  readonly writes: string[] = [];
  readonly isTTY: boolean;
  readonly columns?: number;

  constructor(isTTY: boolean, columns?: number) {
    this.isTTY = isTTY;
    if (columns !== undefined) this.columns = columns;
  }

  write(text: string): boolean {
    this.writes.push(text);
    return true;
  }
  get text(): string {
    return this.writes.join('');
  }
}
