/** A `ws:` step, compiled at plan time (see planned-protocol.ts). Plain data: it crosses to worker threads. */
export interface PlannedWsStep {
  readonly kind: 'ws';
}
