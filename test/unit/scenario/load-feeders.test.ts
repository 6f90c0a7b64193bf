import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScenarioError } from '../../../src/errors.js';
import type { ScenarioIssue } from '../../../src/errors.js';
import { feederRows } from '../../../src/scenario/feeder-table.js';
import { loadFeeders, MAX_FEEDER_BYTES, MAX_FEEDER_ROWS, MAX_JSON_FEEDER_BYTES, readFeeders } from '../../../src/scenario/load-feeders.js';
import type { FeederData } from '../../../src/scenario/load-feeders.js';

type PlainFeeder = Omit<FeederData, 'table'> & { readonly rows: string[][] };
import { parseScenario } from '../../../src/scenario/load-scenario.js';

const FILE = 'scenario.yaml';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-feeders-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * A scenario whose data: list starts on line 2; each feeder line is `  - file: NAME` plus extra keys, so
 * feeder i's `file` key is at line 3 + (lines before it), column 5.
 */
function scenarioText(feeders: readonly string[]): string {
  return [
    'target: http://127.0.0.1:8080',
    'data:',
    ...feeders,
    'requests:',
    '  - path: /',
    'load: { profile: constant, users: 1, duration: 1s }',
    '',
  ].join('\n');
}

/** The feeders with their compact tables read back as rows of strings. */
async function load(feeders: readonly string[]): Promise<readonly PlainFeeder[]> {
  const text = scenarioText(feeders);
  const scenario = parseScenario(text, FILE, { env: {}, baseDir: dir });
  return (await loadFeeders(scenario, { sourceText: text })).map(({ table, ...rest }) => ({ ...rest, rows: feederRows(table) }));
}

async function issuesOf(feeders: readonly string[]): Promise<readonly ScenarioIssue[]> {
  try {
    await load(feeders);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).issues;
  }
  throw new Error('expected a ScenarioError');
}

async function write(name: string, content: string | Buffer): Promise<void> {
  await writeFile(join(dir, name), content);
}

describe('loadFeeders: CSV', () => {
  it('reads a header row and rows, with defaults for order and when_exhausted', async () => {
    await write('users.csv', 'username,password\nann,a1\nbob,b2\n');
    expect(await load(['  - file: users.csv'])).toEqual([
      {
        file: 'users.csv',
        columns: ['username', 'password'],
        rows: [
          ['ann', 'a1'],
          ['bob', 'b2'],
        ],
        order: 'sequential',
        whenExhausted: 'stop',
      },
    ]);
  });

  it('takes a custom delimiter, quoted fields with commas, quotes and newlines, a BOM, CRLF and empty lines', async () => {
    await write('odd.txt', '\ufeffname;note\r\n"Smith; John";"line 1\nline 2, still"\r\n\r\nplain;"say ""hi"""\r\n');
    const [feeder] = await load([
      '  - file: odd.txt',
      '    format: csv',
      '    delimiter: ";"',
      '    order: unique',
      '    when_exhausted: cycle',
    ]);
    expect(feeder).toEqual({
      file: 'odd.txt',
      columns: ['name', 'note'],
      rows: [
        ['Smith; John', 'line 1\nline 2, still'],
        ['plain', 'say "hi"'],
      ],
      order: 'unique',
      whenExhausted: 'cycle',
    });
  });

  it('reads a file without a header row when columns names its columns', async () => {
    await write('headless.csv', 'ann,a1\nbob,b2\n');
    expect(await load(['  - file: headless.csv', '    columns: [username, password]'])).toEqual([
      {
        file: 'headless.csv',
        columns: ['username', 'password'],
        rows: [
          ['ann', 'a1'],
          ['bob', 'b2'],
        ],
        order: 'sequential',
        whenExhausted: 'stop',
      },
    ]);
    await write('short.csv', 'ann,a1\nbob\n');
    await write('first.csv', 'ann\nbob\n');
    expect((await issuesOf(['  - file: first.csv', '    columns: [username, password]']))[0]?.message).toBe(
      'first.csv line 1: 1 field where columns names 2',
    );
    expect((await issuesOf(['  - file: short.csv', '    columns: [username, password]']))[0]?.message).toBe(
      'short.csv line 2: 1 field where columns names 2',
    );
    expect((await issuesOf(['  - file: headless.csv', '    columns: [a, a]']))[0]?.message).toBe(
      'headless.csv: columns: the column "a" appears twice in the header',
    );
    await write('rows.json', '[{"a": 1}]');
    expect((await issuesOf(['  - file: rows.json', '    columns: [a]']))[0]?.message).toBe(
      'columns names the columns of a CSV file without a header row; rows.json is JSON, whose objects name their own',
    );
  });

  it('keeps values as written: no trimming, numbers as text', async () => {
    await write('spaces.csv', 'a,b\n 1 ,02\n');
    expect((await load(['  - file: spaces.csv']))[0]?.rows).toEqual([[' 1 ', '02']]);
  });
});

