import type { Route, ServerState } from './route.js';
import { parseInteger, quote, sendJson } from './replies.js';

/** The most jobs kept: past it, the oldest is forgotten (its polls then answer 404). */
export const MAX_JOBS = 10_000;
const DEFAULT_PENDING = 2;
const MAX_PENDING = 1_000;

interface JobTable {
  nextId: number;
  /** Job id → polls left that answer pending; in creation order, so the first is the oldest. */
  readonly pending: Map<string, number>;
}

/** Each server's jobs, kept beside its state (no field of ServerState needed). */
const tables = new WeakMap<ServerState, JobTable>();

/**
 * /jobs: an asynchronous job to poll. `POST /jobs?pending=N` (default 2) creates one and answers 201
 * `{"id": "...", "status": "pending"}`; `GET /jobs/<id>` answers `{"id", "status": "pending"}` N times, then
 * `{"id", "status": "done"}` from then on. Memory is bounded: at most MAX_JOBS jobs are kept.
 */
export const jobsRoute: Route = {
  handle: ({ state, req, res, search, arg }) => {
    const method = req.method ?? 'GET';
    if (arg === undefined) {
      if (method !== 'POST') {
        sendJson(res, 405, { error: 'create a job with POST /jobs?pending=N, then poll GET /jobs/<id>' }, { allow: 'POST' });
        return;
      }
      const pendingText = new URLSearchParams(search).get('pending');
      const pending = pendingText === null ? DEFAULT_PENDING : parseInteger(pendingText, 0, MAX_PENDING);
      if (pending === undefined) {
        sendJson(res, 400, {
          error: `bad pending ${quote(pendingText ?? undefined)}: use /jobs?pending=N with N an integer 0..${MAX_PENDING}`,
        });
        return;
      }
      sendJson(res, 201, { id: createJob(state, pending), status: 'pending' });
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      sendJson(res, 405, { error: 'poll a job with GET /jobs/<id>' }, { allow: 'GET, HEAD' });
      return;
    }
    const table = tables.get(state);
    const left = table?.pending.get(arg);
    if (table === undefined || left === undefined) {
      sendJson(res, 404, { error: `no job ${quote(arg)} (create one with POST /jobs; the oldest are forgotten past ${MAX_JOBS})` });
      return;
    }
    if (left > 0) table.pending.set(arg, left - 1);
    sendJson(res, 200, { id: arg, status: left > 0 ? 'pending' : 'done' });
  },
};

function createJob(state: ServerState, pending: number): string {
  let table = tables.get(state);
  if (table === undefined) {
    table = { nextId: 1, pending: new Map() };
    tables.set(state, table);
  }
  const id = `job-${table.nextId++}`;
  table.pending.set(id, pending);
  if (table.pending.size > MAX_JOBS) {
    const oldest = table.pending.keys().next().value;
    if (oldest !== undefined) table.pending.delete(oldest);
  }
  return id;
}
