import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import { ignore } from '../ignore.js';
import { MAX_DELAY_MS, parseInteger } from './replies.js';
import type { ServerState } from './route.js';

/** The path of the built-in target's WebSocket echo. */
export const WS_ECHO_PATH = '/ws/echo';
/** The most messages `close_after` / `reset_after` may count to. */
const MAX_MESSAGES = 1_000_000;
/** How many of the latest held times the server keeps (WsEcho.heldMs). */
const MAX_HELD_TIMES = 10_000;

/** What the WebSocket echo saw, counted by the server itself (tests compare a run's figures with these). */
export interface WsEchoCounts {
  /** Upgrades accepted on /ws/echo (sessions opened). */
  readonly upgrades: number;
  /** Messages received from clients (text and binary; not control frames). */
  readonly messagesReceived: number;
  /** Messages sent to clients: echoes and hello replies (not control frames). */
  readonly messagesSent: number;
}

/** The WebSocket echo of a target server: its counts, and how long it held its latest replies. */
export interface WsEcho {
  counts(): WsEchoCounts;
  /**
   * How long each of the latest replies (at most 10,000) was held, message received to reply sent, in ms as
   * the server measured it: `delay_ms` plus the server's own lateness. What a client's round trip is compared with.
   */
  heldMs(): readonly number[];
}

interface EchoParameters {
  readonly delayMs: number;
  readonly closeAfter: number | undefined;
  readonly resetAfter: number | undefined;
}

/**
 * `/ws/echo` on the built-in target (a `ws` WebSocketServer with `noServer`, on the server's `upgrade`):
 * - every message is echoed as it came (text as text, binary as binary);
 * - a JSON text `{"type":"hello", "user": U, …}` is answered `{"type":"hello","room":"room-N","user":U}`,
 *   N the session's number (1, 2, … in the order of upgrades);
 * - a JSON text `{"type":"close"}` is not answered: the server closes the session (1000 "bye");
 * - `?delay_ms=N` (0..60000) holds each reply at least N ms, as measured (replies keep their order);
 * - `?close_after=K`: once K replies are sent, the server closes the session (1000 "close_after");
 * - `?reset_after=K`: once K replies are sent, the server destroys the socket (no close frame: a reset).
 * A bad parameter refuses the upgrade with 400 and a plain-text reason; an upgrade to any other path gets 404.
 * Returns the server's own counts and held times.
 */
export function attachWsEcho(server: Server, state: ServerState): WsEcho {
  const counts = { upgrades: 0, messagesReceived: 0, messagesSent: 0 };
  const held: number[] = [];
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  wss.on('error', ignore);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', ignore);
    if (state.closed) {
      socket.destroy();
      return;
    }
    state.requestCount += 1;
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    if (path !== WS_ECHO_PATH && path !== `${WS_ECHO_PATH}/`) {
      refuse(socket, 404, `no WebSocket at ${path}: the built-in target's is ${WS_ECHO_PATH}`);
      return;
    }
    const parameters = parametersOf(new URLSearchParams(queryAt === -1 ? '' : rawUrl.slice(queryAt + 1)));
    if (typeof parameters === 'string') {
      refuse(socket, 400, parameters);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      counts.upgrades += 1;
      serveEcho(ws, `room-${counts.upgrades}`, parameters, state, counts, held);
    });
  });
  return { counts: () => ({ ...counts }), heldMs: () => [...held] };
}

