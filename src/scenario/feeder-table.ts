/**
 * The rows of one data file, stored compactly: every value's UTF-8 bytes one after another in one buffer, and
 * one offsets array (value i spans offsets[i]..offsets[i+1]). A row of arrays of strings costs ~100 bytes of
 * heap per row before its text (a 98 MiB CSV of short rows ran out of heap); this costs the text plus 4 bytes
 * a value, off the heap. Both arrays sit on SharedArrayBuffers, so the plan's structured clone hands every
 * worker thread the same memory instead of a copy. A value becomes a string only when a user takes it.
 */
export interface FeederTable {
  readonly rowCount: number;
  readonly columnCount: number;
  /** UTF-8 bytes of every value, row by row. */
  readonly bytes: Uint8Array;
  /** rowCount·columnCount + 1 offsets into `bytes`. */
  readonly offsets: Uint32Array;
}

/** Buffers over shared memory, made once per table and thread (Buffer.from is a view, not a copy). */
const views = new WeakMap<Uint8Array, Buffer>();

/** The value of `column` in `row`; undefined outside the table. */
export function feederValue(table: FeederTable, row: number, column: number): string | undefined {
  if (row < 0 || row >= table.rowCount || column < 0 || column >= table.columnCount) return undefined;
  let view = views.get(table.bytes);
  if (view === undefined) {
    view = Buffer.from(table.bytes.buffer, table.bytes.byteOffset, table.bytes.byteLength);
    views.set(table.bytes, view);
  }
  const index = row * table.columnCount + column;
  return view.toString('utf8', table.offsets[index], table.offsets[index + 1]);
}

/** Every row as an array of strings: for tests and small tables, never for the load itself. */
export function feederRows(table: FeederTable): string[][] {
  return Array.from({ length: table.rowCount }, (_, row) =>
    Array.from({ length: table.columnCount }, (_, column) => feederValue(table, row, column) ?? ''),
  );
}

/** Collects rows into growing buffers, then copies them once into shared memory of the exact size. */
export class FeederTableBuilder {
  readonly columnCount: number;
  #bytes = Buffer.allocUnsafe(64 * 1024);
  #byteLength = 0;
  #offsets = new Uint32Array(16 * 1024);
  #valueCount = 0;

  constructor(columnCount: number) {
    this.columnCount = columnCount;
  }

  get rowCount(): number {
    return this.#valueCount / this.columnCount;
  }

  /** Appends one row of exactly `columnCount` values. */
  push(values: readonly string[]): void {
    for (const value of values) {
      // UTF-8 takes at most 3 bytes per UTF-16 unit.
      this.#reserveBytes(value.length * 3);
      this.#byteLength += this.#bytes.write(value, this.#byteLength, 'utf8');
      this.#reserveOffsets();
      this.#valueCount += 1;
      this.#offsets[this.#valueCount] = this.#byteLength;
    }
  }

  build(): FeederTable {
    const bytes = new Uint8Array(new SharedArrayBuffer(this.#byteLength));
    bytes.set(this.#bytes.subarray(0, this.#byteLength));
    const offsets = new Uint32Array(new SharedArrayBuffer((this.#valueCount + 1) * Uint32Array.BYTES_PER_ELEMENT));
    offsets.set(this.#offsets.subarray(0, this.#valueCount + 1));
    return { rowCount: this.rowCount, columnCount: this.columnCount, bytes, offsets };
  }

  #reserveBytes(extra: number): void {
    if (this.#byteLength + extra <= this.#bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#bytes.length * 2, this.#byteLength + extra));
    this.#bytes.copy(grown, 0, 0, this.#byteLength);
    this.#bytes = grown;
  }

  #reserveOffsets(): void {
    if (this.#valueCount + 1 < this.#offsets.length) return;
    const grown = new Uint32Array(this.#offsets.length * 2);
    grown.set(this.#offsets);
    this.#offsets = grown;
  }
}
