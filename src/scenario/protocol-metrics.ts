import type { CustomMetricDefinition } from './custom-metric-specs.js';
import type { RequestSpec } from './types.js';

/**
 * The custom metrics a protocol step feeds by itself, declared for the run whenever a step of that protocol is
 * in the file: their thresholds are written like any custom metric's (`sla.metrics.ws_rtt_ms.p95`), and they
 * merge across workers and shards, reach the reports and the streaming outputs, as custom metrics do. A trend
 * in milliseconds ends in `_ms`. The step itself is reported under its name like a request: its response time
 * runs from its start to its end (a session, a stream, a call).
 */
export const PROTOCOL_METRICS = {
  /**
   * `ws_connect_ms`: the upgrade's handshake (connect to 101); `ws_rtt_ms`: a message's round trip, from its
   * send to the reply an `expect` (or `send_every`'s expect) matched; `ws_messages_sent` / `_received`: messages
   * (not control frames) per session, summed. The session's own duration is the step's response time.
   */
  ws: [
    { name: 'ws_connect_ms', kind: 'trend' },
    { name: 'ws_rtt_ms', kind: 'trend' },
    { name: 'ws_messages_sent', kind: 'counter' },
    { name: 'ws_messages_received', kind: 'counter' },
  ] as readonly CustomMetricDefinition[],
  /** `sse:` steps' metrics (SSE_EVENT_METRICS), then `stream:` steps' (STREAM_CHUNK_METRICS). */
  sse: [
    { name: 'sse_first_event_ms', kind: 'trend' },
    { name: 'sse_event_gap_ms', kind: 'trend' },
    { name: 'sse_events', kind: 'counter' },
    { name: 'stream_first_chunk_ms', kind: 'trend' },
    { name: 'stream_chunk_gap_ms', kind: 'trend' },
    { name: 'stream_chunks', kind: 'counter' },
  ] as readonly CustomMetricDefinition[],
  /** Per call: the messages received (a unary reply is one), and the first one's time from the call's start. */
  grpc: [
    { name: 'grpc_messages_received', kind: 'counter' },
    { name: 'grpc_first_message_ms', kind: 'trend' },
  ] as readonly CustomMetricDefinition[],
} as const;

/**
 * An `sse:` step's: time from the request sent to the first event, the gaps between consecutive events, and
 * the events received (one each, as they come).
 */
export const SSE_EVENT_METRICS: readonly CustomMetricDefinition[] = PROTOCOL_METRICS.sse.slice(0, 3);
/** A `stream:` step's: time from the request sent to the first chunk of the body, gaps between chunks, chunks received. */
export const STREAM_CHUNK_METRICS: readonly CustomMetricDefinition[] = PROTOCOL_METRICS.sse.slice(3);

/** Every built-in metric name: a user's `metric:` may not take one. */
export const PROTOCOL_METRIC_NAMES: ReadonlySet<string> = new Set(
  Object.values(PROTOCOL_METRICS).flatMap((metrics) => metrics.map((metric) => metric.name)),
);

/** The built-in metrics a step feeds: none for a plain request. */
export function protocolMetricsOf(spec: RequestSpec): readonly CustomMetricDefinition[] {
  if ('ws' in spec) return PROTOCOL_METRICS.ws;
  if ('sse' in spec) return SSE_EVENT_METRICS;
  if ('stream' in spec) return STREAM_CHUNK_METRICS;
  if ('grpc' in spec) return PROTOCOL_METRICS.grpc;
  return [];
}
