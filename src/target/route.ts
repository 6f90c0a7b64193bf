import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { CapacityQueue } from './capacity-route.js';

/** What the built-in target keeps while it runs; every timer is cleared on close. */
export interface ServerState {
  requestCount: number;
  closed: boolean;
  readonly timers: Set<ReturnType<typeof setTimeout>>;
  /** /capacity's queues by rps, present while a request is in one. */
  readonly capacityQueues: Map<number, CapacityQueue>;
  readonly sockets: Set<Socket>;
}

/** One request to a route: the path without its query, the query, and the segment after the route (`/delay/20`: "20"). */
export interface RouteRequest {
  readonly state: ServerState;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly path: string;
  readonly search: string;
  readonly arg: string | undefined;
}

export interface Route {
  /** The route reads the request body itself; for every other one it is drained, so the connection stays reusable. */
  readonly readsBody?: boolean;
  readonly handle: (request: RouteRequest) => void;
}
