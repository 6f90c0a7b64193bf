import { performance } from 'node:perf_hooks';
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import type { Client, ClientReadableStream, ClientUnaryCall, ServiceError, StatusObject } from '@grpc/grpc-js';
import { grpcCodeOfLabel, grpcStatus } from '../metrics/status-label.js';
import type { PlannedRequest } from '../plan/build-plan.js';
import type { PlannedGrpcStep } from '../plan/planned-grpc.js';
import { MissingVariableError } from '../scenario/template.js';
import { GrpcChannels } from '../transport/grpc-channels.js';
import type { GrpcMethod } from '../transport/grpc-channels.js';
import { grpcFailure } from '../transport/grpc-failure.js';
import { requestError } from '../transport/request-errors.js';
import type { StepReply } from '../transport/step-target.js';
import type { ProtocolRun, ProtocolRunnerOptions, ProtocolStepRunner, ProtocolUser } from './protocol-step.js';

/** gRPC's 5-byte message prefix (compressed flag, length), counted in the bytes each way. */
const FRAME_PREFIX_BYTES = 5;

/** A thread's channels, shared by its grpc: steps: one per ProtocolRunnerOptions, which a thread makes once. */
const CHANNELS = new WeakMap<ProtocolRunnerOptions, GrpcChannels>();

/**
 * The runner of a `grpc:` step (plan/planned-grpc.ts): one call per step, unary or server streaming, on the
 * user's own connection (transport/grpc-channels.ts). The step's timeout is the call's deadline. Its outcome:
 * the server's status, counted as a status (`OK` → recorded as 1000, status-label.ts), a success when `expect`
 * lists it; or, when grpc-js made the status itself, a failure in its category (transport/grpc-failure.ts):
 * the deadline → timeout, no connection → connection_refused, a dropped connection or stream →
 * connection_reset. Its messages (a unary reply is one) feed `grpc_messages_received`, and the first one's time
 * from the call's start `grpc_first_message_ms`.
 */
export function createGrpcStepRunner(request: PlannedRequest, options: ProtocolRunnerOptions): ProtocolStepRunner {
  const step = request.protocol;
  if (step?.kind !== 'grpc') throw new Error(`${request.name}: not a grpc step`);
  let channels = CHANNELS.get(options);
  if (channels === undefined) {
    channels = new GrpcChannels(options.connectTimeoutMs);
    CHANNELS.set(options, channels);
  }
  const shared = channels;
  const method = shared.method(step.protoPath, step.includeDirs, step.service, step.method);
  const expected = new Set(step.expectedStatuses.map((name) => grpcCodeOfLabel(name) as number));
  const metrics: CallMetrics = {
    messages: options.customMetricNames.indexOf('grpc_messages_received'),
    firstMessageMs: options.customMetricNames.indexOf('grpc_first_message_ms'),
  };
  return {
    start: (user, reply) => startCall(step, method, request.timeoutMs, expected, metrics, shared, user, reply),
    close: () => {
      shared.close();
      return Promise.resolve();
    },
  };
}

interface CallMetrics {
  /** Indexes into the plan's custom metrics (-1: absent). */
  readonly messages: number;
  readonly firstMessageMs: number;
}

const NOT_STARTED: ProtocolRun = { abort: () => 0 };

function startCall(
  step: PlannedGrpcStep,
  method: GrpcMethod,
  timeoutMs: number,
  expected: ReadonlySet<number>,
  metrics: CallMetrics,
  channels: GrpcChannels,
  user: ProtocolUser,
  reply: StepReply,
): ProtocolRun {
  let payload: Buffer;
  const metadata = new Metadata();
  try {
    payload = encodeMessage(method, user.render(step.message));
    for (const { name, value } of step.metadata) metadata.add(name, user.render(value));
  } catch (error) {
    reply.stepFailed(
      error instanceof MissingVariableError
        ? requestError('LS_MISSING_VARIABLE', error.message)
        : requestError('LS_GRPC_MESSAGE', user.redact(`${step.service}/${step.method}: ${(error as Error).message}`)),
      0,
      0,
    );
    return NOT_STARTED;
  }
  return new GrpcCall(method, payload, metadata, timeoutMs, expected, metrics, channels.client(user.userIndex, step.address), user, reply);
}

/** The rendered JSON message, encoded by the method's request type (protobufjs's fromObject: names as in the proto). */
function encodeMessage(method: GrpcMethod, json: string): Buffer {
  return method.requestSerialize(JSON.parse(json) as unknown);
}

const identity = (bytes: Buffer): Buffer => bytes;

/** One call in flight: reports its outcome once, unless aborted first. */
class GrpcCall implements ProtocolRun {
  readonly #reply: StepReply;
  readonly #user: ProtocolUser;
  readonly #expected: ReadonlySet<number>;
  readonly #metrics: CallMetrics;
  readonly #startedAt: number;
  readonly #deadlineAt: number;
  readonly #bytesOut: number;
  readonly #call: ClientUnaryCall | ClientReadableStream<unknown>;
  #bytesIn = 0;
  #messages = 0;
  #done = false;

  constructor(
    method: GrpcMethod,
    payload: Buffer,
    metadata: Metadata,
    timeoutMs: number,
    expected: ReadonlySet<number>,
    metrics: CallMetrics,
    client: Client,
    user: ProtocolUser,
    reply: StepReply,
  ) {
    this.#reply = reply;
    this.#user = user;
    this.#expected = expected;
    this.#metrics = metrics;
    this.#bytesOut = payload.length + FRAME_PREFIX_BYTES;
    this.#startedAt = performance.now();
    this.#deadlineAt = this.#startedAt + timeoutMs;
    const deserialize = (bytes: Buffer): unknown => {
      this.#bytesIn += bytes.length + FRAME_PREFIX_BYTES;
      return method.responseDeserialize(bytes);
    };
    const options = { deadline: Date.now() + timeoutMs };
    if (method.responseStream) {
      const call = client.makeServerStreamRequest(method.path, identity, deserialize, payload, metadata, options);
      call.on('data', () => this.#message());
      // The status says how the stream ended; 'error' repeats a non-OK one (and must be listened to).
      call.on('error', () => undefined);
      call.on('status', (status: StatusObject) => this.#end(status.code, status.details));
      this.#call = call;
    } else {
      this.#call = client.makeUnaryRequest(method.path, identity, deserialize, payload, metadata, options, (error: ServiceError | null) => {
        if (error === null) {
          this.#message();
          this.#end(GrpcStatus.OK, '');
        } else {
          this.#end(error.code, error.details);
        }
      });
    }
  }

  abort(): number {
    if (this.#done) return 0;
    this.#done = true;
    this.#call.cancel();
    return this.#bytesOut;
  }

  #message(): void {
    if (this.#done) return;
    this.#messages += 1;
    if (this.#messages === 1 && this.#metrics.firstMessageMs >= 0) {
      this.#reply.stepMetric?.(this.#metrics.firstMessageMs, performance.now() - this.#startedAt);
    }
  }

  #end(code: number, details: string): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#metrics.messages >= 0) this.#reply.stepMetric?.(this.#metrics.messages, this.#messages);
    const failure =
      code === (GrpcStatus.OK as number)
        ? undefined
        : grpcFailure(code, this.#user.redact(details), performance.now() >= this.#deadlineAt - 1);
    if (failure !== undefined) {
      this.#reply.stepFailed(failure, this.#bytesIn, this.#bytesOut);
      return;
    }
    this.#reply.stepEnded(grpcStatus(code), this.#expected.has(code), this.#bytesIn, this.#bytesOut);
  }
}
