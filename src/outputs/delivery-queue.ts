import type { StreamOutputKind, StreamOutputReport } from './stream-output.js';

/** How a batch is delivered: resolves when the receiver took it, rejects (with why) when not. */
export type SendBatch<T> = (batch: T, signal: AbortSignal) => Promise<void>;

export interface DeliveryQueueOptions<T> {
  readonly send: SendBatch<T>;
  /** Batches waiting at most; one more drops the oldest. */
  readonly maxBatches: number;
  /** A push that takes longer is aborted and its batch dropped. */
  readonly timeoutMs: number;
  /** Called once, at the first batch dropped, with why. */
  readonly onFirstDrop: (reason: string) => void;
}

/**
 * A bounded queue of batches for one receiver, one push at a time, each with a timeout. Nothing is retried and
 * nothing waits on the run: a full queue drops its oldest batch, a failed or timed-out push drops its batch,
 * and both are counted. The first drop is reported once.
 */
export class DeliveryQueue<T> {
  readonly #options: DeliveryQueueOptions<T>;
  readonly #waiting: T[] = [];
  #sending: Promise<void> | undefined;
  #sent = 0;
  #dropped = 0;
  #firstError: string | undefined;
  #closed = false;
  readonly #stop = new AbortController();

  constructor(options: DeliveryQueueOptions<T>) {
    this.#options = options;
  }

  get sent(): number {
    return this.#sent;
  }

  get dropped(): number {
    return this.#dropped;
  }

  /** Why the first batch was dropped, if one was. */
  /** What an output of this queue delivered (`StreamOutput.report`): its counts, and the first failure if any. */
  report(kind: StreamOutputKind, target: string): StreamOutputReport {
    const error = this.#firstError;
    return { kind, target, sent: this.sent, dropped: this.dropped, ...(error === undefined ? {} : { error }) };
  }

  get firstError(): string | undefined {
    return this.#firstError;
  }

  /** Queues a batch (dropping the oldest when full) and starts sending if idle. Never throws. */
  push(batch: T): void {
    if (this.#closed) return this.#drop('the output was already closed');
    this.#waiting.push(batch);
    if (this.#waiting.length > this.#options.maxBatches) {
      this.#waiting.shift();
      this.#drop(`the receiver is slower than the run (more than ${this.#options.maxBatches} batches waiting)`);
    }
    this.#pump();
  }

  /**
   * No more batches: waits until every queued one is delivered or dropped, `graceMs` at most (then the push in
   * flight is aborted and what is left counted dropped).
   */
  async close(graceMs: number): Promise<void> {
    this.#closed = true;
    const drained = (async () => {
      while (this.#sending !== undefined) await this.#sending;
    })();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([drained, deadline]);
    clearTimeout(timer);
    if (this.#sending !== undefined || this.#waiting.length > 0) {
      const left = this.#waiting.length;
      this.#waiting.length = 0;
      for (let index = 0; index < left; index++) this.#drop(`still queued after ${graceMs} ms at the end of the run`);
      this.#stop.abort();
      await this.#sending;
    }
  }

  #pump(): void {
    if (this.#sending !== undefined) return;
    const batch = this.#waiting.shift();
    if (batch === undefined) return;
    this.#sending = this.#sendOne(batch).finally(() => {
      this.#sending = undefined;
      this.#pump();
    });
  }

  async #sendOne(batch: T): Promise<void> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.#options.timeoutMs), this.#stop.signal]);
    try {
      await this.#options.send(batch, signal);
      this.#sent += 1;
    } catch (error) {
      this.#drop(signal.aborted && !this.#stop.signal.aborted ? `no answer within ${this.#options.timeoutMs} ms` : reasonOf(error));
    }
  }

  #drop(reason: string): void {
    this.#dropped += 1;
    if (this.#firstError !== undefined) return;
    this.#firstError = reason;
    this.#options.onFirstDrop(reason);
  }
}

/** An error as one short line: its code and message (`ECONNREFUSED 127.0.0.1:9`). */
export function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const code = (error as NodeJS.ErrnoException).code;
  if (cause instanceof Error && error.message === 'fetch failed') return reasonOf(cause);
  return code !== undefined && !error.message.includes(code) ? `${code} ${error.message}` : error.message;
}
