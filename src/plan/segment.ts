import { peakUsers } from './profile.js';
import type { LoadProfile } from './profile.js';
import type { UserChange } from './user-schedule.js';

/**
 * One of `count` equal segments of a plan's load: the fraction [index/count, (index+1)/count) of it, after
 * k6's execution segments. A worker thread (or, later, a shard) runs one segment and works out its own share
 * from the segment alone, with no coordinator. Everything countable is striped: thing k (user k, arrival k,
 * iteration k, slot k — 0-based, in the order of the whole plan) belongs to segment k mod count. So the
 * shares of every count add up to the count exactly, at every moment, with no remainder lost
 * (autocannon's `Math.floor(total / workers)` loses it) and no arrival run twice.
 */
export interface Segment {
  readonly index: number;
  readonly count: number;
}

/** The whole plan: one segment of one. */
export const WHOLE_PLAN: Segment = Object.freeze({ index: 0, count: 1 });

/**
 * The segments that split `shard`'s share `parts` ways (worker threads inside one shard of a sharded run):
 * thing k belongs to shard k mod n; within it, to part j when k mod (n × parts) = shard.index + n × j. Their
 * shares add up to the shard's exactly.
 */
export function segmentsWithin(shard: Segment, parts: number): Segment[] {
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`a shard splits into a whole number of parts ≥ 1, not ${parts}`);
  return Array.from({ length: parts }, (_, part) => Object.freeze({ index: shard.index + shard.count * part, count: shard.count * parts }));
}

/** Every segment of an equal split into `count`. */
export function segmentsOf(count: number): Segment[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`a plan splits into a whole number of segments ≥ 1, not ${count}`);
  return Array.from({ length: count }, (_, index) => Object.freeze({ index, count }));
}

/**
 * The segment's share of `total` whole things (users, iterations, max users): how many of things 0…total-1
 * fall on it. Shares over all segments add up to `total`, differ by at most one, and never shrink as the
 * total grows (thing k keeps its owner), so a ramp adds each user to exactly one segment.
 */
export function shareOf(total: number, segment: Segment): number {
  const whole = Math.floor(total);
  return whole <= segment.index ? 0 : Math.floor((whole - 1 - segment.index) / segment.count) + 1;
}

/** Whether thing `k` (0-based, in the whole plan's order) belongs to the segment. */
export function owns(k: number, segment: Segment): boolean {
  return k % segment.count === segment.index;
}

/**
 * The segment's users over time, from the whole plan's user changes: at every moment its share of the total's
 * users (so the segments together have exactly `usersAt(t)`). Changes that leave the segment's count as it
 * was are dropped; the first entry (at 0) is always kept.
 */
export function segmentUserChanges(changes: readonly UserChange[], segment: Segment): UserChange[] {
  const result: UserChange[] = [];
  for (const change of changes) {
    const users = shareOf(change.users, segment);
    const last = result[result.length - 1];
    if (last !== undefined && last.users === users) continue;
    result.push({ atMs: change.atMs, users });
  }
  return result;
}

/** Offsets (ms from an origin) of successive events, Infinity once there are no more. */
export interface OffsetSequence {
  nextOffsetMs(): number;
}

/**
 * The segment's arrivals: every `count`-th offset of the whole plan's schedule, starting with arrival `index`.
 * The segments' schedules together are exactly the whole schedule, each arrival at its own time: no drift,
 * no duplicates. Allocation-free, like the schedule it strides.
 */
export class StripedSchedule implements OffsetSequence {
  readonly #source: OffsetSequence;
  readonly #stride: number;
  #skip: number;

  constructor(source: OffsetSequence, segment: Segment) {
    this.#source = source;
    this.#stride = segment.count;
    this.#skip = segment.index;
  }

  nextOffsetMs(): number {
    const source = this.#source;
    for (; this.#skip > 0; this.#skip--) if (source.nextOffsetMs() === Infinity) return Infinity;
    this.#skip = this.#stride - 1;
    return source.nextOffsetMs();
  }
}

/**
 * How many segments a profile can use, at most `requested`: one per user at the peak (closed model) or per
 * iteration slot (open model), so that no segment is left with nothing to run for the whole profile.
 */
export function usableSegments(profile: LoadProfile, requested: number): number {
  return Math.max(1, Math.min(Math.floor(requested), Math.floor(peakUsers(profile))));
}
