import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import type { PlannedRequest } from '../plan/build-plan.js';
import type { PlannedWsAction, PlannedWsExpect, PlannedWsStep } from '../plan/planned-ws.js';
import { MissingVariableError } from '../scenario/template.js';
import type { Template } from '../scenario/template.js';
import { requestError } from '../transport/request-errors.js';
import type { StepReply } from '../transport/step-target.js';
import { openWebSocket, wsErrorOf } from '../transport/ws-client.js';
import type { WsClientOptions } from '../transport/ws-client.js';
import { compileCapture, extractCapture } from './capture.js';
import type { PlannedCapture } from './capture.js';
import type { ProtocolRun, ProtocolRunnerOptions, ProtocolStepRunner, ProtocolUser } from './protocol-step.js';
import { createResponseView } from './response-view.js';
import { wsMatcherOf } from './ws-match.js';
import type { RegexCache, WsMatcher } from './ws-match.js';

/** The status a session that upgraded reports: 101 Switching Protocols. */
const SWITCHING_PROTOCOLS = 101;
/** No close frame came: the connection was lost (RFC 6455 §7.1.5). */
const ABNORMAL_CLOSURE = 1006;
/** Messages kept for the next expect at most (the oldest are dropped past it). */
const MAX_QUEUED_MESSAGES = 10_000;
/** Close codes a server uses to end a session without an error: normal closure, going away. */
const CLEAN_CLOSE_CODES: ReadonlySet<number> = new Set([1000, 1001, ABNORMAL_CLOSURE]);

/** The indexes of the built-in `ws_*` metrics in the plan's custom metrics (scenario/protocol-metrics.ts). */
interface WsMetricIndexes {
  readonly connectMs: number;
  readonly rttMs: number;
  readonly sent: number;
  readonly received: number;
}

/** What every session of one step shares: the plan's step, its compiled captures and regexes, the client options. */
interface WsShared {
  readonly step: PlannedWsStep;
  readonly captures: ReadonlyMap<number, PlannedCapture>;
  readonly regexes: RegexCache;
  readonly client: WsClientOptions;
  readonly metrics: WsMetricIndexes;
}

/**
 * The runner of a `ws:` step (plan/planned-ws.ts): per run, one WebSocket session that connects, does the
 * step's actions in order and closes, reported once:
 * - the session ran to its end (its close handshake done): `stepEnded(101, true)`;
 * - the upgrade was answered with another status: `stepEnded(status, false)`, counted as that status;
 * - no connection (refused, DNS, TLS, handshake timeout): `stepFailed` with the system's or an `LS_*` code;
 * - an expect saw no matching message in its `within`: `LS_WS_EXPECT_TIMEOUT` (category timeout);
 * - a strict expect's message did not match, or a capture found nothing: `stepRejected(101, reason)` (check);
 * - the server closed the session before its steps ended: `LS_WS_CLOSED` (connection_reset) for a normal
 *   close (1000, 1001) or a lost connection (1006), `LS_WS_PROTOCOL` (protocol) for an error code (1002,
 *   1011, 4xxx…) or a broken frame. A server close once only `close` is left is the session's end.
 * Messages sent and received are reported (ws_messages_sent/_received) whatever the outcome.
 */
export function createWsStepRunner(request: PlannedRequest, options: ProtocolRunnerOptions): ProtocolStepRunner {
  const step = request.protocol;
  if (step?.kind !== 'ws') throw new Error(`${request.name}: not a ws step`);
  const captures = new Map<number, PlannedCapture>();
  for (const [index, action] of step.actions.entries()) {
    if (action.kind === 'capture') captures.set(index, compileCapture(action.capture));
  }
  const names = options.customMetricNames;
  const shared: WsShared = {
    step,
    captures,
    regexes: new Map(),
    client: { connectTimeoutMs: options.connectTimeoutMs, ...(options.tls === undefined ? {} : { tls: options.tls }) },
    metrics: {
      connectMs: names.indexOf('ws_connect_ms'),
      rttMs: names.indexOf('ws_rtt_ms'),
      sent: names.indexOf('ws_messages_sent'),
      received: names.indexOf('ws_messages_received'),
    },
  };
  return {
    start: (user, reply) => new WsSession(shared, user, reply),
    close: () => Promise.resolve(),
  };
}

