import { StringDecoder } from 'node:string_decoder';
import { createParser } from 'eventsource-parser';
import type { EventSourceMessage, EventSourceParser } from 'eventsource-parser';
import type { Dispatcher, Pool } from 'undici';
import type { PlannedRequest } from '../plan/build-plan.js';
import type { PlannedSseStep } from '../plan/planned-sse.js';
import { SSE_EVENT_METRICS, STREAM_CHUNK_METRICS } from '../scenario/protocol-metrics.js';
import { MissingVariableError } from '../scenario/template.js';
import { now } from '../time/clock.js';
import { invalidHeaderOf } from '../transport/invalid-header.js';
import { ABANDONED, requestError } from '../transport/request-errors.js';
import { createStreamPool } from '../transport/stream-pool.js';
import type { StepReply } from '../transport/step-target.js';
import { compileCapture, extractCapture } from './capture.js';
import type { PlannedCapture } from './capture.js';
import type { ProtocolRun, ProtocolRunnerOptions, ProtocolStepRunner, ProtocolUser } from './protocol-step.js';
import { createResponseView } from './response-view.js';

/**
 * The runner of a `sse:` or `stream:` step (plan/planned-sse.ts), one per thread: a GET (or its `method`, with
 * its body) on a Pool of the thread (transport/stream-pool.ts), its response read as it comes. `events` mode
 * parses a text/event-stream (eventsource-parser); `chunks` mode takes each piece of body that arrives as a
 * chunk (an LLM's token stream).
 *
 * Its one outcome:
 * - `until` met (the event type, or the count), or the stream ended normally without `until`: `stepEnded(status,
 *   true)`, then its captures, from the last event's data (a failed capture: `stepRejected`);
 * - a status it does not expect: `stepEnded(status, false)`, the stream dropped at its head;
 * - an `sse:` response that is not text/event-stream: LS_NOT_EVENT_STREAM (`protocol`);
 * - refused, reset mid-stream, TLS…: undici's error as it is (classify-error.ts);
 * - no event (chunk) within `idle_timeout`, the head included: LS_STREAM_IDLE (`timeout`), a stalled stream;
 * - the stream ended before `until` was met: `stepRejected` (`check`), saying how many events came. The server
 *   spoke HTTP and SSE correctly; what the scenario expects of it did not happen, as for a failed check.
 *
 * Its figures, as they come (each at once, so a step given up midway still counts what it read): the time
 * from the request written to the first event (chunk), each gap between consecutive events (chunks), and 1 per
 * event (chunk). Comments (`: ping`) are not events: they neither count nor keep a stream from being idle.
 * A step stopped by `until`, or given up, drops its connection (the stream has not ended); a stream that ends
 * leaves it to the next one.
 */
export function createSseStepRunner(request: PlannedRequest, options: ProtocolRunnerOptions): ProtocolStepRunner {
  const step = request.protocol as PlannedSseStep;
  const templates = request.templates;
  if (templates === undefined) throw new Error(`${request.name}: a streamed step without templates`);
  const metrics = step.mode === 'events' ? SSE_EVENT_METRICS : STREAM_CHUNK_METRICS;
  const [first, gap, count] = metrics.map((metric) => options.customMetricNames.indexOf(metric.name)) as [number, number, number];
  const shared: SseShared = {
    request,
    step,
    pool: createStreamPool(request.origin, options.tls, options.connectTimeoutMs),
    captures: (request.captures ?? []).map(compileCapture),
    firstMetric: first,
    gapMetric: gap,
    countMetric: count,
  };
  return {
    start(user: ProtocolUser, reply: StepReply): ProtocolRun {
      return new SseRun(shared, user, reply).start();
    },
    close(): Promise<void> {
      return shared.pool.destroy();
    },
  };
}

/** What every run of one step shares in a thread. */
interface SseShared {
  readonly request: PlannedRequest;
  readonly step: PlannedSseStep;
  readonly pool: Pool;
  readonly captures: readonly PlannedCapture[];
  /** Indexes into the plan's custom metrics (-1: absent). */
  readonly firstMetric: number;
  readonly gapMetric: number;
  readonly countMetric: number;
}

