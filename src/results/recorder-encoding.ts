import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { packedIndexDeltas, packedIndicesFromDeltas } from '../metrics/latency-histogram.js';
import { FAILURE_KINDS } from '../metrics/error-category.js';
import type { FailureKind } from '../metrics/error-category.js';
import { Recorder } from '../metrics/recorder.js';
import type { EncodedRecorder } from '../metrics/recorder.js';

export const RECORDER_ENCODING = 'loadseed-recorder-v1';

/**
 * A whole Recorder inside the results file, losslessly: `Recorder.encode()`'s arrays (counters, packed
 * histograms with their bucket indices as deltas, time series), each number as a varint (an integer n ≥ 0 as 2n; anything else as 1 and its
 * 8 bytes, float64 little-endian), every section prefixed with its length, deflated (raw, level 9), base64.
 * Decoding gives a Recorder equal to the one recorded in every count, min, max and percentile, so `merge`
 * and `report` recompute everything from the file alone.
 */
export interface RecorderDocument {
  readonly encoding: typeof RECORDER_ENCODING;
  /** The request name of each request index (names may repeat: they share a slot). */
  readonly requestNames: readonly string[];
  readonly data: string;
  /** Example failure messages per request name (bounded), as JSON: they are text, not numbers. */
  readonly failureSamples?: readonly {
    readonly request: string;
    readonly kind: FailureKind;
    readonly message: string;
    readonly count: number;
  }[];
  /** The run's custom metrics (`metric:`), in the order of their figures in `data` (two more sections: counters, histograms). */
  readonly customMetrics?: readonly { readonly name: string; readonly kind: 'trend' | 'counter' }[];
}

/**
 * Refuses to inflate past this many times the deflated size (never below MIN_INFLATE_BOUND_BYTES, never above
 * MAX_INFLATED_BYTES): varint-coded histograms deflate a few times at most, a deflate bomb a thousand times; each
 * inflated byte may become an 8-byte number, so the bound is what keeps a 349 KB file from taking gigabytes.
 */
const MAX_INFLATE_RATIO = 50;
const MIN_INFLATE_BOUND_BYTES = 16 * 1024 * 1024;
const MAX_INFLATED_BYTES = 256 * 1024 * 1024;
const SECTIONS = 5;
/** With custom metrics: their counters and their packed histograms follow. */
const SECTIONS_WITH_METRICS = 7;

export function recorderDocument(recorder: Recorder): RecorderDocument {
  const encoded = recorder.encode();
  const { series } = encoded;
  const writer = new VarintWriter();
  const custom = encoded.customMetrics;
  writer.writeUint(custom === undefined ? SECTIONS : SECTIONS_WITH_METRICS);
  const sections = [
    encoded.counters,
    packedIndexDeltas(encoded.histograms),
    series.counts,
    packedIndexDeltas(series.histograms),
    [series.bucketMs, series.maxBuckets, series.activeUsers],
    ...(custom === undefined ? [] : [custom.counters, packedIndexDeltas(custom.histograms)]),
  ];
  for (const section of sections) {
    writer.writeUint(section.length);
    for (const value of section) writer.writeNumber(value);
  }
  const samples = encoded.failureSamples.map((sample) => ({
    request: recorder.metricNames[sample.slot] ?? '',
    kind: sample.kind,
    message: sample.message,
    count: sample.count,
  }));
  return {
    encoding: RECORDER_ENCODING,
    requestNames: [...recorder.requestNames],
    data: deflateRawSync(writer.bytes(), { level: 9 }).toString('base64'),
    ...(samples.length === 0 ? {} : { failureSamples: samples }),
    ...(custom === undefined ? {} : { customMetrics: custom.specs.map((spec) => ({ name: spec.name, kind: spec.kind })) }),
  };
}

/** The Recorder a results file holds. Throws (a plain Error, its message for people) when the data is corrupt. */
export function recorderFromDocument(document: RecorderDocument): Recorder {
  if (document.encoding !== RECORDER_ENCODING) throw new Error(`unknown recorder encoding "${String(document.encoding)}"`);
  const bytes = inflateBounded(Buffer.from(document.data, 'base64'));
  const sections = readSections(bytes);
  const [counters, histograms, seriesCounts, seriesHistograms, scalars, metricCounters, metricHistograms] = sections as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array | undefined,
    Float64Array | undefined,
  ];
  if ((metricCounters === undefined) !== (document.customMetrics === undefined)) {
    throw new Error('the recorder data and its customMetrics do not match');
  }
  if (scalars.length !== 3) throw new Error('the recorder data has an unexpected layout');
  const [bucketMs, maxBuckets, activeUsers] = scalars as unknown as [number, number, number];
  if (
    !(bucketMs >= 1 && bucketMs <= 2 ** 40) ||
    !Number.isInteger(maxBuckets) ||
    maxBuckets < 2 ||
    maxBuckets > 1_000_000 ||
    !(activeUsers >= 0)
  ) {
    throw new Error('the recorder data has an impossible time series');
  }
  try {
    const encoded: EncodedRecorder = {
      requestNames: document.requestNames,
      counters,
      histograms: packedIndicesFromDeltas(histograms),
      series: {
        bucketMs,
        maxBuckets,
        activeUsers,
        counts: seriesCounts,
        histograms: packedIndicesFromDeltas(seriesHistograms),
      },
      failureSamples: samplesOf(document),
      ...(document.customMetrics === undefined || metricCounters === undefined || metricHistograms === undefined
        ? {}
        : {
            customMetrics: {
              specs: document.customMetrics,
              counters: metricCounters,
              histograms: packedIndicesFromDeltas(metricHistograms),
            },
          }),
    };
    return Recorder.decode(encoded);
  } catch (error) {
    throw new Error(`the recorder data is inconsistent (${(error as Error).message})`);
  }
}