/** What an expect waits for: its matcher, whether it is strict, and where a match or a miss goes. */
interface Waiter {
  readonly matcher: WsMatcher;
  readonly expect: PlannedWsExpect;
  readonly resolve: (text: string) => void;
}

/** One session: the socket, the messages not yet looked at, the step's progress. */
class WsSession implements ProtocolRun {
  readonly #shared: WsShared;
  readonly #user: ProtocolUser;
  readonly #reply: StepReply;
  readonly #ws: WebSocket | undefined;
  #socket: Socket | undefined;
  #ended = false;
  /** We sent the close frame (or every action is done): a close from here on is the end. */
  #closing = false;
  /** The action being run. */
  #actionIndex = 0;
  /** Messages received that no expect has looked at yet, oldest first. */
  readonly #queue: string[] = [];
  #waiter: Waiter | undefined;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #sent = 0;
  #received = 0;
  /** When the last message not yet answered was sent (its round trip ends at the next match). */
  #lastSendAt: number | undefined;
  /** The last message an expect matched: what captures read. */
  #lastMatched: string | undefined;

  constructor(shared: WsShared, user: ProtocolUser, reply: StepReply) {
    this.#shared = shared;
    this.#user = user;
    this.#reply = reply;
    let url: string;
    const headers: Record<string, string> = {};
    try {
      url = `${shared.step.origin}${user.render(shared.step.path)}`;
      for (const header of shared.step.headers) {
        const value = user.render(header.value);
        headers[header.name] = header.basic === true ? `Basic ${Buffer.from(value, 'utf8').toString('base64')}` : value;
      }
    } catch (error) {
      this.#ended = true;
      reply.stepFailed(renderFailure(error, user), 0, 0);
      return;
    }
    const openedAt = performance.now();
    let ws: WebSocket;
    try {
      ws = openWebSocket(url, headers, shared.client);
    } catch (error) {
      // A URL or header that ws refuses before connecting (say, a rendered header with a line break).
      this.#ended = true;
      reply.stepFailed(requestError('LS_INVALID_HEADER', user.redact((error as Error).message)), 0, 0);
      return;
    }
    this.#ws = ws;
    ws.on('upgrade', (response: IncomingMessage) => {
      this.#socket = response.socket;
    });
    ws.on('unexpected-response', (request, response: IncomingMessage) => {
      this.#socket = response.socket;
      const status = response.statusCode ?? 0;
      response.resume();
      const bytesIn = this.#bytesIn();
      const bytesOut = this.#bytesOut();
      request.destroy();
      if (this.#end()) reply.stepEnded(status, false, bytesIn, bytesOut);
    });
    ws.on('error', (error: Error) => this.#fail(wsErrorOf(error)));
    ws.on('open', () => {
      if (this.#ended) return;
      this.#metric(shared.metrics.connectMs, performance.now() - openedAt);
      // A throw here is a bug; it fails this step rather than the process.
      this.#run().catch((error: unknown) => this.#fail(error));
    });
    ws.on('message', (data: RawData) => this.#onMessage(data));
    ws.on('close', (code: number, reason: Buffer) => this.#onClose(code, reason.toString('utf8')));
  }

  abort(): number {
    const bytesOut = this.#bytesOut();
    this.#end();
    return bytesOut;
  }

  /** The actions, in order; each await may never resume when the session ended meanwhile (it is then dropped). */
  async #run(): Promise<void> {
    const actions = this.#shared.step.actions;
    for (; this.#actionIndex < actions.length; this.#actionIndex++) {
      const action = actions[this.#actionIndex] as PlannedWsAction;
      if (!(await this.#perform(action)) || this.#ended) return;
    }
    // Every action done: the session closes (normally) unless a close action already did.
    this.#close(1000, '');
  }

  /** One action; false when the session ended on it. */
  async #perform(action: PlannedWsAction): Promise<boolean> {
    switch (action.kind) {
      case 'send':
        return this.#send(action.message);
      case 'expect':
        return this.#expect(action.expect);
      case 'capture':
        return this.#capture(action.capture.as);
      case 'sendEvery': {
        const firstAt = performance.now();
        for (let index = 0; index < action.count; index++) {
          const dueAt = firstAt + index * action.intervalMs;
          const waitMs = dueAt - performance.now();
          if (waitMs > 0) await this.#sleep(waitMs);
          if (this.#ended || !this.#send(action.message)) return false;
          if (action.expect !== undefined && !(await this.#expect(action.expect))) return false;
        }
        return true;
      }
      case 'close':
        this.#close(action.code, action.reason);
        return true;
    }
  }

  #send(message: Template): boolean {
    let text: string;
    try {
      text = this.#user.render(message);
    } catch (error) {
      this.#fail(renderFailure(error, this.#user));
      return false;
    }
    const ws = this.#ws as WebSocket;
    // A session the server is closing takes no more messages (ws drops them): only what was sent counts.
    if (ws.readyState !== ws.OPEN) return true;
    // The clock is read before the write: a thread descheduled after it would otherwise start the round trip
    // late, and measure less than the server held the reply.
    const sentAt = performance.now();
    ws.send(text);
    this.#sent += 1;
    this.#lastSendAt = sentAt;
    return true;
  }

  /** Waits for the message `expect` wants; false when the session ended instead (a miss, a timeout, a close). */
  async #expect(expect: PlannedWsExpect): Promise<boolean> {
    let matcher: WsMatcher;
    try {
      matcher = wsMatcherOf(expect, this.#user, this.#shared.regexes);
    } catch (error) {
      this.#fail(renderFailure(error, this.#user));
      return false;
    }
    while (this.#queue.length > 0) {
      const text = this.#queue.shift() as string;
      if (matcher.matches(text)) {
        this.#matched(text);
        return true;
      }
      if (expect.strict) {
        this.#reject(expect, text);
        return false;
      }
    }
    const text = await new Promise<string>((resolve) => {
      this.#waiter = { matcher, expect, resolve };
      this.#after(expect.withinMs, () => {
        this.#waiter = undefined;
        this.#fail(
          requestError('LS_WS_EXPECT_TIMEOUT', this.#user.redact(`no message matched ${expect.source} within ${expect.withinMs}ms`)),
        );
      });
    });
    this.#matched(text);
    return true;
  }

  #matched(text: string): void {
    this.#lastMatched = text;
    const sentAt = this.#lastSendAt;
    if (sentAt !== undefined) {
      this.#metric(this.#shared.metrics.rttMs, performance.now() - sentAt);
      this.#lastSendAt = undefined;
    }
  }

  #capture(as: string): boolean {
    const capture = this.#shared.captures.get(this.#actionIndex) as PlannedCapture;
    const view = createResponseView(SWITCHING_PROTOCOLS, {}, Buffer.from(this.#lastMatched ?? '', 'utf8'));
    const result = extractCapture(capture, view);
    if (!result.ok) {
      this.#rejectWith(`${result.reason.replace('the JSON body', 'the message').replace('the body', 'the message')} (step ${as})`);
      return false;
    }
    this.#user.set(capture.as, result.value);
    return true;
  }

  #onMessage(data: RawData): void {
    if (this.#ended) return;
    this.#received += 1;
    // A binary message is matched as its bytes read as UTF-8, like a text one.
    const text = textOf(data);
    const waiter = this.#waiter;
    if (waiter === undefined) {
      // Kept for the next expect; a server that floods a session no expect reads keeps only the latest.
      if (this.#queue.length === MAX_QUEUED_MESSAGES) this.#queue.shift();
      this.#queue.push(text);
      return;
    }
    if (waiter.matcher.matches(text)) {
      this.#waiter = undefined;
      this.#clearTimers();
      waiter.resolve(text);
    } else if (waiter.expect.strict) {
      this.#reject(waiter.expect, text);
    }
  }

  #onClose(code: number, reason: string): void {
    if (this.#ended) return;
    const onlyCloseLeft = this.#shared.step.actions.slice(this.#actionIndex).every((action) => action.kind === 'close');
    if (this.#closing || (onlyCloseLeft && this.#waiter === undefined && CLEAN_CLOSE_CODES.has(code) && code !== ABNORMAL_CLOSURE)) {
      this.#succeed();
      return;
    }
    const said = `${code}${reason === '' ? '' : ` ${reason}`}`;
    const left = this.#shared.step.actions.length - this.#actionIndex;
    if (CLEAN_CLOSE_CODES.has(code)) {
      const how = code === ABNORMAL_CLOSURE ? 'the connection was lost (no close frame, 1006)' : `the server closed the session (${said})`;
      this.#fail(requestError('LS_WS_CLOSED', `${how} with ${left} step${left === 1 ? '' : 's'} left`));
    } else {
      this.#fail(requestError('LS_WS_PROTOCOL', `the server closed the session with an error code (${said})`));
    }
  }

  /** Sends the close frame; the session ends when the server's comes back (or the connection is lost). */
  #close(code: number, reason: string): void {
    if (this.#closing || this.#ended) return;
    this.#closing = true;
    this.#actionIndex = this.#shared.step.actions.length;
    (this.#ws as WebSocket).close(code, reason);
  }

  #sleep(durationMs: number): Promise<void> {
    return new Promise<void>((resolve) => this.#after(durationMs, resolve));
  }

  #after(durationMs: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
    }, Math.ceil(durationMs));
    this.#timers.add(timer);
  }

  #reject(expect: PlannedWsExpect, text: string): void {
    const shown = text.length > 200 ? `${text.slice(0, 197)}...` : text;
    this.#rejectWith(`expect ${expect.source}: the next message did not match (got ${JSON.stringify(shown)})`);
  }

  #rejectWith(reason: string): void {
    const bytesIn = this.#bytesIn();
    const bytesOut = this.#bytesOut();
    if (!this.#end()) return;
    this.#reportCounts();
    this.#reply.stepRejected(SWITCHING_PROTOCOLS, this.#user.redact(reason), bytesIn, bytesOut);
  }

  #fail(error: unknown): void {
    const bytesIn = this.#bytesIn();
    const bytesOut = this.#bytesOut();
    if (!this.#end()) return;
    this.#reportCounts();
    this.#reply.stepFailed(error, bytesIn, bytesOut);
  }

  #succeed(): void {
    const bytesIn = this.#bytesIn();
    const bytesOut = this.#bytesOut();
    if (!this.#end()) return;
    this.#reportCounts();
    this.#reply.stepEnded(SWITCHING_PROTOCOLS, true, bytesIn, bytesOut);
  }

  /** Ends the session (once): timers cleared, the socket terminated. false when it had already ended. */
  #end(): boolean {
    if (this.#ended) return false;
    this.#ended = true;
    this.#waiter = undefined;
    this.#clearTimers();
    this.#ws?.terminate();
    return true;
  }

  #clearTimers(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #reportCounts(): void {
    this.#metric(this.#shared.metrics.sent, this.#sent);
    this.#metric(this.#shared.metrics.received, this.#received);
  }

  #metric(index: number, value: number): void {
    if (index >= 0) this.#reply.stepMetric?.(index, value);
  }

  #bytesIn(): number {
    return this.#socket?.bytesRead ?? 0;
  }

  #bytesOut(): number {
    return this.#socket?.bytesWritten ?? 0;
  }
}

/** A template that could not render: a missing variable is `LS_MISSING_VARIABLE`; anything else is a hook's throw. */
function renderFailure(error: unknown, user: ProtocolUser): unknown {
  return error instanceof MissingVariableError ? requestError('LS_MISSING_VARIABLE', user.redact(error.message)) : error;
}

/** A text message's bytes as UTF-8 (ws gives a Buffer, or fragments as a list of them). */
function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
