import { dirname, resolve } from 'node:path';
import { parseDurationMs } from '../scenario/duration.js';
import { compileJsonBodyTemplate, compileTemplate } from '../scenario/template.js';
import { requestNameOf } from '../scenario/types.js';
import type { GrpcStatusName, GrpcStepSpec, RequestDefaults, RequestSpec } from '../scenario/types.js';
import { DEFAULT_TIMEOUT_MS, thinkTimeOf } from './compile-request.js';
import type { PlannedRequest, TemplateEnvironment } from './compile-request.js';

/** What a grpc: step takes from its file beside itself. */
export interface GrpcStepContext {
  readonly target: string | undefined;
  /** The top-level `proto`. */
  readonly proto: string | undefined;
  /** The scenario's directory: `proto` is relative to it. */
  readonly baseDir: string;
  readonly defaults: RequestDefaults | undefined;
  readonly env: TemplateEnvironment;
}

/**
 * Compiles a `grpc:` step of a validated scenario (its server, proto and method checked when it was read) into a
 * request whose `protocol` is the call: a flow's session runs it (flow/grpc-step.ts). Its `url` is
 * `grpc://host:port/package.Service/Method`, the method POSTed as gRPC does, for the messages that name it.
 * Its timeout is the call's deadline; of the defaults only `timeout` and `think_time` apply.
 */
export function compileGrpcStep(spec: GrpcStepSpec, context: GrpcStepContext): PlannedRequest {
  const server = spec.url ?? context.target;
  const proto = spec.proto ?? context.proto;
  if (server === undefined || proto === undefined)
    throw new Error(`${spec.grpc}: a grpc step without a server or a proto after validation`);
  const address = server.replace(/^grpc:\/\//i, '').replace(/\/+$/, '');
  const slash = spec.grpc.indexOf('/');
  const service = spec.grpc.slice(0, slash);
  const method = spec.grpc.slice(slash + 1);
  const protoPath = resolve(context.baseDir, proto);
  const timeout = spec.timeout ?? context.defaults?.timeout;
  const timeoutMs = timeout === undefined ? DEFAULT_TIMEOUT_MS : (parseDurationMs(timeout) ?? DEFAULT_TIMEOUT_MS);
  const thinkTime = thinkTimeOf(spec.think_time ?? context.defaults?.think_time);
  const status = spec.expect?.status ?? 'OK';
  const expectedStatuses: readonly GrpcStatusName[] = [...new Set(typeof status === 'string' ? [status] : status)];
  const path = `/${service}/${method}`;
  return {
    name: requestNameOf(spec as unknown as RequestSpec),
    method: 'POST',
    url: `grpc://${address}${path}`,
    origin: `grpc://${address}`,
    path,
    headers: [],
    timeoutMs,
    ...(spec.weight === undefined ? {} : { weight: spec.weight }),
    ...(thinkTime === undefined ? {} : { thinkTime }),
    protocol: {
      kind: 'grpc',
      protoPath,
      includeDirs: [dirname(protoPath)],
      service,
      method,
      address,
      message: compileJsonBodyTemplate(spec.message ?? {}, { env: context.env }),
      metadata: Object.entries(spec.metadata ?? {}).map(([name, value]) => ({
        name: name.toLowerCase(),
        value: compileTemplate(String(value), { env: context.env }),
      })),
      expectedStatuses,
    },
  };
}
