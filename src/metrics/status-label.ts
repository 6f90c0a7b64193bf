/**
 * A step's status as the recorder counts it: 0 (none), an HTTP status 100..999, or a gRPC status code c as
 * `GRPC_STATUS_BASE + c` (1000..1016). `statusLabel` is the one name of each in the results, the reports and
 * the outputs: the HTTP code's digits ("200"), the gRPC code's name ("OK", "UNAVAILABLE").
 */
export const GRPC_STATUS_BASE = 1000;

/** gRPC status names, indexed by code (grpc/status.proto). */
export const GRPC_STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

export type GrpcStatusLabel = (typeof GRPC_STATUS_NAMES)[number];

/** One past the largest status counted: statuses 0..STATUS_LIMIT-1 have a slot (see Recorder). */
export const STATUS_LIMIT = GRPC_STATUS_BASE + GRPC_STATUS_NAMES.length;

const LABELS: readonly string[] = Array.from({ length: STATUS_LIMIT }, (_, status) =>
  status >= GRPC_STATUS_BASE ? (GRPC_STATUS_NAMES[status - GRPC_STATUS_BASE] as string) : String(status),
);
const GRPC_CODE_BY_LABEL: ReadonlyMap<string, number> = new Map(GRPC_STATUS_NAMES.map((name, code) => [name, code]));

/** The name of a recorded status: "200" for HTTP, "UNAVAILABLE" for gRPC status 14 (recorded as 1014). */
export function statusLabel(status: number): string {
  return LABELS[status] ?? String(status);
}

/** The status a gRPC code is recorded as. */
export function grpcStatus(code: number): number {
  return GRPC_STATUS_BASE + code;
}

/** The gRPC code a label names, or undefined for an HTTP status ("200") or "0". */
export function grpcCodeOfLabel(label: string): number | undefined {
  return GRPC_CODE_BY_LABEL.get(label);
}

/** Labels in reading order: HTTP statuses by number ("0" first), then gRPC statuses by code. */
export function compareStatusLabels(a: string, b: string): number {
  return statusOfLabel(a) - statusOfLabel(b);
}

/** A status's class for reports: "2xx".."5xx" for HTTP (by the first digit), "ok" or "error" for gRPC, "none" for 0. */
export function statusClass(label: string): 'none' | '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'ok' | 'error' {
  const code = grpcCodeOfLabel(label);
  if (code !== undefined) return code === 0 ? 'ok' : 'error';
  const digit = label.charAt(0);
  return digit === '1' || digit === '2' || digit === '3' || digit === '4' || digit === '5' ? (`${digit}xx` as const) : 'none';
}

function statusOfLabel(label: string): number {
  const code = grpcCodeOfLabel(label);
  return code === undefined ? Number(label) : GRPC_STATUS_BASE + code;
}