/** The recorder data inflated, bounded by a multiple of its deflated size (a zip bomb is refused, not inflated). */
function inflateBounded(deflated: Buffer): Uint8Array {
  const boundBytes = Math.min(MAX_INFLATED_BYTES, Math.max(MIN_INFLATE_BOUND_BYTES, deflated.length * MAX_INFLATE_RATIO));
  try {
    return inflateRawSync(deflated, { maxOutputLength: boundBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new Error(
        `the recorder data inflates past ${megabytes(boundBytes)} MB (from ${megabytes(deflated.length)} MB deflated): too large, refused`,
      );
    }
    throw new Error(`the recorder data does not inflate (${(error as Error).message})`);
  }
}

/** The SECTIONS (or SECTIONS_WITH_METRICS) arrays of numbers the inflated data holds, every length checked before anything is allocated. */
function readSections(bytes: Uint8Array): Float64Array[] {
  const reader = new VarintReader(bytes);
  const count = reader.readUint();
  if (count !== SECTIONS && count !== SECTIONS_WITH_METRICS) throw new Error('the recorder data has an unexpected layout');
  const sections: Float64Array[] = [];
  for (let index = 0; index < count; index++) {
    const length = reader.readUint();
    // Every number takes a byte at least: a longer section is corrupt (and must not allocate).
    if (length > reader.remaining) throw new Error('the recorder data is truncated');
    const section = new Float64Array(length);
    for (let at = 0; at < length; at++) section[at] = reader.readNumber();
    sections.push(section);
  }
  if (!reader.done) throw new Error('the recorder data has bytes left over');
  return sections;
}

/** The document's failure samples, by slot; a sample of an unknown name or kind is skipped. */
function samplesOf(document: RecorderDocument): EncodedRecorder['failureSamples'] {
  const metricNames = [...new Set(document.requestNames)];
  return (document.failureSamples ?? []).flatMap((sample) => {
    const slot = metricNames.indexOf(sample.request);
    const known = slot >= 0 && FAILURE_KINDS.includes(sample.kind) && typeof sample.message === 'string' && sample.count >= 1;
    return known ? [{ slot, kind: sample.kind, message: sample.message, count: sample.count }] : [];
  });
}

/** Largest integer written as a varint (2n stays a safe integer). */
const MAX_VARINT_VALUE = 2 ** 52;

class VarintWriter {
  #buffer = new Uint8Array(4096);
  #length = 0;
  readonly #float = new DataView(new ArrayBuffer(8));

  /** Non-negative integers as 2n; any other number (fractions, negatives, NaN, huge) as 1 and its float64. */
  writeNumber(value: number): void {
    if (Number.isInteger(value) && value >= 0 && value <= MAX_VARINT_VALUE && !Object.is(value, -0)) {
      this.writeUint(value * 2);
      return;
    }
    this.writeUint(1);
    this.#float.setFloat64(0, value, true);
    this.#reserve(8);
    for (let index = 0; index < 8; index++) this.#buffer[this.#length++] = this.#float.getUint8(index);
  }

  /** LEB128, by arithmetic: values go past 32 bits. */
  writeUint(value: number): void {
    this.#reserve(8);
    let rest = value;
    while (rest >= 0x80) {
      this.#buffer[this.#length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.#buffer[this.#length++] = rest;
  }

  bytes(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    const grown = new Uint8Array(Math.max(this.#buffer.length * 2, this.#length + bytes));
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
  }
}

class VarintReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #at = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.#bytes.length - this.#at;
  }

  get done(): boolean {
    return this.#at === this.#bytes.length;
  }

  readNumber(): number {
    const word = this.readUint();
    if (word % 2 === 0) return word / 2;
    if (word !== 1 || this.#at + 8 > this.#bytes.length) throw new Error('the recorder data is truncated');
    const value = this.#view.getFloat64(this.#at, true);
    this.#at += 8;
    return value;
  }

  readUint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.#bytes[this.#at++];
      if (byte === undefined) throw new Error('the recorder data is truncated');
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new Error('the recorder data has an overlong number');
    }
  }
}

function megabytes(bytes: number): string {
  return String(Number((bytes / (1024 * 1024)).toFixed(1)));
}
