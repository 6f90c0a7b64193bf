import type { PlannedRequest } from '../plan/build-plan.js';
import type { ProtocolRunnerOptions, ProtocolStepRunner } from './protocol-step.js';

/** The runner of a `ws:` step (plan/planned-ws.ts). */
export function createWsStepRunner(request: PlannedRequest, _options: ProtocolRunnerOptions): ProtocolStepRunner {
  throw new Error(`${request.name}: ws steps are not built yet`);
}
