import type { PlannedGrpcStep } from './planned-grpc.js';
import type { PlannedSseStep } from './planned-sse.js';
import type { PlannedWsStep } from './planned-ws.js';

/**
 * A step that is not one HTTP request/response: a WebSocket session (`ws:`), a Server-Sent Events stream
 * (`sse:`) or a gRPC call (`grpc:`). It sits on `PlannedRequest.protocol` and keeps everything else a request
 * has (its name and slot in the recorder, `if`, `weight`, `think_time`, `tags`, its timeout): to the engine it
 * is one step with one outcome, whose response time runs from its (scheduled) start to its end. What it
 * measures inside (round trips, gaps between events, messages) goes to built-in custom metrics
 * (scenario/protocol-metrics.ts). A flow's session runs it through a `ProtocolStepRunner` (flow/protocol-step.ts).
 */
export type PlannedProtocol = PlannedWsStep | PlannedSseStep | PlannedGrpcStep;

export type ProtocolKind = PlannedProtocol['kind'];
