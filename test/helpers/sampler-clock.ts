import { performance } from 'node:perf_hooks';

/**
 * A monitor's clock (`MonitorOptions.now`), the same monotonic one as its default, that counts its readings so
 * a test waits for the monitor to have sampled N more times instead of sleeping. The monitor reads it once as
 * it starts (its origin), then once per source per sample, after the source's figures were read.
 */
export class SamplerClock {
  readonly #waiters: { readonly count: number; readonly resolve: () => void }[] = [];
  readonly #onReading: (atMs: number) => void;
  #readings = 0;

  /** `onReading` is called with each reading as it is taken (say, to read a process's CPU time at the same moment). */
  constructor(onReading: (atMs: number) => void = () => {}) {
    this.#onReading = onReading;
  }

  /** The clock to hand to the monitor: every call is a reading. */
  readonly now = (): number => {
    const atMs = this.peek();
    this.#readings += 1;
    this.#onReading(atMs);
    for (const waiter of this.#waiters.filter((each) => this.#readings >= each.count)) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    return atMs;
  };

  /** The time on this clock, not counted as a reading: to mark when the test did something. */
  peek(): number {
    return performance.timeOrigin + performance.now();
  }

  get readings(): number {
    return this.#readings;
  }

  /** Resolves once `count` more readings than so far have been taken. */
  async more(count: number): Promise<void> {
    const target = this.#readings + count;
    if (this.#readings >= target) return;
    await new Promise<void>((resolve) => this.#waiters.push({ count: target, resolve }));
  }
}
