import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ResultsFileError } from '../errors.js';

/**
 * A results document as a block of plain text lines that survives a log (`run --out -`, then `kubectl logs`):
 *
 * ```
 * -----BEGIN LOADSEED RESULTS id=3f9a1c2e shard=1/4 bytes=48213 sha256=… lines=212-----
 * LSR:3f9a1c2e:H4sIAAAAAAAAA…            (gzip, base64, 76 characters a line)
 * -----END LOADSEED RESULTS id=3f9a1c2e-----
 * ```
 *
 * Every line carries the frame's id, so a line prefix (`kubectl logs --prefix`, `--timestamps`), other output
 * between the lines, and frames of several pods one after another or interleaved are all read back. `bytes` and
 * `sha256` are of the JSON document itself; `lines` counts the base64 lines, so a cut log is told from a damaged one.
 */

/** How many base64 characters one line of a frame holds (as MIME does). */
const BASE64_LINE_LENGTH = 76;

const BEGIN = /-----BEGIN LOADSEED RESULTS ([^-]*)-----/;
const END = /-----END LOADSEED RESULTS id=([0-9a-f]+)-----/;
const BODY = /LSR:([0-9a-f]+):([A-Za-z0-9+/=]+)/;

/** A shard's place in its split, as `run.shard` records it. */
export interface FrameShard {
  readonly index: number;
  readonly count: number;
}

/** `json` (a results document) as a frame's lines, each ending in a newline; `shard` is shown in its first line. */
export function frameResults(json: string, shard?: FrameShard): string {
  const id = randomBytes(4).toString('hex');
  const bytes = Buffer.from(json, 'utf8');
  const encoded = gzipSync(bytes, { level: 9 }).toString('base64');
  const lines: string[] = [];
  for (let at = 0; at < encoded.length; at += BASE64_LINE_LENGTH) lines.push(`LSR:${id}:${encoded.slice(at, at + BASE64_LINE_LENGTH)}`);
  const shardText = shard === undefined ? 'none' : `${shard.index}/${shard.count}`;
  const header = `id=${id} shard=${shardText} bytes=${bytes.length} sha256=${sha256(bytes)} lines=${lines.length}`;
  return [`-----BEGIN LOADSEED RESULTS ${header}-----`, ...lines, `-----END LOADSEED RESULTS id=${id}-----`, ''].join('\n');
}

/** A results document read out of a frame, and where: `shards.log:120 (shard 1/4)`. */
export interface ExtractedFrame {
  readonly label: string;
  readonly json: string;
}

interface OpenFrame {
  readonly line: number;
  readonly shard: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly lines: number;
  readonly body: string[];
}

/**
 * Every frame in `text` (a log: `source` names it in messages), in the order their END lines come. A frame
 * that is cut short, damaged or without its BEGIN line is a ResultsFileError (exit 2) naming the line where it
 * begins (or ends); `maxBytes` bounds what one frame may inflate to.
 */
export function extractFrames(text: string, source: string, maxBytes: number): ExtractedFrame[] {
  const open = new Map<string, OpenFrame>();
  const frames: ExtractedFrame[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const at = `${source}:${index + 1}`;
    const begin = BEGIN.exec(line);
    if (begin !== null) {
      const [id, frame] = openFrame(begin[1] ?? '', index + 1, at);
      open.set(id, frame);
      return;
    }
    const body = BODY.exec(line);
    if (body !== null) {
      const frame = open.get(body[1] ?? '');
      if (frame === undefined) throw cutAtStart(at);
      frame.body.push(body[2] ?? '');
      return;
    }
    const end = END.exec(line);
    if (end === null) return;
    const frame = open.get(end[1] ?? '');
    if (frame === undefined) throw cutAtStart(at);
    open.delete(end[1] ?? '');
    frames.push(closeFrame(frame, `${source}:${frame.line}`, maxBytes));
  });
  const [unfinished] = open.values();
  if (unfinished !== undefined) {
    throw new ResultsFileError(
      `${source}:${unfinished.line}`,
      `the results frame of shard ${unfinished.shard} is cut short: ${unfinished.body.length} of ${unfinished.lines} lines, and no END line`,
    );
  }
  return frames;
}

/** Whether `text` holds the start of a frame at all (else it is no log of `run --out -`). */
export function hasFrame(text: string): boolean {
  return BEGIN.test(text) || BODY.test(text);
}

function openFrame(attributes: string, line: number, at: string): [string, OpenFrame] {
  const values = new Map([...attributes.matchAll(/(\w+)=(\S+)/g)].map((match) => [match[1] ?? '', match[2] ?? '']));
  const id = values.get('id');
  const bytes = Number(values.get('bytes'));
  const lines = Number(values.get('lines'));
  const digest = values.get('sha256');
  if (id === undefined || !/^[0-9a-f]+$/.test(id) || !Number.isSafeInteger(bytes) || !Number.isSafeInteger(lines) || digest === undefined) {
    throw new ResultsFileError(at, 'a damaged BEGIN line of a results frame (it needs id, bytes, sha256 and lines)');
  }
  return [id, { line, shard: values.get('shard') ?? 'none', bytes, sha256: digest, lines, body: [] }];
}

function closeFrame(frame: OpenFrame, at: string, maxBytes: number): ExtractedFrame {
  const what = `the results frame of shard ${frame.shard}`;
  if (frame.body.length !== frame.lines) {
    throw new ResultsFileError(at, `${what} is damaged: ${frame.body.length} of its ${frame.lines} lines are there`);
  }
  if (frame.bytes > maxBytes) throw new ResultsFileError(at, `${what} holds ${frame.bytes} bytes, more than a results file may be`);
  let json: Buffer;
  try {
    json = gunzipSync(Buffer.from(frame.body.join(''), 'base64'), { maxOutputLength: Math.max(frame.bytes, 1) });
  } catch (error) {
    throw new ResultsFileError(at, `${what} is damaged: it does not inflate (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (json.length !== frame.bytes)
    throw new ResultsFileError(at, `${what} is damaged: ${json.length} bytes, not the ${frame.bytes} announced`);
  if (sha256(json) !== frame.sha256) throw new ResultsFileError(at, `${what} is damaged: its sha256 does not match`);
  return { label: `${at} (shard ${frame.shard})`, json: json.toString('utf8') };
}

function cutAtStart(at: string): ResultsFileError {
  return new ResultsFileError(
    at,
    'a line of a results frame whose BEGIN line is not there: the log was cut (`kubectl logs -l` keeps only the last 10 lines of each pod unless --tail=-1)',
  );
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
