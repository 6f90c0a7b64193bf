import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { RunProgress } from '../engine/run-result.js';
import { UsageError } from '../errors.js';
import type { Plan } from '../plan/build-plan.js';
import { describePlan } from '../plan/describe-plan.js';
import type { PlannedThreshold } from '../plan/thresholds.js';
import { renderDashboardPage } from '../report/dashboard-html.js';
import { finalDashboardFrame } from '../report/dashboard-frame.js';
import type { DashboardFrame } from '../report/dashboard-page-data.js';
import type { ResultsDocument } from '../results/results-document.js';
import { redactDeep } from '../scenario/secrets.js';
import { GeneratorHealth } from './generator-health.js';
import { liveDashboardFrame } from './live-frame.js';
import { LiveSeries } from './live-series.js';
import type { LiveFrameContext } from './live-frame.js';

/** The dashboard listens here only: it shows a run's names and figures to this machine, nobody else. */
export const DASHBOARD_HOST = '127.0.0.1';
/** k6's dashboard port, so that habits carry over. */
export const DEFAULT_DASHBOARD_PORT = 5665;
/** A frame every second; ticks a little early (timer jitter) still make one. */
const FRAME_INTERVAL_MS = 1000;
const MIN_FRAME_GAP_MS = 900;
/** How long `close` waits for clients to take their last bytes before it cuts their connections. */
const CLOSE_GRACE_MS = 2000;

export interface DashboardOptions {
  /** 0: any free port. */
  readonly port: number;
  readonly plan: Plan;
  readonly thresholds: readonly PlannedThreshold[];
  /** A frame could not be made (a bug): told once; the run goes on without the dashboard's frames. */
  readonly onError?: (error: Error) => void;
}

/** A live dashboard being served: feed it the run's progress ticks, then its results, then close it. */
export interface Dashboard {
  /** `http://127.0.0.1:5665/` */
  readonly url: string;
  readonly port: number;
  /** The run's progress display (`ExecuteOptions.display`): one frame a second at most, made only while someone watches. */
  readonly display: { readonly intervalMs: number; readonly update: (progress: RunProgress) => void };
  /** The run is over: every open stream gets the final frame and ends; `/results.json` serves the document. */
  finish(results: ResultsDocument): void;
  /** Ends every stream and stops listening; resolves once the server is closed. Idempotent. */
  close(): Promise<void>;
}

/** One open event stream and whether it can take a frame now (a slow reader skips frames rather than queueing them). */
interface Client {
  readonly response: ServerResponse;
  ready: boolean;
}

/**
 * Serves the live dashboard on 127.0.0.1 (node:http, nothing else): the page at `/`, its frames as Server-Sent
 * Events at `/events` (`frame` every second while the run lasts, `final` once), and the results document at
 * `/results.json` once the run is over. Frames are made on the run's progress ticks, on the main thread, from
 * the recorder's counters and histograms — never on the path of a request. Rejects with a UsageError when the
 * port is taken or not allowed, before anything is sent.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const { plan } = options;
  const context: LiveFrameContext = { plan, planText: describePlan(plan), thresholds: options.thresholds, series: new LiveSeries() };
  const state: ServerState = { clients: new Set(), heading: redactDeep({ scenario: plan.name, plan: context.planText }, plan.secrets) };
  let port = 0;
  const server = createServer((request, response) => serve(request, response, port, state));
  port = await listen(server, options.port);
  // Started once listening: a port refused leaves nothing running.
  const health = new GeneratorHealth(plan.workers);
  let failed = false;

  const update = (progress: RunProgress): void => {
    const at = performance.now();
    const { clients, last } = state;
    if (failed || state.results !== undefined || clients.size === 0 || (last !== undefined && at - last.at < MIN_FRAME_GAP_MS)) return;
    try {
      const frame = liveDashboardFrame(progress, context, health.read());
      state.last = { frame, at };
      broadcast(clients, 'frame', JSON.stringify(frame));
    } catch (error) {
      failed = true;
      options.onError?.(error as Error);
    }
  };

  let closing: Promise<void> | undefined;
  return {
    url: `http://${DASHBOARD_HOST}:${port}/`,
    port,
    display: { intervalMs: FRAME_INTERVAL_MS, update },
    finish: (document) => {
      if (state.results !== undefined) return;
      const frame = finalDashboardFrame(document);
      state.last = { frame, at: performance.now() };
      state.results = `${JSON.stringify(document, null, 2)}\n`;
      health.stop();
      const data = JSON.stringify(frame);
      for (const client of state.clients) endStream(client.response, data);
      state.clients.clear();
    },
    close: () => {
      closing ??= closeServer(server, state.clients, health);
      return closing;
    },
  };
}

/** What the server's requests read: the open streams, the page (made once), the latest frame, the results once over. */
interface ServerState {
  readonly clients: Set<Client>;
  readonly heading: { readonly scenario: string; readonly plan: string };
  page?: Promise<string>;
  last?: { readonly frame: DashboardFrame; readonly at: number };
  /** The results document as served, once the run is over. */
  results?: string;
}

