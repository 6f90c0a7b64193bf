import type { Recorder } from '../metrics/recorder.js';
import { now } from '../time/clock.js';
import type { Phase, PhaseOutcome, RunnablePhase } from './phase.js';

/**
 * Several scenarios' phases side by side on one t=0 (a file with `scenarios`), each from its own offset
 * (`start_after`), all recording into one recorder whose t=0 is the group's. It ends when the last one ends;
 * the abort signal stops them all.
 */
export class PhaseGroup implements RunnablePhase {
  readonly recorder: Recorder;
  originAt = 0;
  readonly #members: readonly { readonly phase: Phase; readonly startAfterMs: number }[];

  constructor(members: readonly { readonly phase: Phase; readonly startAfterMs: number }[], recorder: Recorder) {
    this.#members = members;
    this.recorder = recorder;
  }

  get activeUsers(): number {
    return this.#members.reduce((sum, member) => sum + member.phase.activeUsers, 0);
  }

  get inFlight(): number {
    return this.#members.reduce((sum, member) => sum + member.phase.inFlight, 0);
  }

  get stopping(): boolean {
    return this.#members.every((member) => member.phase.stopping);
  }

  async run(signal?: AbortSignal, originAt?: number): Promise<PhaseOutcome> {
    const origin = originAt ?? now();
    this.originAt = origin;
    this.recorder.start(origin);
    this.recorder.setActiveUsers(0, origin);
    const outcomes = await Promise.all(this.#members.map((member) => member.phase.run(signal, origin + member.startAfterMs, origin)));
    return {
      originAt: origin,
      stoppedAt: Math.max(...outcomes.map((outcome) => outcome.stoppedAt)),
      endedAt: Math.max(...outcomes.map((outcome) => outcome.endedAt)),
      interrupted: outcomes.some((outcome) => outcome.interrupted),
      dataExhausted: outcomes.some((outcome) => outcome.dataExhausted),
    };
  }
}
