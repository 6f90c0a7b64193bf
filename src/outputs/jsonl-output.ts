import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { TextSink } from './create-outputs.js';
import type {
  StreamInterval,
  StreamMeta,
  StreamOutput,
  StreamOutputReport,
  StreamSummary,
  StreamThresholdChange,
} from './stream-output.js';

/** Lines waiting in the stream's buffer beyond this many bytes are dropped: a stalled reader never grows memory. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * JSON Lines: one object per line, `interval` per interval, `threshold` per state change of a live threshold,
 * and `summary` at the end, to a file (written as the run goes, flushed at the end) or to `stdout` (`-`).
 * The interval lines' `requests` add up to the summary's (and the results file's) total count.
 */
export class JsonlOutput implements StreamOutput {
  readonly kind = 'jsonl';
  readonly target: string;
  readonly needsTotals = false;
  readonly #path: string | undefined;
  readonly #stdout: TextSink;
  readonly #onWarning: (message: string) => void;
  #stream: TextSink | undefined;
  #file: WriteStream | undefined;
  #opened: Promise<void> | undefined;
  #meta: StreamMeta | undefined;
  #sent = 0;
  #dropped = 0;
  #error: string | undefined;

  /** `target`: a path relative to `cwd`, or `-` for `stdout`. */
  constructor(target: string, cwd: string, stdout: TextSink, onWarning: (message: string) => void) {
    this.target = target;
    this.#path = target === '-' ? undefined : resolve(cwd, target);
    this.#stdout = stdout;
    this.#onWarning = onWarning;
  }

  start(meta: StreamMeta): void {
    this.#meta = meta;
    const path = this.#path;
    if (path === undefined) {
      this.#stream = this.#stdout;
      return;
    }
    this.#opened = mkdir(dirname(path), { recursive: true }).then(
      () => {
        const file = createWriteStream(path, { flags: 'w' });
        file.on('error', (error: NodeJS.ErrnoException) => this.#fail(error.code ?? error.message));
        this.#file = file;
        this.#stream = file;
      },
      (error: NodeJS.ErrnoException) => this.#fail(error.code ?? error.message),
    );
  }

  interval(point: StreamInterval): void {
    const { totals: _totals, endEpochMs: _endEpochMs, ...line } = point;
    this.#write({ kind: 'interval', ...line });
  }

  threshold(change: StreamThresholdChange): void {
    this.#write({ kind: 'threshold', ...change });
  }

  async finish(summary: StreamSummary): Promise<void> {
    const meta = this.#meta;
    this.#write({
      kind: 'summary',
      ...(meta === undefined
        ? {}
        : { runId: meta.runId, scenario: meta.scenario, ...(meta.shard === undefined ? {} : { shard: meta.shard }) }),
      ...summary,
    });
    await this.#opened;
    const file = this.#file;
    if (file !== undefined) await new Promise<void>((done) => file.end(done));
  }

  report(): StreamOutputReport {
    return {
      kind: this.kind,
      target: this.target,
      sent: this.#sent,
      dropped: this.#dropped,
      ...(this.#error === undefined ? {} : { error: this.#error }),
    };
  }

  #write(line: object): void {
    const text = `${JSON.stringify(line)}\n`;
    const stream = this.#stream;
    if (stream === undefined) {
      // The file is being opened: wait for it (a few ms at most), keeping the order.
      if (this.#opened !== undefined && this.#error === undefined) {
        this.#opened = this.#opened.then(() => this.#write(line));
        return;
      }
      return this.#drop(this.#error ?? 'not started');
    }
    if ((stream.writableLength ?? 0) > MAX_BUFFERED_BYTES) return this.#drop('the reader is not keeping up');
    stream.write(text);
    this.#sent += 1;
  }

  #fail(reason: string): void {
    this.#stream = undefined;
    this.#drop(reason);
  }

  #drop(reason: string): void {
    this.#dropped += 1;
    if (this.#error !== undefined) return;
    this.#error = reason;
    this.#onWarning(`cannot write ${this.target} (${reason}): its lines are dropped`);
  }
}
