import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { closest } from 'fastest-levenshtein';
import type { IssueDraft } from './schema-explainer.js';
import type { DataPath } from './source-map.js';
import { grpcStepOf, requestsOf } from './types.js';
import type { GrpcStepSpec, Scenario } from './types.js';

type Protobuf = typeof import('protobufjs');
type ProtoRoot = InstanceType<Protobuf['Root']>;
type ProtoType = InstanceType<Protobuf['Type']>;

/** A .proto file is a few kilobytes; a whole API's ≈ 1 MiB. More is a wrong file. */
const MAX_PROTO_BYTES = 16 * 1024 * 1024;

/**
 * Reads the `.proto` files the `grpc:` steps name (`proto:` relative to the scenario's directory, at the top or
 * on a step; imports beside the file), once each, and checks each step against its file: the proto parses and
 * its types resolve, the service and the method exist (unary or server streaming), and every field of the
 * step's `message` is one of the request type's (nested messages, lists and maps too). Problems come back as
 * drafts at the key they are about (`proto`, `grpc`, `message.field`); none when the file has no grpc: step.
 * protobufjs (the parser under @grpc/proto-loader) is imported only then.
 */
export async function checkGrpcProtos(scenario: Scenario): Promise<IssueDraft[]> {
  const steps = [...requestsOf(scenario.data)].flatMap(({ spec, path }) => {
    const grpc = grpcStepOf(spec);
    return grpc === undefined ? [] : [{ grpc, path }];
  });
  if (steps.length === 0) return [];
  const protobuf = (await import('protobufjs')).default;
  const roots = new Map<string, ProtoRoot | string>();
  const issues: IssueDraft[] = [];
  for (const { grpc, path } of steps) {
    const protoPath: DataPath = grpc.proto === undefined ? ['proto'] : [...path, 'proto'];
    const relative = grpc.proto ?? scenario.data.proto;
    if (relative === undefined) continue; // check-grpc-steps.ts told it
    const absolute = resolve(scenario.baseDir, relative);
    if (!roots.has(absolute)) roots.set(absolute, await loadRoot(protobuf, absolute, relative));
    const root = roots.get(absolute) as ProtoRoot | string;
    if (typeof root === 'string') {
      // A proto shared by several steps is told once, at the key that names it.
      if (!issues.some((issue) => issue.message === root)) issues.push({ path: protoPath, at: 'value', message: root });
      continue;
    }
    issues.push(...checkStep(protobuf, root, grpc, path, relative));
  }
  return issues;
}

async function loadRoot(protobuf: Protobuf, absolute: string, relative: string): Promise<ProtoRoot | string> {
  try {
    const info = await stat(absolute);
    if (!info.isFile()) return `${relative} is not a file: proto names a .proto file`;
    if (info.size > MAX_PROTO_BYTES)
      return `${relative} is ${info.size} bytes: not a .proto file (at most ${MAX_PROTO_BYTES / 1024 / 1024} MiB)`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `no such file: ${absolute}` : `cannot read ${absolute} (${code ?? String(error)})`;
  }
  try {
    const root = new protobuf.Root();
    root.loadSync(absolute, { keepCase: true });
    root.resolveAll();
    return root;
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    return `cannot load the proto ${relative}: ${message}`;
  }
}

function checkStep(protobuf: Protobuf, root: ProtoRoot, grpc: GrpcStepSpec, path: DataPath, relative: string): IssueDraft[] {
  const [serviceName = '', methodName = ''] = grpc.grpc.split('/');
  const services = servicesOf(protobuf, root);
  const service = root.lookup(serviceName);
  if (!(service instanceof protobuf.Service)) {
    const known = services.length === 0 ? 'it defines no service' : `its services: ${services.join(', ')}`;
    const near = services.length === 0 ? '' : `; did you mean ${closest(serviceName, services)}?`;
    return [{ path: [...path, 'grpc'], at: 'value', message: `no service ${serviceName} in ${relative} (${known})${near}` }];
  }
  const method = service.methods[methodName];
  if (method === undefined) {
    const methods = Object.keys(service.methods);
    return [
      {
        path: [...path, 'grpc'],
        at: 'value',
        message: `no method ${methodName} in service ${serviceName} (its methods: ${methods.join(', ')})${methods.length === 0 ? '' : `; did you mean ${closest(methodName, methods)}?`}`,
      },
    ];
  }
  if (method.requestStream === true) {
    return [
      {
        path: [...path, 'grpc'],
        at: 'value',
        message: `${serviceName}/${methodName} streams its requests: loadseed calls unary and server-streaming methods only`,
      },
    ];
  }
  const type = method.resolvedRequestType;
  if (grpc.message === undefined || type === null) return [];
  return fieldIssues(protobuf, type, grpc.message, [...path, 'message']);
}

/** Every field of `value` the message type lacks, deep (nested messages, lists of them, map values). */
function fieldIssues(protobuf: Protobuf, type: ProtoType, value: unknown, path: DataPath): IssueDraft[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const issues: IssueDraft[] = [];
  for (const [key, inner] of Object.entries(value)) {
    const field = type.fields[key];
    if (field === undefined) {
      const names = Object.keys(type.fields);
      const near = names.length === 0 ? '' : `; did you mean ${closest(key, names)}?`;
      issues.push({
        path: [...path, key],
        at: 'key',
        message: `${type.name} has no field ${key} (its fields: ${names.length === 0 ? 'none' : names.join(', ')})${near}`,
      });
      continue;
    }
    const fieldType = field.resolvedType;
    if (!(fieldType instanceof protobuf.Type)) continue;
    if (field.map) {
      if (typeof inner === 'object' && inner !== null) {
        for (const [entry, entryValue] of Object.entries(inner as Record<string, unknown>))
          issues.push(...fieldIssues(protobuf, fieldType, entryValue, [...path, key, entry]));
      }
    } else if (field.repeated && Array.isArray(inner)) {
      inner.forEach((element, index) => issues.push(...fieldIssues(protobuf, fieldType, element, [...path, key, index])));
    } else {
      issues.push(...fieldIssues(protobuf, fieldType, inner, [...path, key]));
    }
  }
  return issues;
}

/** The full names of the services a root defines, for a message naming them. */
function servicesOf(protobuf: Protobuf, root: ProtoRoot): string[] {
  const names: string[] = [];
  const walk = (namespace: { readonly nestedArray: readonly unknown[] }): void => {
    for (const nested of namespace.nestedArray) {
      if (nested instanceof protobuf.Service) names.push(nested.fullName.replace(/^\./, ''));
      else if (nested instanceof protobuf.Namespace) walk(nested);
    }
  };
  walk(root);
  return names;
}
