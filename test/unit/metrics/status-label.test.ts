import { describe, expect, it } from 'vitest';
import { Recorder } from '../../../src/metrics/recorder.js';
import { compareStatusLabels, GRPC_STATUS_NAMES, grpcStatus, statusClass, statusLabel } from '../../../src/metrics/status-label.js';

describe('status labels', () => {
  it('names HTTP statuses by their digits and gRPC ones (recorded as 1000 + code) by name', () => {
    expect(statusLabel(0)).toBe('0');
    expect(statusLabel(200)).toBe('200');
    expect(statusLabel(grpcStatus(0))).toBe('OK');
    expect(statusLabel(grpcStatus(14))).toBe('UNAVAILABLE');
    expect(statusLabel(grpcStatus(16))).toBe('UNAUTHENTICATED');
    expect(GRPC_STATUS_NAMES).toHaveLength(17);
    expect(['UNAVAILABLE', '503', 'OK', '0', '200'].sort(compareStatusLabels)).toEqual(['0', '200', '503', 'OK', 'UNAVAILABLE']);
    expect([statusClass('OK'), statusClass('DATA_LOSS'), statusClass('404'), statusClass('0')]).toEqual(['ok', 'error', '4xx', 'none']);
  });

  it('the recorder counts gRPC statuses beside HTTP ones, keyed by label, through encode and decode', () => {
    const recorder = new Recorder(['echo', 'home']);
    for (let index = 0; index < 3; index++) recorder.recordResponse(0, grpcStatus(0), true, 1000, 1000, 0, 0, 0);
    recorder.recordResponse(0, grpcStatus(14), false, 1000, 1000, 0, 0, 0);
    recorder.recordResponse(1, 200, true, 1000, 1000, 0, 0, 0);
    const decoded = Recorder.decode(recorder.encode());
    expect(decoded.snapshot().requests[0]?.statusCounts).toEqual({ OK: 3, UNAVAILABLE: 1 });
    expect(decoded.snapshot().total.statusCounts).toEqual({ 200: 1, OK: 3, UNAVAILABLE: 1 });
    expect(decoded.outcomeBreakdown().map((each) => each.statusCounts)).toEqual([{ OK: 3, UNAVAILABLE: 1 }, { 200: 1 }]);
  });

  it('decodes an encoding from before gRPC statuses (1000 status slots per name)', () => {
    const recorder = new Recorder(['a', 'b']);
    recorder.recordResponse(0, 200, true, 1000, 1000, 0, 0, 0);
    recorder.recordResponse(1, 503, false, 1000, 1000, 0, 0, 0);
    const encoded = recorder.encode();
    const slots = 2;
    const old = new Float64Array(encoded.counters.length - slots * 17);
    for (let slot = 0; slot < slots; slot++) old.set(encoded.counters.subarray(slot * 1017, slot * 1017 + 1000), slot * 1000);
    old.set(encoded.counters.subarray(slots * 1017), slots * 1000);
    const decoded = Recorder.decode({ ...encoded, counters: old });
    expect(decoded.snapshot().requests[0]?.statusCounts).toEqual({ 200: 1 });
    expect(decoded.snapshot().requests[1]?.statusCounts).toEqual({ 503: 1 });
    expect(decoded.snapshot().total.failures).toBe(1);
  });
});