const EVENT_STREAM = /^\s*text\/event-stream\s*(;|$)/i;

/** One stream in flight: the dispatch handler of its GET, and the ProtocolRun the session may abort. */
class SseRun implements ProtocolRun, Dispatcher.DispatchHandler {
  readonly #shared: SseShared;
  readonly #user: ProtocolUser;
  #reply: StepReply | undefined;
  #controller: Dispatcher.DispatchController | undefined = undefined;
  /** Reported or given up: nothing more is read or reported. */
  #settled = false;
  #idleTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  #parser: EventSourceParser | undefined = undefined;
  #decoder: StringDecoder | undefined = undefined;
  #status = 0;
  #headers: Record<string, string | string[] | undefined> = {};
  #bytesIn = 0;
  #bytesOut = 0;
  /** When the request was written (0: not yet), and when the latest event (chunk) came. */
  #writtenAt = 0;
  #lastAt = 0;
  #events = 0;
  #lastData: string | undefined = undefined;

  constructor(shared: SseShared, user: ProtocolUser, reply: StepReply) {
    this.#shared = shared;
    this.#user = user;
    this.#reply = reply;
  }

  start(): this {
    const { request, step, pool } = this.#shared;
    const templates = request.templates as NonNullable<PlannedRequest['templates']>;
    let path: string;
    let body: Buffer | undefined;
    const headers: string[] = [];
    try {
      path = this.#user.render(templates.path);
      for (const header of templates.headers) {
        const value = this.#user.render(header.value);
        headers.push(header.name, header.basic === true ? `Basic ${Buffer.from(value, 'utf8').toString('base64')}` : value);
      }
      if (templates.body !== undefined) body = Buffer.from(this.#user.render(templates.body), 'utf8');
    } catch (error) {
      this.#fail(error instanceof MissingVariableError ? requestError('LS_MISSING_VARIABLE', error.message) : error);
      return this;
    }
    if (step.mode === 'events' && !headers.some((text, index) => index % 2 === 0 && text === 'accept')) {
      headers.push('accept', 'text/event-stream');
    }
    const invalid = invalidHeaderOf(headers);
    if (invalid !== undefined) {
      this.#fail(invalid);
      return this;
    }
    // The request line, headers and body, approximately as on the wire.
    this.#bytesOut =
      16 + path.length + request.origin.length + headers.reduce((sum, text) => sum + text.length + 2, 0) + (body?.length ?? 0);
    if (step.idleTimeoutMs !== undefined) this.#idleTimer = setTimeout(this.#onIdle, step.idleTimeoutMs);
    try {
      pool.dispatch({ origin: request.origin, method: request.method, path, headers, ...(body === undefined ? {} : { body }) }, this);
    } catch (error) {
      this.#fail(error);
    }
    return this;
  }

  /** Gives the stream up: its connection destroyed at once. A run that has reported: nothing, 0. */
  abort(): number {
    if (this.#settled) return 0;
    const sent = this.#sentBytes();
    this.#giveUp();
    this.#controller?.abort(ABANDONED);
    return sent;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#settled) {
      controller.abort(ABANDONED);
      return;
    }
    this.#writtenAt = now();
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    // An informational head (103 Early Hints) comes before the response's own.
    if (this.#settled || statusCode < 200) return;
    this.#status = statusCode;
    this.#headers = headers;
    if (!this.#shared.step.expectedStatuses.includes(statusCode)) {
      this.#end(false);
      controller.abort(ABANDONED);
      return;
    }
    if (this.#shared.step.mode === 'events') {
      const type = headers['content-type'];
      if (typeof type !== 'string' || !EVENT_STREAM.test(type)) {
        const got = typeof type === 'string' ? type : 'none';
        this.#fail(requestError('LS_NOT_EVENT_STREAM', `the response is not a text/event-stream (content-type: ${got})`));
        controller.abort(ABANDONED);
        return;
      }
      this.#decoder = new StringDecoder('utf8');
      this.#parser = createParser({ onEvent: (event) => this.#onEvent(event) });
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#settled) return;
    this.#bytesIn += chunk.length;
    const parser = this.#parser;
    if (parser === undefined) {
      this.#arrived(now());
      return;
    }
    parser.feed((this.#decoder as StringDecoder).write(chunk));
    if (this.#settled) controller.abort(ABANDONED);
  }

  onResponseEnd(): void {
    if (this.#settled) return;
    const { step } = this.#shared;
    if (step.mode === 'events') this.#parser?.feed((this.#decoder as StringDecoder).end());
    if (this.#settled) return;
    if (step.mode === 'events' && (step.untilEvent !== undefined || step.untilEvents !== undefined)) {
      const wanted = [
        ...(step.untilEvent === undefined ? [] : [`event ${step.untilEvent}`]),
        ...(step.untilEvents === undefined ? [] : [`${step.untilEvents} events`]),
      ].join(' or ');
      this.#reject(`the stream ended after ${this.#events} event${this.#events === 1 ? '' : 's'}, before until (${wanted})`);
      return;
    }
    this.#end(true);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.#settled) return;
    this.#fail(error);
  }

  /** An event: its figures, then whether it ends the step. */
  #onEvent(event: EventSourceMessage): void {
    if (this.#settled) return;
    this.#arrived(now());
    this.#lastData = event.data;
    const { untilEvent, untilEvents } = this.#shared.step;
    if ((untilEvent !== undefined && event.event === untilEvent) || (untilEvents !== undefined && this.#events >= untilEvents)) {
      this.#end(true);
    }
  }

  /** An event or a chunk came at `at`: time to the first, or the gap since the last; one more counted. */
  #arrived(at: number): void {
    const reply = this.#reply as StepReply;
    const { firstMetric, gapMetric, countMetric } = this.#shared;
    if (this.#events === 0) {
      if (firstMetric >= 0) reply.stepMetric?.(firstMetric, at - this.#writtenAt);
    } else if (gapMetric >= 0) {
      reply.stepMetric?.(gapMetric, at - this.#lastAt);
    }
    if (countMetric >= 0) reply.stepMetric?.(countMetric, 1);
    this.#events += 1;
    this.#lastAt = at;
    this.#idleTimer?.refresh();
  }

  readonly #onIdle = (): void => {
    if (this.#settled) return;
    const idleMs = this.#shared.step.idleTimeoutMs as number;
    const what = this.#shared.step.mode === 'events' ? 'event' : 'chunk';
    const after = this.#status === 0 ? 'no response head' : `no ${what} after ${this.#events}`;
    this.#fail(requestError('LS_STREAM_IDLE', `${after} within the idle timeout of ${idleMs} ms (stalled stream)`));
    this.#controller?.abort(ABANDONED);
  };

  /** A response (until met, the stream ended, or a status not expected): its captures when it succeeded. */
  #end(success: boolean): void {
    const reply = this.#giveUp();
    if (reply === undefined) return;
    const captures = this.#shared.captures;
    if (success && captures.length > 0) {
      const data = this.#lastData === undefined ? undefined : Buffer.from(this.#lastData, 'utf8');
      const view = createResponseView(this.#status, this.#headers, data);
      for (const capture of captures) {
        const result = extractCapture(capture, view);
        if (!result.ok) {
          reply.stepRejected(this.#status, this.#user.redact(result.reason), this.#bytesIn, this.#sentBytes());
          return;
        }
        this.#user.set(capture.as, result.value);
      }
    }
    reply.stepEnded(this.#status, success, this.#bytesIn, this.#sentBytes());
  }

  #reject(reason: string): void {
    this.#giveUp()?.stepRejected(this.#status, this.#user.redact(reason), this.#bytesIn, this.#sentBytes());
  }

  #fail(error: unknown): void {
    this.#giveUp()?.stepFailed(error, this.#bytesIn, this.#sentBytes());
  }

  /** Settles the run: no more reading, the idle timer cleared; the reply to report to, once (undefined after). */
  #giveUp(): StepReply | undefined {
    const reply = this.#reply;
    this.#reply = undefined;
    this.#settled = true;
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    return reply;
  }

  #sentBytes(): number {
    return this.#writtenAt > 0 ? this.#bytesOut : 0;
  }
}
