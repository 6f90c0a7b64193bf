/** A `sse:` step, compiled at plan time (see planned-protocol.ts). Plain data: it crosses to worker threads. */
export interface PlannedSseStep {
  readonly kind: 'sse';
}
