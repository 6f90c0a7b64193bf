import type { Recorder } from '../metrics/recorder.js';
import { ArrivalSchedule } from '../plan/arrival-schedule.js';
import type { ArrivalProfile } from '../plan/arrival-schedule.js';
import { profileDurationMs } from '../plan/profile.js';
import { shareOf, StripedSchedule, WHOLE_PLAN } from '../plan/segment.js';
import type { OffsetSequence } from '../plan/segment.js';
import { now, toMicros } from '../time/clock.js';
import { Phase } from './phase.js';
import { ScheduleDriver } from './schedule-driver.js';
import type { UserPool } from './user-pool.js';
import type { VirtualUser } from './virtual-user.js';
import type { Workload } from './workload.js';

/**
 * Open model (constant / ramping arrival rate): iterations start at the arrival times of the schedule,
 * whatever the target's speed, each on a free user, up to `maxUsers` at once. An arrival with no free user
 * is dropped and counted, never queued. Response time runs from the scheduled arrival (free of coordinated
 * omission); how late the scheduler itself dispatched it is recorded as scheduler lag. In a segment of the
 * plan (a worker thread), it runs every `count`-th arrival of the plan's schedule with its share of `maxUsers`.
 */
export class OpenExecutor extends Phase {
  readonly openModel = true;
  readonly #profile: ArrivalProfile;
  readonly #maxUsers: number;
  /** Idle users, most recently used on top (their connections are the warmest). */
  readonly #free: VirtualUser[] = [];
  #busy = 0;
  #driver: ScheduleDriver | undefined = undefined;

  constructor(pool: UserPool, workload: Workload, recorder: Recorder, profile: ArrivalProfile) {
    super(pool, workload, recorder, profileDurationMs(profile));
    this.#profile = profile;
    this.#maxUsers = shareOf(profile.maxUsers, workload.segment ?? WHOLE_PLAN);
  }

  claimIteration(_user: VirtualUser): boolean {
    return !this.stopping;
  }

  userStopped(user: VirtualUser): void {
    this.#busy -= 1;
    this.#free.push(user);
    this.changeActiveUsers(-1, now());
  }

  protected begin(originAt: number): void {
    // Users that already exist (pre-connected, or from the warm-up) go first, user 0 on top.
    const existing = this.pool.users.slice(0, this.#maxUsers);
    for (let index = existing.length - 1; index >= 0; index--) this.#free.push(existing[index] as VirtualUser);
    const segment = this.workload.segment ?? WHOLE_PLAN;
    const whole = ArrivalSchedule.of(this.#profile);
    const schedule: OffsetSequence = segment.count === 1 ? whole : new StripedSchedule(whole, segment);
    this.#driver = new ScheduleDriver(originAt, schedule, (intendedAt, firedAt) => this.#arrive(intendedAt, firedAt));
    this.#driver.start();
  }

  protected haltSchedule(): void {
    this.#driver?.stop();
  }

  #arrive(intendedAt: number, firedAt: number): void {
    this.recorder.recordSchedulerLag(toMicros(firedAt - intendedAt));
    if (this.#busy >= this.#maxUsers) {
      this.recorder.recordDropped(intendedAt);
      return;
    }
    this.recorder.recordArrival(intendedAt);
    const user = this.#free.pop() ?? this.pool.get(this.pool.size);
    this.#busy += 1;
    this.changeActiveUsers(1, intendedAt);
    user.begin(this, intendedAt);
  }
}
