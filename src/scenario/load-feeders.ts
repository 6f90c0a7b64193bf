import { isUtf8 } from 'node:buffer';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { LineCounter, parseDocument } from 'yaml';
import { ScenarioError } from '../errors.js';
import type { ScenarioIssue } from '../errors.js';
import { FeederTableBuilder } from './feeder-table.js';
import type { FeederTable } from './feeder-table.js';
import type { IssueDraft } from './schema-explainer.js';
import { SourceMap, displayPath } from './source-map.js';
import type { DataPath } from './source-map.js';
import type { Feeder, Scenario, ScenarioData } from './types.js';

/** One `data:` file, read and checked once: every row has every column, all values as strings. */
export interface FeederData {
  /** The path as written in the scenario, for messages. */
  readonly file: string;
  readonly columns: readonly string[];
  /** Rows of values, in the order of `columns`, stored compactly (see feeder-table.ts). */
  readonly table: FeederTable;
  readonly order: 'sequential' | 'random' | 'unique';
  readonly whenExhausted: 'stop' | 'cycle';
}

/** Data files are read whole into memory (once, shared with every worker): anything bigger is refused before reading. */
export const MAX_FEEDER_BYTES = 100 * 1024 * 1024;
/**
 * JSON.parse builds every row as objects on the heap before the compact table can take them (~10× the text),
 * so JSON files get a smaller byte limit, checked before parsing.
 */
export const MAX_JSON_FEEDER_BYTES = 20 * 1024 * 1024;
/**
 * And at most this many rows, checked while parsing: the compact table costs 4 bytes a value, but csv-parse
 * takes ~4 µs a row (10 M rows: ~40 s), so the limit bounds the time to load or refuse a file.
 */
export const MAX_FEEDER_ROWS = 2_000_000;
const ROW_LIMIT = `a data file may hold at most ${MAX_FEEDER_ROWS.toLocaleString('en-US')} rows`;

export interface ReadFeedersResult {
  readonly feeders: readonly FeederData[];
  /** Problems, located at each feeder's `file` key; feeders with problems are left out of `feeders`. */
  readonly issues: readonly IssueDraft[];
}

/**
 * Reads every `data:` file of a scenario (relative paths against `scenario.baseDir`) and throws a
 * ScenarioError listing every problem. With the scenario's YAML text, issues carry line and column.
 */
export async function loadFeeders(scenario: Scenario, options: { readonly sourceText?: string } = {}): Promise<readonly FeederData[]> {
  const { feeders, issues } = await readFeeders(scenario.data, scenario.baseDir);
  if (issues.length > 0) throw new ScenarioError(scenario.file, locateIssues(scenario.file, options.sourceText, issues));
  return feeders;
}

/** Reads every `data:` file; problems are returned as drafts, not thrown. */
export async function readFeeders(data: ScenarioData, baseDir: string): Promise<ReadFeedersResult> {
  const feeders: FeederData[] = [];
  const issues: IssueDraft[] = [];
  const columnOwners = new Map<string, number>();
  for (const [index, feeder] of (data.data ?? []).entries()) {
    const path: DataPath = ['data', index, 'file'];
    const result = await readFeeder(feeder, baseDir);
    if (typeof result === 'string') {
      issues.push({ path, at: 'key', message: result });
      continue;
    }
    const clashes = result.columns.filter((column) => columnOwners.has(column));
    for (const column of clashes) {
      const owner = columnOwners.get(column) as number;
      issues.push({
        path,
        at: 'key',
        message: `column "${column}" of ${feeder.file} is also a column of ${data.data?.[owner]?.file ?? '?'} (data[${owner}]): rename one of them`,
      });
    }
    for (const column of result.columns) if (!columnOwners.has(column)) columnOwners.set(column, index);
    if (clashes.length === 0) feeders.push(result);
  }
  return { feeders, issues };
}

/**
 * Drafts → issues with positions, found in the scenario's YAML text (parsed again: this is the error path).
 * Without the text (a scenario built in code), issues carry paths only.
 */
