import type { Recorder } from '../metrics/recorder.js';
import { profileDurationMs } from '../plan/profile.js';
import { segmentUserChanges, shareOf, WHOLE_PLAN } from '../plan/segment.js';
import type { Segment } from '../plan/segment.js';
import { userChanges } from '../plan/user-schedule.js';
import type { UserChange, UsersProfile } from '../plan/user-schedule.js';
import { now } from '../time/clock.js';
import { Phase } from './phase.js';
import { ScheduleDriver } from './schedule-driver.js';
import type { UserPool } from './user-pool.js';
import type { VirtualUser } from './virtual-user.js';
import type { Workload } from './workload.js';

/**
 * Closed model (constant-users, ramping-users): N users each loop over iterations, pausing between requests.
 * User counts change at the exact times of the schedule (one timer); an added user starts at once, a removed
 * one finishes the request in flight first. An iterations budget is shared by all users and exact: a user
 * claims an iteration before starting it, and the phase ends when the budget is spent and every user is done.
 * With iterations per user, each user claims at most that many, and the budget is the users' share × that.
 * In a segment of the plan (a worker thread), users and budget are the segment's shares of the plan's.
 */
export class ClosedExecutor extends Phase {
  readonly openModel = false;
  readonly #changes: readonly UserChange[];
  #changeIndex = 0;
  #budget: number;
  /** iterations_per_user: how many each user may claim (Infinity: no such limit), and how many each has, by user index. */
  readonly #perUser: number;
  readonly #claimedBy: number[] = [];
  #driver: ScheduleDriver | undefined = undefined;

  constructor(pool: UserPool, workload: Workload, recorder: Recorder, profile: UsersProfile) {
    super(pool, workload, recorder, profileDurationMs(profile));
    const segment = workload.segment ?? WHOLE_PLAN;
    this.#changes = segment.count === 1 ? userChanges(profile) : segmentUserChanges(userChanges(profile), segment);
    this.#budget = closedBudget(profile, segment);
    this.#perUser = profile.kind === 'constant-users' ? (profile.iterationsPerUser ?? Infinity) : Infinity;
  }

  claimIteration(user: VirtualUser): boolean {
    if (this.stopping || user.retiring || this.#budget <= 0) return false;
    if (this.#perUser !== Infinity) {
      const claimed = this.#claimedBy[user.index] ?? 0;
      if (claimed >= this.#perUser) return false;
      this.#claimedBy[user.index] = claimed + 1;
    }
    this.#budget -= 1;
    return true;
  }

  userStopped(_user: VirtualUser): void {
    this.changeActiveUsers(-1, now());
    if (!this.stopping && this.#budget <= 0 && this.activeUsers === 0) this.stop(false);
  }

  protected begin(originAt: number): void {
    const changes = this.#changes;
    const source = { nextOffsetMs: (): number => changes[this.#changeIndex++]?.atMs ?? Infinity };
    this.#driver = new ScheduleDriver(originAt, source, (intendedAt) => {
      // The driver asks for the next offset only after this call: the change due is the last one handed out.
      const change = changes[this.#changeIndex - 1];
      if (change !== undefined) this.#setUsers(change.users, intendedAt);
    });
    this.#driver.start();
  }

  protected haltSchedule(): void {
    this.#driver?.stop();
  }

  /** Brings the running users to `target`: un-retire, then start idle users (lowest first); or retire (highest first). */
  #setUsers(target: number, at: number): void {
    const users = this.pool.users;
    let running = 0;
    for (const user of users) if (user.host === this && user.running && !user.retiring) running += 1;
    for (let index = 0; index < users.length && running < target; index++) {
      const user = users[index] as VirtualUser;
      if (user.host === this && user.running && user.retiring) {
        user.retiring = false;
        running += 1;
      }
    }
    for (let index = 0; running < target && !this.stopping; index++) {
      const user = this.pool.get(index);
      if (user.running) continue;
      running += 1;
      this.changeActiveUsers(1, at);
      user.begin(this, at);
    }
    for (let index = users.length - 1; index >= 0 && running > target; index--) {
      const user = users[index] as VirtualUser;
      if (user.host === this && user.running && !user.retiring) {
        running -= 1;
        user.retire();
      }
    }
  }
}

/**
 * The iterations a segment's users may start: its share of the total budget, or with iterations per user its
 * share of the users × that (user k on segment k mod n, each doing all of its own); Infinity when time bounds the run.
 */
function closedBudget(profile: UsersProfile, segment: Segment): number {
  if (profile.kind !== 'constant-users' || profile.iterations === undefined) return Infinity;
  if (profile.iterationsPerUser !== undefined) return shareOf(profile.users, segment) * profile.iterationsPerUser;
  return shareOf(profile.iterations, segment);
}
