import fc from 'fast-check';
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { feederRows } from '../../../src/scenario/feeder-table.js';
import { parseCsvTable } from '../../../src/scenario/load-feeders.js';

/**
 * Differential test of the compact CSV table: for random files (quoted fields, embedded delimiters, quotes and
 * newlines, CRLF, a BOM, empty fields, non-ASCII text), the rows read back from the table equal csv-parse's
 * plain array output with the same options, and a file csv-parse refuses is refused.
 */
const RUNS = { numRuns: 500, interruptAfterTimeLimit: 20_000 } as const;

const field = fc
  .array(fc.constantFrom('a', 'Z', '7', ' ', ',', ';', '"', '\n', '\r\n', 'é', '日本', '😀', '\u00a0', "'"), { maxLength: 6 })
  .map((parts) => parts.join(''));

/** A field as a CSV writer would put it: quoted (quotes doubled) when it needs to be, or sometimes anyway. */
function encode(value: string, delimiter: string, quoteAnyway: boolean): string {
  const needs = value.includes(delimiter) || value.includes('"') || value.includes('\n') || value.includes('\r');
  return needs || quoteAnyway ? `"${value.replaceAll('"', '""')}"` : value;
}

const csvFile = fc
  .record({
    columns: fc.integer({ min: 1, max: 4 }),
    delimiter: fc.constantFrom(',', ';', '\t'),
    bom: fc.boolean(),
    eol: fc.constantFrom('\n', '\r\n'),
    trailingEol: fc.boolean(),
    seed: fc.array(fc.tuple(field, fc.boolean()), { minLength: 1, maxLength: 40 }),
    ragged: fc.boolean(),
  })
  .map(({ columns, delimiter, bom, eol, trailingEol, seed, ragged }) => {
    const header = Array.from({ length: columns }, (_, index) => `c${index}${index % 2 === 0 ? 'é' : ''}`);
    const lines = [header.join(delimiter)];
    for (let start = 0; start + columns <= seed.length; start += columns) {
      // A ragged file drops a field from one row: both must refuse it.
      const cells = seed.slice(start, start + columns - (ragged && start === columns ? 1 : 0));
      lines.push(cells.map(([value, quote]) => encode(value, delimiter, quote)).join(delimiter));
    }
    const text = (bom ? '\ufeff' : '') + lines.join(eol) + (trailingEol ? eol : '');
    return { text, delimiter };
  });

describe('parseCsvTable against csv-parse', () => {
  it('reads the same header and rows, or refuses what csv-parse refuses', () => {
    fc.assert(
      fc.property(csvFile, ({ text, delimiter }) => {
        const bytes = Buffer.from(text, 'utf8');
        let expected: string[][] | undefined;
        try {
          const rows: string[][] = parseCsv(bytes, { delimiter, bom: true, skip_empty_lines: true, relax_column_count: false });
          expected = rows;
        } catch {
          expected = undefined;
        }
        const table = parseCsvTable(bytes, 'fuzz.csv', delimiter);
        if (expected === undefined) {
          expect(typeof table).toBe('string');
          return;
        }
        const [header, ...rows] = expected;
        if (rows.length === 0) {
          expect(table).toBe('fuzz.csv has a header row but no rows');
          return;
        }
        expect(typeof table).toBe('object');
        if (typeof table === 'string') return;
        expect(table.columns).toEqual(header);
        expect(table.table.rowCount).toBe(rows.length);
        expect(feederRows(table.table)).toEqual(rows);
      }),
      RUNS,
    );
  });

  it('keeps multi-byte text byte-exact in shared memory', () => {
    const table = parseCsvTable(Buffer.from('\ufeffname,emoji\r\n"Zoë, ""Z""",😀\r\n,日本\r\n', 'utf8'), 'u.csv', ',');
    expect(typeof table).toBe('object');
    if (typeof table === 'string') return;
    expect(table.columns).toEqual(['name', 'emoji']);
    expect(feederRows(table.table)).toEqual([
      ['Zoë, "Z"', '😀'],
      ['', '日本'],
    ]);
    expect(Array.from(table.table.offsets)).toEqual([0, 9, 13, 13, 19]);
    expect(table.table.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});
