import type { StepTarget } from '../transport/step-target.js';
import { VirtualUser } from './virtual-user.js';
import type { Workload } from './workload.js';

/**
 * Every virtual user of a run, created on first use and kept for the whole run (warm-up and measured phases
 * alike), so a user keeps its session — its connections — from one phase to the next.
 */
export class UserPool {
  readonly users: VirtualUser[] = [];
  readonly #workload: Workload;
  readonly #target: StepTarget;

  constructor(workload: Workload, target: StepTarget) {
    this.#workload = workload;
    this.#target = target;
  }

  get size(): number {
    return this.users.length;
  }

  /** User `index`, creating it (and any before it) if needed. */
  get(index: number): VirtualUser {
    while (this.users.length <= index) {
      const userIndex = this.users.length;
      this.users.push(new VirtualUser(userIndex, this.#target.createSession(userIndex), this.#workload));
    }
    return this.users[index] as VirtualUser;
  }
}
