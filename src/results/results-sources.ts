import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ResultsFileError, UsageError } from '../errors.js';
import type { ResultsFile } from './merge-results.js';
import { checkResults, MAX_RESULTS_FILE_BYTES, readResultsFile } from './read-results.js';
import { extractFrames, hasFrame } from './results-frame.js';
import { isS3Url, parseS3Url, s3Url } from './s3-location.js';

/**
 * Where `merge` (and whatever reads shards' results) finds them: results files, logs that hold framed results
 * (`run --out -`, collected with `kubectl logs`), `-` for standard input (either), and `s3://bucket/prefix/` (every
 * `.json` object directly under it) or `s3://bucket/key.json` (that object).
 */

/** What reading a source needs from the command: its directory, environment (the store's settings) and stdin. */
export interface SourceContext {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin?: AsyncIterable<Buffer | string>;
}

/** A log of many shards holds their console output too; refused beyond this, before it is read. */
const MAX_LOG_BYTES = 512 * 1024 * 1024;

/**
 * The results documents one source holds, each with a label for messages (`shards.log:120 (shard 1/4)`,
 * `s3://b/run-1/shard-1.json`). Throws a ResultsFileError (exit 2) for what is not results (naming the file, or
 * the line of a damaged frame), an ObjectStoreError (exit 3) for a store that does not answer.
 */
export async function readResultsSource(source: string, context: SourceContext): Promise<ResultsFile[]> {
  if (source === '-') return resultsOfText('-', await readStdin(context.stdin));
  if (isS3Url(source)) return readS3Source(source, context.env);
  const path = resolve(context.cwd, source);
  const info = await stat(path).catch(() => undefined);
  // Missing, a directory: the results file reader says so. A pipe (a FIFO, /dev/stdin) is read once, whole.
  if (info === undefined || info.isDirectory()) return [{ file: source, results: await readResultsFile(source, context.cwd) }];
  if (!info.isFile()) return resultsOfText(source, await readUnsized(path, source));
  if (!(await startsLikeLog(path))) return [{ file: source, results: await readResultsFile(source, context.cwd) }];
  const size = info.size;
  if (size > MAX_LOG_BYTES)
    throw new ResultsFileError(
      source,
      `${Math.round(size / 2 ** 20)} MB, larger than a log of results frames may be (${MAX_LOG_BYTES / 2 ** 20} MB)`,
    );
  const text = await readFile(path, 'utf8');
  // Not JSON and no frame: the results file reader says what is wrong with it.
  return hasFrame(text) ? resultsOfFrames(text, source) : [{ file: source, results: await readResultsFile(source, context.cwd) }];
}

/** The results in a text: one document (JSON), or the frames of a log. */
function resultsOfText(source: string, text: string): ResultsFile[] {
  // A JSON object is a results document, whatever strings it holds; anything else must hold frames.
  const json = text.trimStart().startsWith('{') || !hasFrame(text);
  if (json) return [{ file: source, results: checkResults(source, parseJson(source, text)) }];
  return resultsOfFrames(text, source);
}

function resultsOfFrames(text: string, source: string): ResultsFile[] {
  const frames = extractFrames(text, source, MAX_RESULTS_FILE_BYTES);
  return frames.map(({ label, json }) => ({ file: label, results: checkResults(label, parseJson(label, json)) }));
}

/** A file that is not a regular one (a FIFO): its whole content, read once, at most MAX_LOG_BYTES. */
async function readUnsized(path: string, source: string): Promise<string> {
  try {
    return await readStream(createReadStream(path), source);
  } catch (error) {
    if (error instanceof ResultsFileError) throw error;
    throw new ResultsFileError(source, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** Whether a regular file begins with something other than a JSON object: a log (unreadable files go the usual way). */
async function startsLikeLog(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'r');
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
      const head = buffer
        .subarray(0, bytesRead)
        .toString('utf8')
        .replace(/^\uFEFF/, '')
        .trimStart();
      return head !== '' && !head.startsWith('{');
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
}

async function readS3Source(url: string, env: SourceContext['env']): Promise<ResultsFile[]> {
  const location = parseS3Url(url, false);
  if (typeof location === 'string') throw new ResultsFileError(url, location);
  const { openS3Store } = await import('./s3-store.js');
  const store = openS3Store(env);
  try {
    const objects = location.key === '' || location.key.endsWith('/') ? await store.listJson(location) : [{ key: location.key, bytes: 0 }];
    if (objects.length === 0) throw new ResultsFileError(url, 'no .json object directly under this prefix');
    const files: ResultsFile[] = [];
    for (const object of objects) {
      const file = s3Url(location.bucket, object.key);
      if (object.bytes > MAX_RESULTS_FILE_BYTES)
        throw new ResultsFileError(file, `${Math.round(object.bytes / 2 ** 20)} MB, larger than a results file may be`);
      const text = await store.getText({ bucket: location.bucket, key: object.key });
      files.push(...resultsOfText(file, text));
    }
    return files;
  } finally {
    store.close();
  }
}

function parseJson(source: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ResultsFileError(source, `not valid JSON, and no results frame of \`run --out -\` in it (${(error as Error).message})`);
  }
}

async function readStdin(stdin: SourceContext['stdin']): Promise<string> {
  if (stdin === undefined) throw new UsageError('- reads standard input, and there is none here');
  return readStream(stdin, '-');
}

/** A stream's whole text (a BOM dropped), refused past MAX_LOG_BYTES. */
async function readStream(stream: AsyncIterable<Buffer | string>, source: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > MAX_LOG_BYTES)
      throw new ResultsFileError(source, `over ${MAX_LOG_BYTES / 2 ** 20} MB, more than a log of results frames may be`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
}
