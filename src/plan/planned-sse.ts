import { parseDurationMs } from '../scenario/duration.js';
import type { SseStepSpec, StreamExpect, StreamStepSpec } from '../scenario/types.js';

/**
 * A `sse:` or `stream:` step, compiled at plan time (see planned-protocol.ts). Plain data: it crosses to worker
 * threads. Its URL and headers are the request's templates (`PlannedRequest.templates`, always set for it), its
 * captures the request's (`PlannedRequest.captures`: json and regex read the last event's data).
 *
 * - `events` (`sse:`): a GET whose text/event-stream response is parsed event by event; the step ends at the
 *   first event of type `untilEvent`, after `untilEvents` events (the first met wins), or when the stream ends.
 * - `chunks` (`stream:`): a GET whose body is read chunk by chunk (an LLM's token stream) to its end.
 */
export interface PlannedSseStep {
  readonly kind: 'sse';
  readonly mode: 'events' | 'chunks';
  /** `until.event`: an event type that ends the step. */
  readonly untilEvent?: string;
  /** `until.events`: a number of events that ends the step. */
  readonly untilEvents?: number;
  /** `idle_timeout`: the longest wait for the head, then for each next event or chunk; absent: none. */
  readonly idleTimeoutMs?: number;
  /** Statuses the response must have (default 200). */
  readonly expectedStatuses: readonly number[];
}

/** The streamed step of a validated `sse:` or `stream:` spec. */
export function compileSseStep(spec: SseStepSpec | StreamStepSpec): PlannedSseStep {
  const idleTimeoutMs = spec.idle_timeout === undefined ? undefined : parseDurationMs(spec.idle_timeout);
  const until = 'sse' in spec ? spec.until : undefined;
  return {
    kind: 'sse',
    mode: 'sse' in spec ? 'events' : 'chunks',
    ...(until?.event === undefined ? {} : { untilEvent: until.event }),
    ...(until?.events === undefined ? {} : { untilEvents: until.events }),
    ...(idleTimeoutMs === undefined ? {} : { idleTimeoutMs }),
    expectedStatuses: streamStatusesOf(spec.expect),
  };
}

/** `expect` of a streamed step → its statuses, sorted and unique; default 200. */
function streamStatusesOf(expect: StreamExpect | undefined): readonly number[] {
  const status =
    typeof expect === 'number' || Array.isArray(expect) ? expect : (expect as { status?: number | readonly number[] } | undefined)?.status;
  if (status === undefined) return [200];
  const list: readonly number[] = typeof status === 'number' ? [status] : status;
  return [...new Set(list)].sort((a, b) => a - b);
}