function serveEcho(
  ws: WebSocket,
  room: string,
  parameters: EchoParameters,
  state: ServerState,
  counts: { upgrades: number; messagesReceived: number; messagesSent: number },
  held: number[],
): void {
  ws.on('error', ignore);
  let replies = 0;
  let ended = false;
  /** Replies waiting for their delay, oldest first. */
  const waiting: HeldReply[] = [];
  const reply = (data: RawData | string, isBinary: boolean, receivedAt: number): void => {
    if (ended || ws.readyState !== ws.OPEN) return;
    ws.send(data as Buffer | string, { binary: isBinary });
    if (held.length === MAX_HELD_TIMES) held.shift();
    held.push(performance.now() - receivedAt);
    counts.messagesSent += 1;
    replies += 1;
    if (parameters.resetAfter !== undefined && replies >= parameters.resetAfter) {
      ended = true;
      ws.terminate();
    } else if (parameters.closeAfter !== undefined && replies >= parameters.closeAfter) {
      ended = true;
      ws.close(1000, 'close_after');
    }
  };
  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (ended) return;
    const receivedAt = performance.now();
    counts.messagesReceived += 1;
    const answer = isBinary ? data : answerOf(textOf(data), room);
    if (answer === CLOSE) {
      ended = true;
      ws.close(1000, 'bye');
      return;
    }
    if (parameters.delayMs === 0) {
      reply(answer, isBinary, receivedAt);
      return;
    }
    waiting.push({ dueAt: receivedAt + parameters.delayMs, send: () => reply(answer, isBinary, receivedAt) });
    if (waiting.length === 1) releaseHeld(state, waiting);
  });
}

/** A reply held back (`delay_ms`) until `dueAt` (performance.now()). */
interface HeldReply {
  readonly dueAt: number;
  readonly send: () => void;
}

/**
 * Sends the held replies that are due, in order, then waits (one timer) for the next. A timer counts from the
 * loop's cached time, which a busy loop leaves behind by milliseconds, so it may fire early: a reply not yet
 * due waits again for the rest. So each reply is held at least `delay_ms`, and replies keep their order.
 */
function releaseHeld(state: ServerState, held: HeldReply[]): void {
  let next = held[0];
  while (next !== undefined && performance.now() >= next.dueAt) {
    held.shift();
    next.send();
    next = held[0];
  }
  if (next === undefined) return;
  const timer = setTimeout(
    () => {
      state.timers.delete(timer);
      releaseHeld(state, held);
    },
    Math.max(1, Math.ceil(next.dueAt - performance.now())),
  );
  state.timers.add(timer);
}

const CLOSE = Symbol('close');

/** A message's bytes as UTF-8 text (ws gives a Buffer, or fragments as a list of them). */
function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

/** The reply to a text message: a hello's, nothing (CLOSE) for a close request, else the text itself. */
function answerOf(text: string, room: string): string | typeof CLOSE {
  if (!text.startsWith('{')) return text;
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof message !== 'object' || message === null) return text;
  const type = (message as { type?: unknown }).type;
  if (type === 'close') return CLOSE;
  if (type === 'hello') return JSON.stringify({ type: 'hello', room, user: (message as { user?: unknown }).user ?? null });
  return text;
}

/** The upgrade's query, checked; a string says what is wrong. */
function parametersOf(query: URLSearchParams): EchoParameters | string {
  const delayText = query.get('delay_ms');
  const delayMs = delayText === null ? 0 : parseInteger(delayText, 0, MAX_DELAY_MS);
  if (delayMs === undefined) return `bad delay_ms ${JSON.stringify(delayText)}: an integer 0..${MAX_DELAY_MS}`;
  const counted = (name: string): number | undefined | string => {
    const text = query.get(name);
    if (text === null) return undefined;
    return parseInteger(text, 1, MAX_MESSAGES) ?? `bad ${name} ${JSON.stringify(text)}: an integer 1..${MAX_MESSAGES}`;
  };
  const closeAfter = counted('close_after');
  if (typeof closeAfter === 'string') return closeAfter;
  const resetAfter = counted('reset_after');
  if (typeof resetAfter === 'string') return resetAfter;
  return { delayMs, closeAfter, resetAfter };
}

/** Answers an upgrade with a plain HTTP error and closes the socket. */
function refuse(socket: Duplex, status: 400 | 404, reason: string): void {
  const body = Buffer.from(`${reason}\n`, 'utf8');
  socket.end(
    `HTTP/1.1 ${status} ${status === 400 ? 'Bad Request' : 'Not Found'}\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\n` +
      `content-length: ${body.length}\r\n\r\n${body.toString('utf8')}`,
  );
}
