/** At most this many distinct reasons per source; more are counted under the last one. */
const MAX_REASONS = 8;

/**
 * What went wrong while sampling one source, once per reason with how many samples it affected, so that a
 * target down for an hour is one warning, not 3,600. Notes are reasons without a count (said once).
 */
export class SampleProblems {
  readonly #counts = new Map<string, number>();
  readonly #notes: string[] = [];

  /** A sample suffered `reason` (failed, or lacked a figure). */
  count(reason: string): void {
    const key = this.#counts.has(reason) || this.#counts.size < MAX_REASONS ? reason : 'other problems';
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  /** Something to say once, not tied to a sample (`pid 12 exited at 3.0 s; now pid 40`). */
  note(text: string): void {
    if (!this.#notes.includes(text) && this.#notes.length < MAX_REASONS) this.#notes.push(text);
  }

  /** The warnings, notes first, then each reason with its count out of `samples` taken. */
  warnings(samples: number): string[] {
    const counted = [...this.#counts].map(
      ([reason, count]) => `${reason}: ${count === samples ? 'every sample' : `${count} of ${samples} samples`}`,
    );
    return [...this.#notes, ...counted];
  }
}
