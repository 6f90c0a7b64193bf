import { describe, expect, it } from 'vitest';
import { DeadlineSweeper } from '../../../src/engine/deadline-sweeper.js';
import type { StepReply, StepSession } from '../../../src/transport/step-target.js';
import { VirtualUser } from '../../../src/engine/virtual-user.js';
import type { UserHost } from '../../../src/engine/virtual-user.js';
import { IterationSteps } from '../../../src/engine/workload.js';
import type { Workload } from '../../../src/engine/workload.js';
import { MAX_MESSAGE_CHARS } from '../../../src/metrics/failure-samples.js';
import { Recorder } from '../../../src/metrics/recorder.js';
import { secretFormsOfAll } from '../../../src/scenario/secrets.js';

/** A session that never answers by itself: the test decides. */
class ManualSession implements StepSession {
  sent: number[] = [];
  aborts = 0;
  reply: StepReply | undefined;
  send(requestIndex: number, reply: StepReply): void {
    this.sent.push(requestIndex);
    this.reply = reply;
  }
  abort(): number {
    this.aborts += 1;
    this.reply = undefined;
    return 42;
  }
}

function setup(openModel: boolean, secrets: readonly string[] = []) {
  const workload: Workload = {
    ...(secrets.length === 0 ? {} : { secretForms: secretFormsOfAll(secrets) }),
    profile: { kind: 'constant-users', users: 1, durationMs: 1000 },
    gracePeriodMs: 0,
    requestNames: ['a', 'b'],
    timeoutsMs: [100, 100],
    thinkAfter: [undefined, undefined],
    maxLatencyUs: new Float64Array(2),
    iteration: new IterationSteps({
      order: 'sequence',
      choices: [
        {
          name: 's',
          weight: 1,
          steps: [
            { kind: 'request', requestIndex: 0 },
            { kind: 'request', requestIndex: 1 },
          ],
        },
      ],
    }),
  };
  const recorder = new Recorder(workload.requestNames);
  let claims = 0;
  const events: string[] = [];
  const host: UserHost = {
    recorder,
    openModel,
    stopping: false,
    claimIteration: () => claims++ < 1,
    userStopped: () => events.push('stopped'),
    requestStarted: () => events.push('started'),
    requestSettled: () => events.push('settled'),
    dataExhausted: () => events.push('exhausted'),
  };
  const session = new ManualSession();
  const user = new VirtualUser(0, session, workload);
  return { user, session, recorder, host, events };
}

describe('VirtualUser', () => {
  it("redacts the plan's secrets in a failure message before the samples clip it", () => {
    const secret = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.sig-0123456789';
    const { user, session, recorder, host } = setup(false, [secret]);
    user.begin(host, performance.now());
    // The secret straddles the clip: before, its first characters were kept and redaction no longer found it.
    const message = `${'x'.repeat(MAX_MESSAGE_CHARS - 20)} ${encodeURIComponent(secret)} tail`;
    session.reply?.stepFailed(new Error(message), 0, 0);
    const samples = recorder.snapshot().requests[0]!.failureSamples;
    expect(samples).toHaveLength(1);
    expect(samples[0]!.message).not.toContain(secret.slice(0, 8));
    expect(samples[0]!.message).toContain(' ***');
  });

  it('runs the steps of an iteration in order and records each outcome', () => {
    const { user, session, recorder, host, events } = setup(false);
    user.begin(host, performance.now());
    expect(session.sent).toEqual([0]);
    session.reply?.stepEnded(200, true, 10, 5);
    expect(session.sent).toEqual([0, 1]);
    session.reply?.stepEnded(404, true, 10, 5);
    // One iteration claimed; the second claim is refused: the user stops.
    expect(user.running).toBe(false);
    expect(events).toEqual(['started', 'settled', 'started', 'settled', 'stopped']);
    const snapshot = recorder.snapshot();
    expect(snapshot.iterations).toBe(1);
    expect(snapshot.requests.map((r) => [r.name, r.statusCounts])).toEqual([
      ['a', { 200: 1 }],
      ['b', { 404: 1 }],
    ]);
  });

  it('is expired by the sweeper once: one timeout, one abort, a late reply ignored', () => {
    const { user, session, recorder, host } = setup(true);
    const startAt = performance.now();
    user.begin(host, startAt);
    const sweeper = new DeadlineSweeper([user], 100);
    expect(sweeper.periodMs).toBe(10);
    const firstSentAt = user.sentAt;
    sweeper.sweep(firstSentAt + 99);
    expect(session.aborts).toBe(0);
    const lateReply = session.reply;
    sweeper.sweep(firstSentAt + 100);
    // Swept again at the same moment: the first request is not counted twice, the second (sent after the
    // first expired) is not yet due.
    sweeper.sweep(firstSentAt + 100);
    expect(session.aborts).toBe(1);
    lateReply?.stepEnded(200, true, 1, 1);
    const a = recorder.snapshot().requests[0];
    expect(a?.errorCounts.timeout).toBe(1);
    expect(a?.requests).toBe(1);
    expect(a?.bytesOut).toBe(42);
    // Timed to the deadline: sent at ≈ due, so ≈ 100 ms.
    expect(Math.abs((a?.responseTime.maxUs ?? 0) - 100_000)).toBeLessThan(1000);
    // Open model: the iteration goes on with the next step.
    expect(session.sent).toEqual([0, 1]);
  });

  it('counts an interrupted request once, and nothing after', () => {
    const { user, session, recorder, host } = setup(false);
    user.begin(host, performance.now());
    const reply = session.reply;
    user.interrupt();
    reply?.stepFailed(new Error('late'), 0, 0);
    const total = recorder.snapshot().total;
    expect(total.interrupted).toBe(1);
    expect(total.requests).toBe(0);
    expect(user.running).toBe(false);
    expect(session.aborts).toBe(1);
  });
});

describe('DeadlineSweeper', () => {
  it('sweeps every min(shortest timeout / 10, 50 ms), at least every 2 ms', () => {
    expect(new DeadlineSweeper([], 10_000).periodMs).toBe(50);
    expect(new DeadlineSweeper([], 200).periodMs).toBe(20);
    expect(new DeadlineSweeper([], 5).periodMs).toBe(2);
  });
});
