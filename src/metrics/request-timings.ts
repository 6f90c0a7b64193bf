/**
 * The phases of one request, each its own histogram (integer µs) per request name and in total:
 *
 * - `dns`: the name lookup of a new connection (absent when the host is an IP address);
 * - `connect`: the TCP handshake of a new connection (after the lookup);
 * - `tls`: the TLS handshake of a new https connection (after the TCP connect);
 * - `ttfb`: waiting, from the request written (on a new connection: once it is connected) to the first byte of
 *   the response;
 * - `download`: from that first byte to the last byte of the response.
 *
 * `dns`, `connect` and `tls` are recorded once per connection, with the first request sent on it (a connection
 * opened before t=0 included): requests on a kept-alive connection record nothing for them. Their counts are
 * the connections opened, and their percentiles those of new connections.
 */
export const TIMING_PHASES = ['dns', 'connect', 'tls', 'ttfb', 'download'] as const;

export type TimingPhase = (typeof TIMING_PHASES)[number];

/** A phase's index in a `RequestTimings` array (and in the recorder's histograms). */
export const TimingIndex = { dns: 0, connect: 1, tls: 2, ttfb: 3, download: 4 } as const;

export const TIMING_PHASE_COUNT = TIMING_PHASES.length;

/** A phase the request did not go through (a reused connection, no lookup, no response yet). */
export const NOT_MEASURED = -1;

/**
 * After the phases, two moments on the engine's clock (ms), 0 when unset, for a transport that leaves the
 * waiting and the download to the caller's own send and end times (which it takes anyway): when the request
 * went out, if not when it was sent (a connecting socket flushes it once connected), and when the response's
 * first byte came. See `finishRequestTimings`.
 */
export const WRITTEN_AT = TIMING_PHASE_COUNT;
export const FIRST_BYTE_AT = TIMING_PHASE_COUNT + 1;

/**
 * One request's phases in µs, indexed by `TimingIndex`, `NOT_MEASURED` for those it did not go through, then
 * `WRITTEN_AT` and `FIRST_BYTE_AT`. A session owns one and its transport writes into it while the request is
 * in flight: nothing is allocated per request.
 */
export type RequestTimings = Float64Array;

export function createRequestTimings(): RequestTimings {
  const timings = new Float64Array(TIMING_PHASE_COUNT + 2);
  clearRequestTimings(timings);
  return timings;
}

/** Before a request: nothing measured yet. */
export function clearRequestTimings(timings: RequestTimings): void {
  timings[0] = NOT_MEASURED;
  timings[1] = NOT_MEASURED;
  timings[2] = NOT_MEASURED;
  timings[3] = NOT_MEASURED;
  timings[4] = NOT_MEASURED;
  timings[WRITTEN_AT] = 0;
  timings[FIRST_BYTE_AT] = 0;
}

/**
 * The waiting and (`complete`: the response ended) the download from the moments a transport left
 * (`FIRST_BYTE_AT`, `WRITTEN_AT`), the request's send (`sentAt`) and end (`endedAt`), on the engine's clock
 * (ms). Phases a transport wrote itself are kept. Allocates nothing.
 */
export function finishRequestTimings(timings: RequestTimings, sentAt: number, endedAt: number, complete: boolean): void {
  const firstByteAt = timings[FIRST_BYTE_AT]!;
  if (firstByteAt <= 0) return;
  const writtenAt = timings[WRITTEN_AT]!;
  timings[TimingIndex.ttfb] = Math.round((firstByteAt - (writtenAt > 0 ? writtenAt : sentAt)) * 1000);
  if (complete) timings[TimingIndex.download] = Math.round((endedAt - firstByteAt) * 1000);
}
