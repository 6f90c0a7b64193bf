import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { frameResults } from '../results/results-frame.js';
import type { FrameShard } from '../results/results-frame.js';
import { isS3Url, parseS3Url } from '../results/s3-location.js';
import type { S3Location } from '../results/s3-location.js';

/** One file a command writes: what it is (for people), where, and how to render it. */
export interface Output {
  readonly kind: 'html' | 'results' | 'junit' | 'markdown' | 'step summary';
  /** A file (relative to the command's directory), `s3://bucket/key`, or `-`: the results framed on stdout. */
  readonly path: string;
  /** Add to the end of the file (GitHub's step summary) instead of replacing it. */
  readonly append?: boolean;
  /** The shard whose results these are, shown in a frame's first line (`-`, or a store's fallback). */
  readonly shard?: FrameShard;
  /** Called inside the write's error handling: a throw or a rejection is that file's failure. */
  render(): string | Promise<string>;
}

/** Where outputs that are not files go: stdout for `-`, and the environment that configures an object store. */
export interface OutputSinks {
  /** The process's stdout, as is: a frame is already redacted, and must reach the log byte for byte. */
  readonly stdout?: { write(text: string): unknown };
  /** `AWS_*` settings of the object store (`s3://` paths; see results/s3-store.ts). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The content type of each kind of output, for a store. */
const CONTENT_TYPES: Readonly<Record<Output['kind'], string>> = {
  html: 'text/html; charset=utf-8',
  results: 'application/json',
  junit: 'application/xml',
  markdown: 'text/markdown; charset=utf-8',
  'step summary': 'text/markdown; charset=utf-8',
};

/** Where a store's outputs go when the store cannot take them: `loadseed-unsent/BUCKET/KEY` in the command's directory. */
export const UNSENT_DIRECTORY = 'loadseed-unsent';

/**
 * Writes every output it can (paths relative to `cwd`); returns the ones that failed, with the reason. A file
 * is written beside its path and renamed into place, so that it is whole or absent — never cut short by a
 * second Ctrl-C, a full disk or a crash midway (appending is the exception: it adds to a file of someone else's).
 * `-` writes the results framed on stdout (results/results-frame.ts). `s3://` uploads to the store; when it
 * fails, the output is kept in `loadseed-unsent/BUCKET/KEY` (and results framed on stdout too, for a pod's log),
 * and it still counts as failed, saying where it is.
 */
export async function writeOutputs(outputs: readonly Output[], cwd: string, sinks: OutputSinks = {}): Promise<Map<Output, string>> {
  const failures = new Map<Output, string>();
  for (const output of outputs) {
    let text: string;
    try {
      text = await output.render();
    } catch (error) {
      failures.set(output, reasonOf(error));
      continue;
    }
    const failure = await writeOne(output, text, cwd, sinks);
    if (failure !== undefined) failures.set(output, failure);
  }
  return failures;
}

/** Writes one rendered output where its path says; the reason it failed, or undefined. */
async function writeOne(output: Output, text: string, cwd: string, sinks: OutputSinks): Promise<string | undefined> {
  if (output.path === '-') {
    if (sinks.stdout === undefined || output.kind !== 'results') return 'only the results of a run go to stdout (-)';
    sinks.stdout.write(frameResults(text, output.shard));
    return undefined;
  }
  if (isS3Url(output.path)) return writeToStore(output, text, cwd, sinks);
  return writeLocal(resolve(cwd, output.path), text, output.append === true).then(() => undefined, reasonOf);
}

/** Uploads to the store; on failure keeps the output locally (and results framed on stdout) and says where. */
async function writeToStore(output: Output, text: string, cwd: string, sinks: OutputSinks): Promise<string | undefined> {
  const location = parseS3Url(output.path, true);
  if (typeof location === 'string') return location;
  let reason: string;
  try {
    const { openS3Store } = await import('../results/s3-store.js');
    const store = openS3Store(sinks.env ?? {});
    try {
      await store.put(location, text, CONTENT_TYPES[output.kind]);
      return undefined;
    } finally {
      store.close();
    }
  } catch (error) {
    // The store's errors begin with the URL, which the failure line shows already.
    reason = (error as Error).message.replace(`${output.path}: `, '');
  }
  return `${reason}; ${await keepUnsent(output, text, location, cwd, sinks)}`;
}

/** The fallback of a failed upload: a local copy, and results framed on stdout; what was kept, in words. */
async function keepUnsent(output: Output, text: string, location: S3Location, cwd: string, sinks: OutputSinks): Promise<string> {
  const local = join(
    UNSENT_DIRECTORY,
    location.bucket,
    ...location.key.split('/').filter((part) => part !== '' && part !== '.' && part !== '..'),
  );
  const framed = output.kind === 'results' && sinks.stdout !== undefined;
  if (framed) sinks.stdout?.write(frameResults(text, output.shard));
  const copy = await writeLocal(resolve(cwd, local), text, false).then(
    () => `kept in ${local}`,
    (error: unknown) => `not kept locally either (${local}: ${reasonOf(error)})`,
  );
  return framed ? `${copy}, and framed on stdout` : copy;
}

/** A whole file, renamed into place (or appended to); rejects with the file system's error. */
async function writeLocal(absolute: string, text: string, append: boolean): Promise<void> {
  // Unique per write, not per process: two runs of one process (the API, shards in-process) may write one path.
  const partial = `${absolute}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;
  try {
    await mkdir(dirname(absolute), { recursive: true });
    if (append) {
      await appendFile(absolute, text);
    } else {
      await writeFile(partial, text);
      await rename(partial, absolute);
    }
  } catch (error) {
    await rm(partial, { force: true }).catch(() => undefined);
    throw error;
  }
}

function reasonOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}