export function locateIssues(file: string, sourceText: string | undefined, drafts: readonly IssueDraft[]): ScenarioIssue[] {
  let map: SourceMap | undefined;
  if (sourceText !== undefined) {
    const lines = new LineCounter();
    map = new SourceMap(parseDocument(sourceText, { lineCounter: lines }), lines);
  }
  return drafts
    .map((draft) => ({ file, ...map?.locate(draft.path, draft.at), path: displayPath(draft.path), message: draft.message }))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/** The feeder's data, or the problem as a message. */
async function readFeeder(feeder: Feeder, baseDir: string): Promise<FeederData | string> {
  const name = feeder.file;
  const format = feeder.format ?? formatFromExtension(name);
  if (format === undefined) {
    return `cannot tell the format of ${name} from its extension: add format: csv or format: json`;
  }
  const absolute = resolve(baseDir, name);
  let bytes: Buffer;
  try {
    const info = await stat(absolute);
    if (info.isDirectory()) return `${name} is a directory, not a data file`;
    if (!info.isFile()) return `${name} is not a regular file (a device, pipe or socket)`;
    const maxBytes = format === 'json' ? MAX_JSON_FEEDER_BYTES : MAX_FEEDER_BYTES;
    if (info.size > maxBytes) {
      return `${name} is ${info.size} bytes; a ${format.toUpperCase()} data file may be at most ${maxBytes} bytes (${maxBytes / 1024 / 1024} MiB)`;
    }
    bytes = await readFile(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? `cannot read ${name}: no such file (looked for ${absolute})`
      : `cannot read ${name} (${code ?? (error as Error).message})`;
  }
  if (!isUtf8(bytes)) return `${name} is not UTF-8 text`;
  const table =
    format === 'csv'
      ? parseCsvTable(bytes, name, feeder.delimiter ?? ',', feeder.columns)
      : feeder.columns === undefined
        ? parseJsonTable(new TextDecoder().decode(bytes), name)
        : `columns names the columns of a CSV file without a header row; ${name} is JSON, whose objects name their own`;
  if (typeof table === 'string') return table;
  return {
    file: name,
    columns: table.columns,
    table: table.table,
    order: feeder.order ?? 'sequential',
    whenExhausted: feeder.when_exhausted ?? 'stop',
  };
}

interface Table {
  readonly columns: string[];
  readonly table: FeederTable;
}

function formatFromExtension(file: string): 'csv' | 'json' | undefined {
  const extension = extname(file).toLowerCase();
  return extension === '.csv' ? 'csv' : extension === '.json' ? 'json' : undefined;
}

/**
 * A header row (or `columns`, for a file without one), then rows of as many fields (a leading BOM dropped).
 * csv-parse hands each record to `on_record`, which moves it into the compact table and returns null, so no
 * array of records is ever built.
 */
export function parseCsvTable(bytes: Uint8Array, name: string, delimiter: string, columns?: readonly string[]): Table | string {
  let header: string[] | undefined = columns === undefined ? undefined : [...columns];
  let builder: FeederTableBuilder | undefined = columns === undefined ? undefined : new FeederTableBuilder(columns.length);
  let tooMany = false;
  let misfit: string | undefined;
  try {
    parseCsv(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      delimiter,
      bom: true,
      skip_empty_lines: true,
      relax_column_count: false,
      on_record: (record: string[]) => {
        if (builder === undefined) {
          header = record;
          builder = new FeederTableBuilder(record.length);
        } else if (columns !== undefined && record.length !== columns.length) {
          misfit = `${name} line ${builder.rowCount + 1}: ${record.length} field${record.length === 1 ? '' : 's'} where columns names ${columns.length}`;
          throw new Error(misfit);
        } else if (builder.rowCount >= MAX_FEEDER_ROWS) {
          // Thrown to stop parsing at once: a file of too many rows is refused early.
          tooMany = true;
          throw new Error('too many rows');
        } else {
          builder.push(record);
        }
        return null;
      },
    });
  } catch (error) {
    if (tooMany) return `${name} has more than ${MAX_FEEDER_ROWS} rows; ${ROW_LIMIT}`;
    return misfit ?? csvProblem(error, name, columns === undefined ? 'the header has' : 'columns names');
  }
  if (header === undefined || builder === undefined) return `${name} is empty: a CSV data file needs a header row and at least one row`;
  const problem = headerProblem(header, columns === undefined ? name : `${name}: columns`);
  if (problem !== undefined) return problem;
  if (builder.rowCount === 0) return columns === undefined ? `${name} has a header row but no rows` : `${name} has no rows`;
  return { columns: header, table: builder.build() };
}

/** csv-parse's error as a message: a row of the wrong length by its line. */
function csvProblem(error: unknown, name: string, expectedBy: string): string {
  const { code, lines, message } = error as { code?: string; lines?: number; message: string };
  if (code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' || code === 'CSV_RECORD_INCONSISTENT_COLUMNS') {
    const expected = /expect (\d+)|columns length is (\d+)/.exec(message);
    const got = /got (\d+)/.exec(message);
    const columns = expected?.[1] ?? expected?.[2];
    if (columns !== undefined && got?.[1] !== undefined) {
      return `${name} line ${lines ?? '?'}: ${got[1]} field${got[1] === '1' ? '' : 's'} where ${expectedBy} ${columns}`;
    }
  }
  return `${name} is not valid CSV: ${message}`;
}

/** An array of flat objects with the same keys; values string, number or boolean. */
function parseJsonTable(text: string, name: string): Table | string {
  const data = parseJsonRows(text, name);
  if (typeof data === 'string') return data;
  let columns: string[] | undefined;
  let builder: FeederTableBuilder | undefined;
  for (const [index, item] of data.entries()) {
    const where = `${name} row ${index + 1}`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      return `${where}: expected an object of column: value, got ${kindOf(item)}`;
    }
    const keys = Object.keys(item);
    if (columns === undefined) {
      const problem = headerProblem(keys, name);
      if (problem !== undefined) return problem;
      if (keys.length === 0) return `${where}: an empty object; a row needs at least one column`;
      columns = keys;
      builder = new FeederTableBuilder(keys.length);
    } else if (keys.length !== columns.length || !columns.every((column) => Object.hasOwn(item, column))) {
      return `${where} has the columns ${keys.join(', ') || '(none)'}; the first row has ${columns.join(', ')}: every row needs the same columns`;
    }
    const row = rowValues(item as Record<string, unknown>, columns, where);
    if (typeof row === 'string') return row;
    builder?.push(row);
  }
  return { columns: columns ?? [], table: (builder ?? new FeederTableBuilder(1)).build() };
}

