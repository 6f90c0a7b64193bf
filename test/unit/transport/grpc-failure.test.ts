import { status as GrpcStatus } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ERROR_CATEGORIES } from '../../../src/metrics/error-category.js';
import { classifyError } from '../../../src/transport/classify-error.js';
import { grpcFailure } from '../../../src/transport/grpc-failure.js';

/** The category of a status grpc-js made itself, or undefined for a server's answer (counted as a status). */
function categoryOf(code: number, details: string, deadlineReached = false): string | undefined {
  const error = grpcFailure(code, details, deadlineReached);
  return error === undefined ? undefined : ERROR_CATEGORIES[classifyError(error)];
}

describe('grpcFailure', () => {
  it("tells grpc-js's own statuses (by its wording) from a server's", () => {
    expect(categoryOf(GrpcStatus.UNAVAILABLE, 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1.')).toBe(
      'connection_refused',
    );
    expect(categoryOf(GrpcStatus.UNAVAILABLE, 'Connection dropped')).toBe('connection_reset');
    expect(categoryOf(GrpcStatus.UNAVAILABLE, 'read ECONNRESET')).toBe('connection_reset');
    expect(categoryOf(GrpcStatus.INTERNAL, 'Received RST_STREAM with code 2 (Internal server error)')).toBe('connection_reset');
    expect(categoryOf(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded after 0.101s', true)).toBe('timeout');
    // The server's own answers: counted as statuses.
    expect(categoryOf(GrpcStatus.UNAVAILABLE, 'fail_code 14')).toBeUndefined();
    expect(categoryOf(GrpcStatus.DEADLINE_EXCEEDED, 'upstream took too long', false)).toBeUndefined();
    expect(categoryOf(GrpcStatus.INTERNAL, 'boom')).toBeUndefined();
    expect(categoryOf(GrpcStatus.NOT_FOUND, 'No connection established')).toBeUndefined();
  });
});
