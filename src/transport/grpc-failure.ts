import { status as GrpcStatus } from '@grpc/grpc-js';
import { requestError } from './request-errors.js';

/**
 * Whether a gRPC call's non-OK status is loadseed's or the network's rather than the server's answer, and
 * which: grpc-js reports a failed connection, a dropped one and its own deadline as statuses too
 * (UNAVAILABLE "No connection established. Last error: connect ECONNREFUSED …", UNAVAILABLE "Connection
 * dropped", INTERNAL "Received RST_STREAM …", DEADLINE_EXCEEDED): then the error to fail the step with, its
 * message the details (to be redacted). Undefined: the server answered this status, counted as a status. `deadlineReached`: the call's own deadline has passed.
 *
 * grpc-js gives a locally made status no mark of its own, so the tell is its details (its own wording, in
 * subchannel-call.js and load-balancer-pick-first.js): a server answering UNAVAILABLE with the details
 * "Connection dropped" would be counted as a reset.
 */
export function grpcFailure(code: number, details: string, deadlineReached: boolean): Error | undefined {
  switch (code as GrpcStatus) {
    case GrpcStatus.DEADLINE_EXCEEDED:
      return deadlineReached ? requestError('LS_GRPC_DEADLINE', details) : undefined;
    case GrpcStatus.UNAVAILABLE:
      if (/No connection established|ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|Failed to connect/i.test(details))
        return requestError('LS_GRPC_REFUSED', details);
      if (/Connection dropped|ECONNRESET|Stream refused by server|GOAWAY|ETIMEDOUT/i.test(details))
        return requestError('LS_GRPC_RESET', details);
      return undefined;
    case GrpcStatus.INTERNAL:
      return /Received RST_STREAM/.test(details) ? requestError('LS_GRPC_RESET', details) : undefined;
    default:
      return undefined;
  }
}
