import { assertNever } from '../errors.js';
import type { PlannedRequest } from '../plan/build-plan.js';
import type { ProtocolKind } from '../plan/planned-protocol.js';
import type { ProtocolRunnerFactory, ProtocolRunnerOptions, ProtocolStepRunner } from './protocol-step.js';

/**
 * A runner for each request of the plan that is a protocol step (undefined for plain HTTP ones), indexed like
 * the requests. Each protocol's module (and its library: ws, @grpc/grpc-js) is imported only when the plan uses it.
 */
export async function loadProtocolRunners(
  requests: readonly PlannedRequest[],
  options: ProtocolRunnerOptions,
): Promise<(ProtocolStepRunner | undefined)[] | undefined> {
  if (!requests.some((request) => request.protocol !== undefined)) return undefined;
  const factories = new Map<ProtocolKind, ProtocolRunnerFactory>();
  for (const request of requests) {
    const kind = request.protocol?.kind;
    if (kind !== undefined && !factories.has(kind)) factories.set(kind, await importFactory(kind));
  }
  return requests.map((request) => {
    const kind = request.protocol?.kind;
    return kind === undefined ? undefined : (factories.get(kind) as ProtocolRunnerFactory)(request, options);
  });
}

async function importFactory(kind: ProtocolKind): Promise<ProtocolRunnerFactory> {
  switch (kind) {
    case 'ws':
      return (await import('./ws-step.js')).createWsStepRunner;
    case 'sse':
      return (await import('./sse-step.js')).createSseStepRunner;
    case 'grpc':
      return (await import('./grpc-step.js')).createGrpcStepRunner;
    default:
      return assertNever(kind);
  }
}
