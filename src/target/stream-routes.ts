/** The built-in target's streamed responses: Server-Sent Events (/sse) and a plain chunked body (/stream). */
import type { ServerResponse } from 'node:http';
import { MAX_DELAY_MS, TEXT_PLAIN, parseInteger, quote, sendText } from './replies.js';
import type { Route, ServerState } from './route.js';

/** What a server's streams have done so far: read by tests, which compare a run's counts with them. */
export interface StreamCounts {
  /** /sse responses begun (status 200 and the event-stream head sent). */
  sseStreams: number;
  /** Events written on them, the closing `event: done` included. */
  sseEvents: number;
  /** /stream responses begun. */
  streams: number;
  /** Chunks written on them. */
  chunks: number;
  /** Streams (of both routes) whose response has not closed yet: ended, or its connection closed. */
  open: number;
}

const MAX_EVENTS = 100_000;
const DEFAULT_EVENTS = 10;
const DEFAULT_INTERVAL_MS = 100;
const EVENT_STREAM = 'text/event-stream; charset=utf-8';

/** Each server's counts, kept beside its state (no field of ServerState needed). */
const counts = new WeakMap<ServerState, StreamCounts>();

/** The stream counts of a server (all zero before its first stream). */
export function streamCountsOf(state: ServerState): StreamCounts {
  let own = counts.get(state);
  if (own === undefined) {
    own = { sseStreams: 0, sseEvents: 0, streams: 0, chunks: 0, open: 0 };
    counts.set(state, own);
  }
  return own;
}

/** How a stream is paced and which fault it injects, from its query. */
interface StreamShape {
  readonly count: number;
  readonly intervalMs: number;
  /** Stop writing after this many (the connection stays open until the client or the server closes it). */
  readonly stallAfter?: number;
  /** Destroy the socket after this many. */
  readonly resetAfter?: number;
}

/**
 * /sse?events=N&interval_ms=M: a text/event-stream of N events (default 10), one every M ms (default 100; the
 * first M ms after the head), each `id: i` + `data: {"seq":i,"of":N}` (i from 1), then `event: done` M ms
 * later, and the response ends. Faults: `stall_after=K` stops after K events and keeps the connection open
 * (a stalled stream); `reset_after=K` destroys the socket after K events.
 */
export const sseRoute: Route = {
  handle: ({ state, res, search }) => {
    const shape = shapeOf(res, search, 'events', '/sse?events=N&interval_ms=M');
    if (shape === undefined) return;
    const own = streamCountsOf(state);
    own.sseStreams += 1;
    res.writeHead(200, { 'content-type': EVENT_STREAM, 'cache-control': 'no-store' });
    res.flushHeaders();
    pace(state, res, shape, (index) => {
      own.sseEvents += 1;
      if (index < shape.count) {
        const seq = index + 1;
        res.write(`id: ${seq}\ndata: {"seq":${seq},"of":${shape.count}}\n\n`);
        return false;
      }
      res.end(`event: done\ndata: {"events":${shape.count}}\n\n`);
      return true;
    });
  },
};

/**
 * /stream?chunks=N&interval_ms=M: a chunked text/plain body of N chunks (default 10), one every M ms (default
 * 100; the first M ms after the head), each `token i\n`, like an LLM's token stream. `stall_after` and
 * `reset_after` as for /sse.
 */
export const streamRoute: Route = {
  handle: ({ state, res, search }) => {
    const shape = shapeOf(res, search, 'chunks', '/stream?chunks=N&interval_ms=M');
    if (shape === undefined) return;
    const own = streamCountsOf(state);
    own.streams += 1;
    res.writeHead(200, { 'content-type': TEXT_PLAIN, 'cache-control': 'no-store' });
    res.flushHeaders();
    pace(state, res, shape, (index) => {
      if (shape.count === 0) {
        res.end();
        return true;
      }
      own.chunks += 1;
      const chunk = `token ${index + 1}\n`;
      if (index < shape.count - 1) {
        res.write(chunk);
        return false;
      }
      res.end(chunk);
      return true;
    });
  },
};

/** The stream's query, or undefined once a 400 saying what was wrong has been sent. */
function shapeOf(res: ServerResponse, search: string, countName: string, usage: string): StreamShape | undefined {
  const params = new URLSearchParams(search);
  const read = (name: string, fallback: number | undefined, max: number): number | undefined | false => {
    const text = params.get(name);
    if (text === null) return fallback;
    const value = parseInteger(text, 0, max);
    if (value === undefined) {
      sendText(res, 400, `bad ${name} ${quote(text)}: use ${usage} (${name} an integer 0..${max})`);
      return false;
    }
    return value;
  };
  const count = read(countName, DEFAULT_EVENTS, MAX_EVENTS);
  const intervalMs = read('interval_ms', DEFAULT_INTERVAL_MS, MAX_DELAY_MS);
  const stallAfter = read('stall_after', undefined, MAX_EVENTS);
  const resetAfter = read('reset_after', undefined, MAX_EVENTS);
  if (count === false || intervalMs === false || stallAfter === false || resetAfter === false) return undefined;
  return {
    count: count ?? DEFAULT_EVENTS,
    intervalMs: intervalMs ?? DEFAULT_INTERVAL_MS,
    ...(stallAfter === undefined ? {} : { stallAfter }),
    ...(resetAfter === undefined ? {} : { resetAfter }),
  };
}

/**
 * Calls `write(index)` for index 0, 1, … until it returns true (it ended the response), the i-th at
 * (i + 1) × interval after now: on one time axis, so gaps do not drift. One timer at a
 * time, in `state.timers` (cleared when the server closes), dropped when the response closes.
 */
function pace(state: ServerState, res: ServerResponse, shape: StreamShape, write: (index: number) => boolean): void {
  const own = streamCountsOf(state);
  own.open += 1;
  const startedAt = performance.now();
  let index = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const next = (): void => {
    if (timer !== undefined) state.timers.delete(timer);
    timer = undefined;
    if (res.destroyed || res.writableEnded) return;
    if (shape.resetAfter !== undefined && index >= shape.resetAfter) {
      res.socket?.destroy();
      return;
    }
    if (shape.stallAfter !== undefined && index >= shape.stallAfter) return;
    if (write(index)) return;
    index += 1;
    schedule();
  };
  const schedule = (): void => {
    const dueMs = startedAt + (index + 1) * shape.intervalMs - performance.now();
    timer = setTimeout(next, Math.max(0, dueMs));
    state.timers.add(timer);
  };
  res.once('close', () => {
    own.open -= 1;
    if (timer === undefined) return;
    clearTimeout(timer);
    state.timers.delete(timer);
    timer = undefined;
  });
  schedule();
}
