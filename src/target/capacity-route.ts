import type { ServerResponse } from 'node:http';
import { MAX_DELAY_MS, okAfter, parseDecimal, parseInteger, quote, sendText } from './replies.js';
import type { ServerState } from './route.js';

const DEFAULT_CAPACITY_RPS = 100;
const MAX_CAPACITY_RPS = 1_000_000;
const DEFAULT_CAPACITY_QUEUE = 100;
const MAX_CAPACITY_QUEUE = 10_000;

/** A single server of /capacity: when it is next free (virtual time, `performance.now()` ms), and how many requests it holds. */
export interface CapacityQueue {
  busyUntilMs: number;
  inSystem: number;
}

/**
 * /capacity: a single-server FIFO queue. Each request's departure is computed when it arrives, exactly —
 * max(now, when the server is next free) + 1000/rps — and one timer answers it then: the server's rate does not
 * drift with timer lateness, and stays at most rps per second however late timers fire. A request whose client
 * went away keeps its place (the server works on it anyway). Memory is bounded by `queue` per rps.
 */
/**
 * /capacity: a single-server FIFO queue. Each request's departure is computed when it arrives, exactly —
 * max(now, when the server is next free) + 1000/rps — and one timer answers it then: the server's rate does not
 * drift with timer lateness, and stays at most rps per second however late timers fire. A request whose client
 * went away keeps its place (the server works on it anyway). Memory is bounded by `queue` per rps.
 */
export function capacity(state: ServerState, res: ServerResponse, search: string): void {
  const params = new URLSearchParams(search);
  const rpsText = params.get('rps');
  const queueText = params.get('queue');
  const serviceText = params.get('service_ms');
  const rps = rpsText === null ? DEFAULT_CAPACITY_RPS : parseDecimal(rpsText);
  const queueLimit = queueText === null ? DEFAULT_CAPACITY_QUEUE : parseInteger(queueText, 1, MAX_CAPACITY_QUEUE);
  const serviceMs = serviceText === null ? 0 : parseDecimal(serviceText);
  if (rps === undefined || !(rps > 0) || rps > MAX_CAPACITY_RPS) {
    sendText(
      res,
      400,
      `bad rps ${quote(rpsText ?? undefined)}: use /capacity?rps=R with R a number of requests per second, above 0 and at most ${MAX_CAPACITY_RPS}`,
    );
    return;
  }
  if (queueLimit === undefined) {
    sendText(res, 400, `bad queue ${quote(queueText ?? undefined)}: use /capacity?queue=N with N an integer 1..${MAX_CAPACITY_QUEUE}`);
    return;
  }
  if (serviceMs === undefined || serviceMs > MAX_DELAY_MS) {
    sendText(
      res,
      400,
      `bad service_ms ${quote(serviceText ?? undefined)}: use /capacity?service_ms=MS with MS a number 0..${MAX_DELAY_MS}`,
    );
    return;
  }
  let queue = state.capacityQueues.get(rps);
  if (queue === undefined) {
    queue = { busyUntilMs: 0, inSystem: 0 };
    state.capacityQueues.set(rps, queue);
  }
  if (queue.inSystem >= queueLimit) {
    sendText(res, 503, `over capacity: ${queue.inSystem} requests queued at ${rps}/s`);
    return;
  }
  const nowMs = performance.now();
  const departsAtMs = Math.max(nowMs, queue.busyUntilMs) + 1000 / rps;
  queue.busyUntilMs = departsAtMs;
  queue.inSystem += 1;
  const held = queue;
  const timer = setTimeout(() => {
    state.timers.delete(timer);
    held.inSystem -= 1;
    if (held.inSystem === 0 && state.capacityQueues.get(rps) === held) state.capacityQueues.delete(rps);
    if (!res.destroyed) okAfter(state, res, serviceMs);
  }, departsAtMs - nowMs);
  state.timers.add(timer);
}
