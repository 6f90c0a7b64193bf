import type { PlannedRequest } from '../plan/build-plan.js';
import type { ProtocolRunnerOptions, ProtocolStepRunner } from './protocol-step.js';

/** The runner of a `grpc:` step (plan/planned-grpc.ts). */
export function createGrpcStepRunner(request: PlannedRequest, _options: ProtocolRunnerOptions): ProtocolStepRunner {
  throw new Error(`${request.name}: grpc steps are not built yet`);
}