/** The rows of a JSON data file: a non-empty array, not too long; or what is wrong with it. */
function parseJsonRows(text: string, name: string): unknown[] | string {
  let data: unknown;
  try {
    data = JSON.parse(text) as unknown;
  } catch (error) {
    return `${name} is not valid JSON: ${(error as Error).message}`;
  }
  if (!Array.isArray(data)) {
    return `${name} must be a JSON array of objects, e.g. [{"username": "a", "password": "b"}]; it holds ${kindOf(data)}`;
  }
  if (data.length === 0) return `${name} is an empty array: a data file needs at least one row`;
  if (data.length > MAX_FEEDER_ROWS) return `${name} has ${data.length} rows; ${ROW_LIMIT}`;
  return data as unknown[];
}

/** One JSON row's values in column order, as text; or which value is not a string, number or boolean. */
function rowValues(item: Readonly<Record<string, unknown>>, columns: readonly string[], where: string): string[] | string {
  const row: string[] = [];
  for (const column of columns) {
    const value = item[column];
    if (typeof value === 'string') row.push(value);
    else if (typeof value === 'number' || typeof value === 'boolean') row.push(String(value));
    else return `${where}: "${column}" is ${kindOf(value)}; values must be strings, numbers or booleans`;
  }
  return row;
}

function headerProblem(columns: readonly string[], name: string): string | undefined {
  const seen = new Set<string>();
  for (const [index, column] of columns.entries()) {
    if (column === '') return `${name}: column ${index + 1} of the header has no name`;
    if (seen.has(column)) return `${name}: the column "${column}" appears twice in the header`;
    seen.add(column);
  }
  return undefined;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
