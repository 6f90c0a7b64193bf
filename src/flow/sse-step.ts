import type { PlannedRequest } from '../plan/build-plan.js';
import type { ProtocolRunnerOptions, ProtocolStepRunner } from './protocol-step.js';

/** The runner of a `sse:` step (plan/planned-sse.ts). */
export function createSseStepRunner(request: PlannedRequest, _options: ProtocolRunnerOptions): ProtocolStepRunner {
  throw new Error(`${request.name}: sse steps are not built yet`);
}
