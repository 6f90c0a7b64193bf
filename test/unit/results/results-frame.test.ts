import { describe, expect, it } from 'vitest';
import { ResultsFileError } from '../../../src/errors.js';
import { extractFrames, frameResults, hasFrame } from '../../../src/results/results-frame.js';

/** A document big and varied enough to take many lines once gzipped (random-ish digits do not compress away). */
const DOCUMENT = JSON.stringify({
  kind: 'loadseed-results',
  values: Array.from({ length: 400 }, (_, index) => (index * 7919) % 1009),
  text: 'é ✓',
});
const MAX = 1024 * 1024;

function extract(text: string): string[] {
  return extractFrames(text, 'shards.log', MAX).map((frame) => frame.json);
}

function problemOf(text: string): string {
  try {
    extractFrames(text, 'shards.log', MAX);
  } catch (error) {
    expect(error).toBeInstanceOf(ResultsFileError);
    return (error as Error).message;
  }
  throw new Error('no error');
}

describe('results frames', () => {
  it('reads back the document, byte for byte, amid other output; labels it with the line and the shard', () => {
    const frame = frameResults(DOCUMENT, { index: 2, count: 4 });
    expect(frame.split('\n').length).toBeGreaterThan(5);
    // The base64 lines: 76 characters after the tag, short enough for any log.
    expect(
      frame
        .split('\n')
        .slice(1, -2)
        .every((line) => line.length === 'LSR:12345678:'.length + 76 || line === frame.split('\n').at(-3)),
    ).toBe(true);
    const log = `▶ plan line\nsummary\n${frame}✓ passed\n`;
    const frames = extractFrames(log, 'shards.log', MAX);
    expect(frames).toEqual([{ label: 'shards.log:3 (shard 2/4)', json: DOCUMENT }]);
    expect(hasFrame(log)).toBe(true);
    expect(hasFrame('{"kind": "loadseed-results"}')).toBe(false);
  });

  it('reads frames through a line prefix (kubectl logs --prefix, --timestamps), interleaved with another pod', () => {
    const one = frameResults(DOCUMENT, { index: 1, count: 2 }).trimEnd().split('\n');
    const other = `${DOCUMENT.slice(0, -1)}, "x": 1}`;
    const two = frameResults(other, { index: 2, count: 2 }).trimEnd().split('\n');
    const lines: string[] = [];
    for (let index = 0; index < Math.max(one.length, two.length); index++) {
      if (index < one.length) lines.push(`2026-12-07T00:00:0${index % 10}.123456789Z [pod/shards-0-abc/loadseed] ${one[index] ?? ''}`);
      if (index < two.length) lines.push(`[pod/shards-1-def/loadseed] ${two[index] ?? ''}`);
      lines.push('[pod/shards-1-def/loadseed] 12:00:01  ▕████▏ 120 req/s');
    }
    expect(extract(lines.join('\n')).sort()).toEqual([DOCUMENT, other].sort());
  });

  it('refuses a damaged frame (one character changed), naming the line where it begins', () => {
    const lines = `header\n${frameResults(DOCUMENT, { index: 1, count: 2 })}`.split('\n');
    const body = lines[4] ?? '';
    const last = body.at(-1) === 'A' ? 'B' : 'A';
    lines[4] = `${body.slice(0, -1)}${last}`;
    expect(problemOf(lines.join('\n'))).toMatch(/^shards\.log:2: the results frame of shard 1\/2 is damaged: /);
  });

  it('refuses a frame cut short, one with a line missing, and lines whose BEGIN line was cut off', () => {
    const lines = frameResults(DOCUMENT, { index: 1, count: 2 }).trimEnd().split('\n');
    const bodyLines = lines.length - 2;
    expect(problemOf(lines.slice(0, 4).join('\n'))).toBe(
      `shards.log:1: the results frame of shard 1/2 is cut short: 3 of ${bodyLines} lines, and no END line`,
    );
    expect(problemOf([...lines.slice(0, 3), ...lines.slice(4)].join('\n'))).toBe(
      `shards.log:1: the results frame of shard 1/2 is damaged: ${bodyLines - 1} of its ${bodyLines} lines are there`,
    );
    expect(problemOf(lines.slice(5).join('\n'))).toMatch(
      /^shards\.log:1: a line of a results frame whose BEGIN line is not there: the log was cut/,
    );
  });

  it('refuses a frame announcing more bytes than a results file may hold, before inflating it', () => {
    const frame = frameResults(DOCUMENT).replace(/bytes=\d+/, `bytes=${MAX + 1}`);
    expect(problemOf(frame)).toMatch(/shard none holds 1048577 bytes, more than a results file may be/);
  });
});