describe('loadFeeders: JSON', () => {
  it('reads an array of flat objects, numbers and booleans as strings, relative to the scenario directory', async () => {
    await mkdir(join(dir, 'data'), { recursive: true });
    await write('data/items.json', '\ufeff[{"id": 1, "name": "a", "on": true}, {"name": "b", "id": 2.5, "on": false}]');
    expect(await load(['  - file: data/items.json', '    order: random'])).toEqual([
      {
        file: 'data/items.json',
        columns: ['id', 'name', 'on'],
        rows: [
          ['1', 'a', 'true'],
          ['2.5', 'b', 'false'],
        ],
        order: 'random',
        whenExhausted: 'stop',
      },
    ]);
  });
});

describe("loadFeeders: errors, located at the feeder's file key", () => {
  const at = (line: number, index: number, message: string): ScenarioIssue => ({
    file: FILE,
    line,
    column: 5,
    path: `data[${index}].file`,
    message,
  });

  it('a missing file', async () => {
    expect(await issuesOf(['  - file: nope.csv'])).toEqual([
      at(3, 0, `cannot read nope.csv: no such file (looked for ${join(dir, 'nope.csv')})`),
    ]);
  });

  it('a directory', async () => {
    await mkdir(join(dir, 'folder.csv'), { recursive: true });
    expect(await issuesOf(['  - file: folder.csv'])).toEqual([at(3, 0, 'folder.csv is a directory, not a data file')]);
  });

  it('an unknown extension without format', async () => {
    await write('users.csv', 'username\nann\n');
    await write('rows.txt', 'a\n1\n');
    expect(await issuesOf(['  - file: users.csv', '  - file: rows.txt'])).toEqual([
      at(4, 1, 'cannot tell the format of rows.txt from its extension: add format: csv or format: json'),
    ]);
  });

  it('an empty CSV, and a header without rows', async () => {
    await write('empty.csv', '');
    await write('header-only.csv', 'a,b\n');
    expect(await issuesOf(['  - file: empty.csv', '  - file: header-only.csv'])).toEqual([
      at(3, 0, 'empty.csv is empty: a CSV data file needs a header row and at least one row'),
      at(4, 1, 'header-only.csv has a header row but no rows'),
    ]);
  });

  it('bad CSV, with its line', async () => {
    await write('short.csv', 'a,b\n1,2\n3\n');
    await write('quote.csv', 'a,b\n1,2\n"3,4\n');
    const issues = await issuesOf(['  - file: short.csv', '  - file: quote.csv']);
    expect(issues).toEqual([
      at(3, 0, 'short.csv line 3: 1 field where the header has 2'),
      at(4, 1, 'quote.csv is not valid CSV: Quote Not Closed: the parsing is finished with an opening quote at line 3'),
    ]);
  });

  it('a header with a duplicate or an empty column name', async () => {
    await write('dup.csv', 'a,b,a\n1,2,3\n');
    await write('blank.csv', 'a,,c\n1,2,3\n');
    expect(await issuesOf(['  - file: dup.csv', '  - file: blank.csv'])).toEqual([
      at(3, 0, 'dup.csv: the column "a" appears twice in the header'),
      at(4, 1, 'blank.csv: column 2 of the header has no name'),
    ]);
  });

  it('JSON that does not parse, is not an array, is empty, or holds rows that are not flat objects', async () => {
    await write('broken.json', '[{"a": 1},');
    await write('object.json', '{"a": 1}');
    await write('none.json', '[]');
    await write('scalar-row.json', '[{"a": 1}, 5]');
    await write('nested.json', '[{"a": {"b": 1}}]');
    await write('null.json', '[{"a": null}]');
    const issues = await issuesOf([
      '  - file: broken.json',
      '  - file: object.json',
      '  - file: none.json',
      '  - file: scalar-row.json',
      '  - file: nested.json',
      '  - file: null.json',
    ]);
    expect(issues.map((issue) => [issue.line, issue.column, issue.path])).toEqual([
      [3, 5, 'data[0].file'],
      [4, 5, 'data[1].file'],
      [5, 5, 'data[2].file'],
      [6, 5, 'data[3].file'],
      [7, 5, 'data[4].file'],
      [8, 5, 'data[5].file'],
    ]);
    expect(issues[0]?.message).toMatch(/^broken\.json is not valid JSON: /);
    expect(issues.slice(1).map((issue) => issue.message)).toEqual([
      'object.json must be a JSON array of objects, e.g. [{"username": "a", "password": "b"}]; it holds an object',
      'none.json is an empty array: a data file needs at least one row',
      'scalar-row.json row 2: expected an object of column: value, got a number',
      'nested.json row 1: "a" is an object; values must be strings, numbers or booleans',
      'null.json row 1: "a" is null; values must be strings, numbers or booleans',
    ]);
  });

  it('JSON rows with different columns', async () => {
    await write('ragged.json', '[{"a": 1, "b": 2}, {"a": 3, "c": 4}]');
    expect(await issuesOf(['  - file: ragged.json'])).toEqual([
      at(3, 0, 'ragged.json row 2 has the columns a, c; the first row has a, b: every row needs the same columns'),
    ]);
  });

  it('a column defined by two feeders', async () => {
    await write('one.csv', 'id,name\n1,a\n');
    await write('two.json', '[{"name": "x", "zip": "1"}]');
    expect(await issuesOf(['  - file: one.csv', '  - file: two.json'])).toEqual([
      at(4, 1, 'column "name" of two.json is also a column of one.csv (data[0]): rename one of them'),
    ]);
  });

  it('a file larger than 100 MiB, refused before reading', async () => {
    const big = join(dir, 'big.csv');
    await writeFile(big, '');
    await truncate(big, MAX_FEEDER_BYTES + 1);
    expect(await issuesOf(['  - file: big.csv'])).toEqual([
      at(3, 0, `big.csv is ${MAX_FEEDER_BYTES + 1} bytes; a CSV data file may be at most ${MAX_FEEDER_BYTES} bytes (100 MiB)`),
    ]);
  });

  it('a JSON file larger than 20 MiB, refused before JSON.parse', async () => {
    const big = join(dir, 'big.json');
    await writeFile(big, '');
    await truncate(big, MAX_JSON_FEEDER_BYTES + 1);
    expect(await issuesOf(['  - file: big.json'])).toEqual([
      at(3, 0, `big.json is ${MAX_JSON_FEEDER_BYTES + 1} bytes; a JSON data file may be at most ${MAX_JSON_FEEDER_BYTES} bytes (20 MiB)`),
    ]);
  });

  it('a CSV file of more rows than the limit, refused while parsing; one at the limit loads (not an out-of-memory crash)', async () => {
    await write('many.csv', `id\n${'1\n'.repeat(MAX_FEEDER_ROWS + 1)}`);
    await write('ok.csv', `id\n${'1\n'.repeat(MAX_FEEDER_ROWS - 1)}2\n`);
    const limit = `a data file may hold at most ${MAX_FEEDER_ROWS.toLocaleString('en-US')} rows`;
    expect(await issuesOf(['  - file: many.csv'])).toEqual([at(3, 0, `many.csv has more than ${MAX_FEEDER_ROWS} rows; ${limit}`)]);
    const text = scenarioText(['  - file: ok.csv']);
    const [ok] = await loadFeeders(parseScenario(text, FILE, { env: {}, baseDir: dir }), { sourceText: text });
    expect(ok?.table.rowCount).toBe(MAX_FEEDER_ROWS);
    expect(ok?.table.bytes.byteLength).toBe(MAX_FEEDER_ROWS);
    expect(ok?.table.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
  }, 120_000);

  it('a file that is not UTF-8', async () => {
    await write('latin1.csv', Buffer.from([0x61, 0x0a, 0xe9, 0x0a]));
    expect(await issuesOf(['  - file: latin1.csv'])).toEqual([at(3, 0, 'latin1.csv is not UTF-8 text')]);
  });

  it('issues without positions when there is no source text (a scenario built in code)', async () => {
    const result = await readFeeders({ data: [{ file: 'gone.json' }], load: { profile: 'constant', users: 1, duration: '1s' } }, dir);
    expect(result.feeders).toEqual([]);
    expect(result.issues).toEqual([
      { path: ['data', 0, 'file'], at: 'key', message: `cannot read gone.json: no such file (looked for ${join(dir, 'gone.json')})` },
    ]);
  });
});