function serve(request: IncomingMessage, response: ServerResponse, port: number, state: ServerState): void {
  const route = routeOf(request, port);
  switch (route) {
    case 'page':
      state.page ??= renderDashboardPage(state.heading);
      state.page.then(
        (html) => send(response, 200, 'text/html; charset=utf-8', html),
        (error: unknown) => send(response, 500, 'text/plain; charset=utf-8', `${(error as Error).message}\n`),
      );
      return;
    case 'events':
      openStream(response, state.clients, state.last?.frame);
      return;
    case 'results':
      if (state.results === undefined)
        send(response, 404, 'text/plain; charset=utf-8', 'the run is not over: its results are served once it is\n');
      else send(response, 200, 'application/json; charset=utf-8', state.results);
      return;
    default:
      send(response, route.status, 'text/plain; charset=utf-8', `${route.message}\n`);
  }
}

type Route = 'page' | 'events' | 'results' | { readonly status: number; readonly message: string };

/**
 * What a request asks for. Only GET (and HEAD), only this server's own name as `Host`: a page elsewhere that
 * points a name of its own at 127.0.0.1 (DNS rebinding) reads nothing.
 */
function routeOf(request: IncomingMessage, port: number): Route {
  const host = request.headers.host ?? '';
  if (host !== `${DASHBOARD_HOST}:${port}` && host !== `localhost:${port}`) return { status: 421, message: 'not this server' };
  if (request.method !== 'GET' && request.method !== 'HEAD') return { status: 405, message: 'only GET' };
  const path = (request.url ?? '/').split('?')[0];
  switch (path) {
    case '/':
    case '/index.html':
      return 'page';
    case '/events':
      return 'events';
    case '/results.json':
      return 'results';
    default:
      return { status: 404, message: 'not found: the dashboard is at /' };
  }
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

/** A new event stream: the latest frame at once (the final one, then the end, once the run is over). */
function openStream(response: ServerResponse, clients: Set<Client>, latest: DashboardFrame | undefined): void {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  response.socket?.setNoDelay(true);
  // A browser that lost the stream tries again after a second.
  response.write('retry: 1000\n\n');
  if (latest?.kind === 'final') {
    endStream(response, JSON.stringify(latest));
    return;
  }
  const client: Client = { response, ready: true };
  clients.add(client);
  response.on('drain', () => (client.ready = true));
  response.on('close', () => clients.delete(client));
  if (latest !== undefined) write(client, 'frame', JSON.stringify(latest));
}

function broadcast(clients: ReadonlySet<Client>, event: 'frame', data: string): void {
  for (const client of clients) if (client.ready) write(client, event, data);
}

function write(client: Client, event: string, data: string): void {
  client.ready = client.response.write(`event: ${event}\ndata: ${data}\n\n`);
}

/** The final frame, then the end of the stream: whatever the client's pace, it gets both. */
function endStream(response: ServerResponse, finalData: string): void {
  if (response.writableEnded) return;
  response.end(`event: final\ndata: ${finalData}\n\n`);
}

/** Listens on 127.0.0.1:`port`; a port taken or refused is the user's to change (exit 2), said before any load. */
function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const where = `${DASHBOARD_HOST}:${port}`;
      if (error.code === 'EADDRINUSE') reject(new UsageError(`${where} is in use: pick another port, or 0 for any free one`));
      else if (error.code === 'EACCES') reject(new UsageError(`not allowed to listen on ${where}: pick a port from 1024 up, or 0`));
      else reject(error);
    };
    server.once('error', onError);
    server.listen(port, DASHBOARD_HOST, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Ends every stream still open (without a final frame: the run did not get that far), stops listening and
 * closes idle connections; connections still busy after CLOSE_GRACE_MS are cut.
 */
function closeServer(server: Server, clients: Set<Client>, health: GeneratorHealth): Promise<void> {
  health.stop();
  for (const client of clients) client.response.end();
  clients.clear();
  return new Promise((resolve) => {
    const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}
