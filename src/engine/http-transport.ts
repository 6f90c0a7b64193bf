import { assertNever } from '../errors.js';
import type { Plan } from '../plan/build-plan.js';
import { SocketHttpTarget } from './socket-http-target.js';
import type { StepTarget } from './step-target.js';

/**
 * How HTTP is sent: `socket`, loadseed's own HTTP/1.1 on raw sockets (socket-http-target.ts: http: and
 * https:), or `undici` (http-target.ts: Client.dispatch), kept for what only it provides (HTTP/2 to come).
 */
export type HttpTransport = 'socket' | 'undici';

/**
 * The one place that picks a plan's transport. Every plan is HTTP/1.1 today, so: sockets. A feature that
 * needs undici (HTTP/2, …) switches here, and only here.
 */
export function httpTransportOf(_plan: Pick<Plan, 'requests' | 'keepAlive'>): HttpTransport {
  return 'socket';
}

/**
 * The target that sends a plan's requests over `transport` (default: the plan's own, see httpTransportOf).
 * undici is imported only when used: loading it costs ≈20 MB of memory (its WebAssembly parser).
 */
export async function createHttpTarget(
  plan: Pick<Plan, 'requests' | 'keepAlive'>,
  transport: HttpTransport = httpTransportOf(plan),
): Promise<StepTarget> {
  switch (transport) {
    case 'socket':
      return new SocketHttpTarget(plan.requests, { keepAlive: plan.keepAlive });
    case 'undici': {
      const { HttpTarget } = await import('./http-target.js');
      return new HttpTarget(plan.requests, { keepAlive: plan.keepAlive });
    }
    default:
      return assertNever(transport);
  }
}
