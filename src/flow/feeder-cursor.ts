import type { FeederData } from '../scenario/load-feeders.js';

export interface FeederCursorOptions {
  /** This thread's segment of the plan (see plan/segment.ts): rows are striped like everything else. */
  readonly segmentIndex: number;
  readonly segmentCount: number;
  /** Uniform in [0, 1); default Math.random. */
  readonly random?: () => number;
}

/** `next()` when a `unique` + `stop` feeder has no row left: the run stops. */
export const EXHAUSTED = -1;

/**
 * Hands out the rows of one data file in one segment (worker thread), as row indexes; one cursor per feeder
 * per thread, shared by the thread's virtual users.
 *
 * - `sequential`: every row in order, wrapping; segment k starts at row ⌊k·rows/count⌋ so that segments
 *   running side by side are spread over the file rather than sending the same row at once.
 * - `random`: uniform over every row.
 * - `unique`: each row at most once across all segments: segment k owns rows k, k+count, k+2·count… (the
 *   striping of plan/segment.ts) and hands them out in order. With `stop`, -1 once its stripe is used up;
 *   with `cycle`, it starts its stripe over.
 *   A segment that owns no row (fewer rows than segments) is exhausted at once with `stop`; with `cycle` it
 *   cannot keep rows unique anyway, so it walks every row in order from row k mod rows (as `sequential`),
 *   and `sharesRows` tells the engine to warn.
 *
 * A file without rows (never produced by load-feeders) gives -1 in every order.
 */
export class FeederCursor {
  /** True when this segment hands out rows another segment may hand out at the same time under `unique`. */
  readonly sharesRows: boolean;
  readonly #rowCount: number;
  readonly #random: () => number;
  readonly #mode: 'walk' | 'random' | 'stripe';
  /** walk: the next row; stripe: the next row of the stripe. */
  #next: number;
  readonly #first: number;
  readonly #step: number;
  readonly #cycle: boolean;

  constructor(data: FeederData, options: FeederCursorOptions) {
    const { segmentIndex, segmentCount } = options;
    if (
      !Number.isInteger(segmentCount) ||
      segmentCount < 1 ||
      !Number.isInteger(segmentIndex) ||
      segmentIndex < 0 ||
      segmentIndex >= segmentCount
    ) {
      throw new RangeError(`segment ${segmentIndex} of ${segmentCount} is not a segment`);
    }
    this.#rowCount = data.table.rowCount;
    this.#random = options.random ?? Math.random;
    this.#cycle = data.whenExhausted === 'cycle';
    this.sharesRows = data.order === 'unique' && this.#cycle && segmentIndex >= this.#rowCount && this.#rowCount > 0;
    switch (data.order) {
      case 'sequential':
        this.#mode = 'walk';
        this.#first = Math.floor((segmentIndex * this.#rowCount) / segmentCount);
        this.#step = 1;
        break;
      case 'random':
        this.#mode = 'random';
        this.#first = 0;
        this.#step = 1;
        break;
      case 'unique':
        if (this.sharesRows) {
          this.#mode = 'walk';
          this.#first = segmentIndex % this.#rowCount;
          this.#step = 1;
        } else {
          this.#mode = 'stripe';
          this.#first = segmentIndex;
          this.#step = segmentCount;
        }
        break;
    }
    this.#next = this.#first;
  }

  /** The index of the next row to use, or -1 (EXHAUSTED) when there is none. */
  next(): number {
    const rows = this.#rowCount;
    if (rows === 0) return EXHAUSTED;
    switch (this.#mode) {
      case 'walk': {
        const row = this.#next;
        this.#next = row + 1 === rows ? 0 : row + 1;
        return row;
      }
      case 'random':
        return Math.min(rows - 1, Math.floor(this.#random() * rows));
      case 'stripe': {
        if (this.#next >= rows) {
          if (!this.#cycle || this.#first >= rows) return EXHAUSTED;
          this.#next = this.#first;
        }
        const row = this.#next;
        this.#next = row + this.#step;
        return row;
      }
    }
  }
}
