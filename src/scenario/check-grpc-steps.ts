import type { IssueDraft } from './schema-explainer.js';
import { grpcStepOf, requestsOf } from './types.js';
import type { ScenarioData } from './types.js';

const GRPC_URL = /^grpc:\/\//i;

/**
 * What the schema cannot say of `grpc:` steps (schema `$defs/grpcStep`): each needs a grpc:// server (its
 * `url`, else `target`) and a proto (its own, else the top-level `proto`); a plain HTTP request cannot be sent
 * to a grpc:// target. The proto itself, its services, methods and fields are checked when it is read
 * (load-grpc-protos.ts).
 */
export function checkGrpcSteps(data: ScenarioData): IssueDraft[] {
  const issues: IssueDraft[] = [];
  const grpcTarget = data.target !== undefined && GRPC_URL.test(data.target);
  for (const { spec, path } of requestsOf(data)) {
    const grpc = grpcStepOf(spec);
    if (grpc === undefined) {
      if (grpcTarget && spec.url === undefined && spec.path !== undefined) {
        issues.push({
          path: [...path, 'path'],
          at: 'key',
          message: `the target is a gRPC server (${data.target ?? ''}): an HTTP request needs an absolute url`,
        });
      }
      continue;
    }
    if (grpc.url === undefined && !grpcTarget) {
      issues.push({
        path: [...path, 'grpc'],
        at: 'key',
        message: 'a grpc: step needs a gRPC server: set target: grpc://host:port at the top, or url: grpc://host:port on the step',
      });
    }
    if (grpc.proto === undefined && data.proto === undefined) {
      issues.push({
        path: [...path, 'grpc'],
        at: 'key',
        message: 'a grpc: step needs its service definition: set proto: ./service.proto at the top, or on the step',
      });
    }
  }
  return issues;
}
