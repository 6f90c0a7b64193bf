import type { GrpcStatusName } from '../scenario/types.js';
import type { Template } from '../scenario/template.js';

/**
 * A `grpc:` step, compiled at plan time (see planned-protocol.ts). Plain data: it crosses to worker threads,
 * where each thread loads the proto itself (flow/grpc-step.ts) rather than receiving a loaded one.
 */
export interface PlannedGrpcStep {
  readonly kind: 'grpc';
  /** The .proto file, absolute (checked when the scenario was read: scenario/load-grpc-protos.ts). */
  readonly protoPath: string;
  /** Where its imports are looked up: its own directory. */
  readonly includeDirs: readonly string[];
  /** The service's full name, `package.Service`. */
  readonly service: string;
  readonly method: string;
  /** `host:port` the channel connects to (plaintext HTTP/2). */
  readonly address: string;
  /** The request message as JSON text, rendered per call (strings escaped as in a JSON body). */
  readonly message: Template;
  /** Request metadata, rendered per call; names lower-cased. */
  readonly metadata: readonly { readonly name: string; readonly value: Template }[];
  /** The statuses that count as success (default OK). */
  readonly expectedStatuses: readonly GrpcStatusName[];
}
