import type { Dispatcher } from 'undici';
import { ABANDONED } from '../../src/transport/request-errors.js';
import type { StepReply } from '../../src/transport/step-target.js';

/** Where a handler returns itself when undici is done with it. */
export interface HandlerOwner {
  release(handler: ResponseHandler): void;
}

/** The reason given to undici when loadseed aborts a request itself (deadline, end of run). Never recorded. */

/**
 * A reusable undici dispatch handler (the new, non-deprecated API): one request at a time, re-armed for the
 * next. Counts response bytes and never keeps the body. Takes no timestamps: the virtual user does.
 *
 * A handler can be *abandoned* (deadline passed, run over): its outcome then goes nowhere. If undici has
 * already written the request (a controller exists) it is aborted at once; if it is still queued or
 * connecting, it is aborted as soon as undici starts it. Either way the handler returns to its owner only
 * when undici has finished with it, so a late callback can never reach the wrong request.
 */
export class ResponseHandler implements Dispatcher.DispatchHandler {
  reply: StepReply | undefined = undefined;
  controller: Dispatcher.DispatchController | undefined = undefined;
  abandoned = false;
  status = 0;
  bytesIn = 0;
  bytesOut = 0;
  /** Offset of this request's row in the owner's success table (status → expected?). */
  successRow = 0;
  readonly #owner: HandlerOwner;
  readonly #successTable: Uint8Array;

  constructor(owner: HandlerOwner, successTable: Uint8Array) {
    this.#owner = owner;
    this.#successTable = successTable;
  }

  arm(reply: StepReply, successRow: number, bytesOut: number): this {
    this.reply = reply;
    this.successRow = successRow;
    this.bytesOut = bytesOut;
    this.controller = undefined;
    this.abandoned = false;
    this.status = 0;
    this.bytesIn = 0;
    return this;
  }

  /** Gives the request up: no outcome will be reported. */
  abandon(): void {
    this.reply = undefined;
    if (this.abandoned) return;
    this.abandoned = true;
    this.controller?.abort(ABANDONED);
  }

  // Runs when the request is written to a socket (again if undici retries it): no timestamps here.
  onRequestStart(controller: Dispatcher.DispatchController, _context: unknown): void {
    this.controller = controller;
    if (this.abandoned) controller.abort(ABANDONED);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, _headers: unknown, statusMessage?: string): void {
    this.status = statusCode; // 1xx come first; the final status wins
    // Status line and headers, approximately as on the wire: "HTTP/1.1 200 OK\r\n", "name: value\r\n", "\r\n".
    let bytes = 15 + (statusMessage?.length ?? 0) + 2;
    const raw = controller.rawHeaders;
    if (Array.isArray(raw)) {
      for (let i = 0; i < raw.length; i++) bytes += (raw[i] as { length: number }).length + 2;
    }
    this.bytesIn += bytes;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.bytesIn += chunk.length; // count, never keep
  }

  onResponseEnd(_controller: Dispatcher.DispatchController, _trailers: unknown): void {
    const reply = this.reply;
    const status = this.status;
    const bytesIn = this.bytesIn;
    const bytesOut = this.bytesOut;
    const success = this.#successTable[this.successRow + (status < 1000 ? status : 0)] === 1;
    this.#owner.release(this);
    reply?.stepEnded(status, success, bytesIn, bytesOut);
  }

  /** Bytes sent so far: none unless undici has written the request to a socket. */
  get sentBytes(): number {
    return this.controller === undefined ? 0 : this.bytesOut;
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    const reply = this.reply;
    const bytesIn = this.bytesIn;
    const bytesOut = this.sentBytes;
    this.#owner.release(this);
    reply?.stepFailed(error, bytesIn, bytesOut);
  }
}
