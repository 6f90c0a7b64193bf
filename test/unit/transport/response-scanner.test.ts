import { describe, expect, it } from 'vitest';
import { classifyError } from '../../../src/transport/classify-error.js';
import { protocolError, ResponseScanner } from '../../../src/transport/response-scanner.js';
import type { ResponseSink } from '../../../src/transport/response-scanner.js';
import { ERROR_CATEGORIES } from '../../../src/metrics/error-category.js';

/** One response on the wire: its head (status line(s) and headers, interim responses included) and body. */
interface Message {
  readonly head: string;
  readonly body?: string;
  /** The request was HEAD. */
  readonly noBody?: boolean;
  readonly status: number;
  /** Content (decoded) bytes. */
  readonly content: number;
  readonly keepAlive: boolean;
}

interface Case {
  readonly name: string;
  readonly messages: readonly Message[];
  /** The last response's body runs to the close: end() completes it. */
  readonly closeAtEnd?: boolean;
}

interface Outcome {
  readonly status: number;
  readonly headerBytes: number;
  readonly bodyBytes: number;
  readonly contentBytes: number;
  readonly keepAlive: boolean;
}

type ScanResult = { readonly outcomes: readonly Outcome[]; readonly error?: string; readonly pending: boolean };

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');
const feedAll = (scanner: ResponseScanner, text: string): number => scanner.feed(bytes(text), 0, text.length);

/** Where each piece is copied before it is fed, as a socket reads into one buffer: stale junk after the piece. */
const READ_BUFFER = Buffer.alloc(256 * 1024, 'HTTP/1.1 500 stale\r\ncontent-length: 9\r\n\r\n', 'latin1');

/** Feeds the pieces in order, re-arming the scanner after each response; end() at EOF if asked. */
function scan(pieces: readonly Uint8Array[], noBody: readonly boolean[], closeAtEnd: boolean, maxHeaderBytes?: number): ScanResult {
  const scanner = new ResponseScanner(maxHeaderBytes);
  const outcomes: Outcome[] = [];
  const take = (): void => {
    outcomes.push({
      status: scanner.status,
      headerBytes: scanner.headerBytes,
      bodyBytes: scanner.bodyBytes,
      contentBytes: scanner.contentBytes,
      keepAlive: scanner.keepAlive,
    });
    scanner.begin(noBody[outcomes.length] ?? false);
  };
  scanner.begin(noBody[0] ?? false);
  for (const piece of pieces) {
    READ_BUFFER.set(piece, 0);
    let at = 0;
    while (at < piece.length) {
      const next = scanner.feed(READ_BUFFER, at, piece.length);
      if (next === -1) return { outcomes, error: scanner.errorReason, pending: false };
      if (scanner.complete) take();
      else if (next !== piece.length) throw new Error(`feed stopped at ${next} of ${piece.length} without completing`);
      at = next;
    }
  }
  if (closeAtEnd && scanner.end()) take();
  return { outcomes, pending: scanner.started };
}

function expectedOf(testCase: Case): ScanResult {
  return {
    outcomes: testCase.messages.map((m) => ({
      status: m.status,
      headerBytes: m.head.length,
      bodyBytes: (m.body ?? '').length,
      contentBytes: m.content,
      keepAlive: m.keepAlive,
    })),
    pending: false,
  };
}

const wireOf = (testCase: Case): Buffer => bytes(testCase.messages.map((m) => m.head + (m.body ?? '')).join(''));

/** Whole, split in two at every byte position, one byte at a time. */
function* feedings(wire: Buffer): Generator<[string, Uint8Array[]]> {
  yield ['whole', [wire]];
  for (let at = 0; at <= wire.length; at++) yield [`split at ${at}`, [wire.subarray(0, at), wire.subarray(at)]];
  const single: Uint8Array[] = [];
  for (let at = 0; at < wire.length; at++) single.push(wire.subarray(at, at + 1));
  yield ['byte by byte', single];
}

const BIG = 'x'.repeat(100_000);
const BIG_CHUNKED = `${(60_000).toString(16)}\r\n${'y'.repeat(60_000)}\r\n${(40_000).toString(16).toUpperCase()};big\r\n${'z'.repeat(40_000)}\r\n0\r\n\r\n`;

const CASES: readonly Case[] = [
  {
    name: 'content-length',
    messages: [
      {
        head: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nDate: Tue, 25 Nov 2026 20:00:00 GMT\r\n\r\n',
        body: 'hello world',
        status: 200,
        content: 11,
        keepAlive: true,
      },
    ],
  },
  {
    name: 'content-length with odd case and whitespace, empty reason',
    messages: [
      { head: 'HTTP/1.1 404 \r\nx-a: 1\r\nCONTENT-length:\t  5 \t\r\n\r\n', body: 'nope!', status: 404, content: 5, keepAlive: true },
    ],
  },
  {
    name: 'no reason phrase at all',
    messages: [{ head: 'HTTP/1.1 200\r\ncontent-length: 2\r\n\r\n', body: 'ok', status: 200, content: 2, keepAlive: true }],
  },
  {
    name: 'content-length 0',
    messages: [{ head: 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n', status: 200, content: 0, keepAlive: true }],
  },
  {
    name: 'chunked with extensions and trailers',
    messages: [
      {
        head: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n',
        body: '5;name=value\r\nhello\r\n6 ; ext="q;x"\r\n world\r\na\r\n0123456789\r\n0;last\r\nX-Trailer: yes\r\nServer-Timing: db;dur=53\r\n\r\n',
        status: 200,
        content: 21,
        keepAlive: true,
      },
    ],
  },
  {
    name: 'chunked among other codings, case-insensitive, last one wins',
    messages: [
      {
        head: 'HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\nTRANSFER-ENCODING: Gzip , CHUNKED\r\n\r\n',
        body: '3\r\nabc\r\n0\r\n\r\n',
        status: 200,
        content: 3,
        keepAlive: true,
      },
    ],
  },
  {
    name: '1xx interim responses, then the final one',
    messages: [
      {
        head:
          'HTTP/1.1 100 Continue\r\n\r\n' +
          'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\nContent-Length: 99\r\n\r\n' +
          'HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n',
        body: 'ok',
        status: 201,
        content: 2,
        keepAlive: true,
      },
    ],
  },
  {
    name: '204 (no body whatever the headers say; one that announces a body is not kept alive)',
    messages: [
      { head: 'HTTP/1.1 204 No Content\r\nDate: x\r\n\r\n', status: 204, content: 0, keepAlive: true },
      { head: 'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\nDate: x\r\n\r\n', status: 204, content: 0, keepAlive: false },
      { head: 'HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n', status: 204, content: 0, keepAlive: false },
    ],
  },
  {
    name: '304 (likewise)',
    messages: [
      { head: 'HTTP/1.1 304 Not Modified\r\nETag: "abc"\r\nContent-Length: 0\r\n\r\n', status: 304, content: 0, keepAlive: true },
      { head: 'HTTP/1.1 304 Not Modified\r\nETag: "abc"\r\nContent-Length: 1234\r\n\r\n', status: 304, content: 0, keepAlive: false },
    ],
  },
  {
    name: 'HEAD: no body even with a length',
    messages: [{ head: 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n', noBody: true, status: 200, content: 0, keepAlive: true }],
  },
  {
    name: 'HEAD: no body even when chunked',
    messages: [{ head: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', noBody: true, status: 200, content: 0, keepAlive: true }],
  },
  {
    name: 'body delimited by the close',
    messages: [
      {
        head: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n',
        body: 'streaming until close',
        status: 200,
        content: 21,
        keepAlive: false,
      },
    ],
    closeAtEnd: true,
  },
  {
    name: 'empty body delimited by the close',
    messages: [{ head: 'HTTP/1.1 200 OK\r\n\r\n', status: 200, content: 0, keepAlive: false }],
    closeAtEnd: true,
  },
  {
    name: 'a final coding other than chunked: body to the close',
    messages: [
      {
        head: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n',
        body: '3\r\nabc\r\n0\r\n\r\n',
        status: 200,
        content: 13,
        keepAlive: false,
      },
    ],
    closeAtEnd: true,
  },
  {
    name: 'HTTP/1.0: close by default',
    messages: [{ head: 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n', body: 'ok', status: 200, content: 2, keepAlive: false }],
  },
  {
    name: 'HTTP/1.0 with keep-alive',
    messages: [
      {
        head: 'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\n',
        body: 'ok',
        status: 200,
        content: 2,
        keepAlive: true,
      },
    ],
  },
  {
    name: 'HTTP/1.0 without a length: body to the close',
    messages: [{ head: 'HTTP/1.0 200 OK\r\nServer: old\r\n\r\n', body: '<html></html>', status: 200, content: 13, keepAlive: false }],
    closeAtEnd: true,
  },
  {
    name: 'HTTP/1.1 with connection: close among other tokens',
    messages: [
      {
        head: 'HTTP/1.1 503 Service Unavailable\r\nConnection: upgrade, CLOSE\r\ncontent-length: 4\r\n\r\n',
        body: 'busy',
        status: 503,
        content: 4,
        keepAlive: false,
      },
    ],
  },
  {
    name: 'not-quite tokens: "closed", "keep-alive2", "close d" are not close / keep-alive',
    messages: [
      {
        head: 'HTTP/1.0 200 OK\r\nConnection: closed, keep-alive2\r\nConnection: close d\r\nContent-Length: 0\r\n\r\n',
        status: 200,
        content: 0,
        keepAlive: false,
      },
      {
        head: 'HTTP/1.1 200 OK\r\nConnection: closed, keep-alive2, close d\r\nContent-Length: 0\r\n\r\n',
        status: 200,
        content: 0,
        keepAlive: true,
      },
    ],
  },
  {
    name: 'lookalike header names are ignored',
    messages: [
      {
        head: 'HTTP/1.1 200 OK\r\nContent-Lengthy: zz\r\nX-Content-Length: 9\r\nConnections: close\r\nX-Long: a  continued\r\ncontent-length: 3\r\n\r\n',
        body: 'abc',
        status: 200,
        content: 3,
        keepAlive: true,
      },
    ],
  },
  {
    name: 'pipelined: two responses in one chunk, stray CRLF before the second',
    messages: [
      { head: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n', body: 'a', status: 200, content: 1, keepAlive: true },
      {
        head: '\r\nHTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n',
        body: '3\r\nabc\r\n0\r\n\r\n',
        status: 404,
        content: 3,
        keepAlive: true,
      },
      { head: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', noBody: true, status: 200, content: 0, keepAlive: true },
    ],
  },
  {
    name: 'big body (content-length)',
    messages: [
      { head: `HTTP/1.1 200 OK\r\nContent-Length: ${BIG.length}\r\n\r\n`, body: BIG, status: 200, content: BIG.length, keepAlive: true },
    ],
  },
  {
    name: 'big body (chunked)',
    messages: [
      { head: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', body: BIG_CHUNKED, status: 200, content: 100_000, keepAlive: true },
    ],
  },
];

describe('ResponseScanner', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s: same outcome whole, split at every byte, byte by byte', (_name, testCase) => {
    const wire = wireOf(testCase);
    const noBody = testCase.messages.map((m) => m.noBody === true);
    const expected = expectedOf(testCase);
    const big = wire.length > 10_000;
    for (const [how, pieces] of feedings(wire)) {
      // The 100 kB cases split at every position inside the body too: cheap, but skip most positions there.
      if (big && how.startsWith('split at ') && Number(how.slice(9)) % 997 > 100) continue;
      const result = scan(pieces, noBody, testCase.closeAtEnd === true);
      if (JSON.stringify(result) !== JSON.stringify(expected)) expect(result, how).toEqual(expected);
    }
  });

  it('returns where a response ends, so what follows is left to the caller', () => {
    const scanner = new ResponseScanner();
    const wire = bytes('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokGARBAGE');
    scanner.begin(false);
    expect(scanner.feed(wire, 0, wire.length)).toBe(wire.length - 'GARBAGE'.length);
    expect(scanner.complete).toBe(true);
    // Nothing more belongs to a complete response.
    expect(scanner.feed(wire, 40, wire.length)).toBe(40);
  });

  it('is incomplete when the connection ends inside a framed body, and complete when it ends a close-delimited one', () => {
    const scanner = new ResponseScanner();
    scanner.begin(false);
    expect(scanner.started).toBe(false);
    feedAll(scanner, 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
    expect(scanner.started).toBe(true);
    expect(scanner.end()).toBe(false);
    expect(scanner.complete).toBe(false);
    expect(scanner.contentBytes).toBe(3);

    scanner.begin(false);
    feedAll(scanner, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab');
    expect(scanner.end()).toBe(false);

    scanner.begin(false);
    feedAll(scanner, 'HTTP/1.1 200 OK\r\n\r\nabc');
    expect(scanner.end()).toBe(true);
    expect(scanner).toMatchObject({ complete: true, status: 200, contentBytes: 3, keepAlive: false });
  });

  it('counts nothing and allocates nothing between responses: re-armed state is clean', () => {
    const scanner = new ResponseScanner();
    scanner.begin(false);
    feedAll(scanner, 'HTTP/1.0 500 Oops\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx');
    scanner.begin(false);
    expect(scanner).toMatchObject({ status: 0, headerBytes: 0, bodyBytes: 0, contentBytes: 0, keepAlive: true, complete: false });
    const wire = bytes('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    expect(scanner.feed(wire, 0, wire.length)).toBe(wire.length);
    expect(scanner).toMatchObject({ status: 200, keepAlive: true, contentBytes: 2 });
  });

  const MALFORMED: readonly (readonly [string, string])[] = [
    ['not HTTP at all', 'SPAM/9.9 nonsense\r\nthis is not http\r\n\r\n'],
    ['HTTP/2.0 status line', 'HTTP/2.0 200 OK\r\n\r\n'],
    ['non-digit minor version', 'HTTP/1.x 200 OK\r\n\r\n'],
    ['two-digit status', 'HTTP/1.1 20 OK\r\n\r\n'],
    ['non-numeric status', 'HTTP/1.1 2x0 OK\r\n\r\n'],
    ['status below 100', 'HTTP/1.1 099 Nope\r\n\r\n'],
    ['four-digit status', 'HTTP/1.1 2000 OK\r\n\r\n'],
    ['101 switching protocols', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n'],
    ['CR without LF in the status line', 'HTTP/1.1 200 OK\rX\r\n\r\n'],
    ['non-numeric content-length', 'HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n'],
    ['negative content-length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'],
    ['content-length with two numbers', 'HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\nx'],
    ['content-length list', 'HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok'],
    ['empty content-length', 'HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n'],
    ['conflicting content-length', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 3\r\n\r\nabc'],
    ['repeated equal content-length', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nContent-Length: 2\r\n\r\nok'],
    ['bare LF after the status line', 'HTTP/1.1 200 OK\ncontent-length: 0\r\n\r\n'],
    ['bare LF after a status code without reason', 'HTTP/1.1 200\ncontent-length: 0\r\n\r\n'],
    ['bare LF after a header', 'HTTP/1.1 200 OK\r\ncontent-length: 0\n\r\n'],
    ['bare LF ending the head', 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\n'],
    ['bare LF line ends throughout', 'HTTP/1.1 200 OK\ncontent-length: 2\n\nok'],
    ['bare LF after a chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n'],
    ['bare LF after chunk extensions', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\nabc\r\n0\r\n\r\n'],
    ['bare LF after chunk data', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\n0\r\n\r\n'],
    ['bare LF after a trailer', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\n\r\n'],
    ['bare LF ending the trailers', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\n'],
    ['CR without LF in a trailer', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\rX\r\n\r\n'],
    ['a folded header line (obs-fold)', 'HTTP/1.1 200 OK\r\nX-Long: a\r\n  continued\r\ncontent-length: 0\r\n\r\n'],
    ['whitespace before the first header', 'HTTP/1.1 200 OK\r\n x-a: b\r\ncontent-length: 0\r\n\r\n'],
    ['absurd content-length', 'HTTP/1.1 200 OK\r\nContent-Length: 12345678901234567890\r\n\r\n'],
    [
      'transfer-encoding and content-length',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    ],
    ['folded content-length', 'HTTP/1.1 200 OK\r\nContent-Length:\r\n 2\r\n\r\nok'],
    ['space before the colon', 'HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok'],
    ['header line without a colon', 'HTTP/1.1 200 OK\r\ngarbage\r\n\r\n'],
    ['empty header name', 'HTTP/1.1 200 OK\r\n: x\r\n\r\n'],
    ['CR without LF in a header', 'HTTP/1.1 200 OK\r\nX-A: b\rX\r\n\r\n'],
    ['CR without LF ending the head', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\rX'],
    ['bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n'],
    ['missing chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\nabc\r\n0\r\n\r\n'],
    ['negative chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-3\r\nabc\r\n0\r\n\r\n'],
    ['chunk size too large', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\nabc'],
    ['chunk data longer than its size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n'],
    ['CR without LF after a chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\rXabc\r\n0\r\n\r\n'],
    ['CR without LF after the trailers', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\rX'],
  ];

  it.each(MALFORMED)('%s → protocol error, however it is split', (_name, text) => {
    const wire = bytes(text);
    for (const [how, pieces] of feedings(wire)) {
      const result = scan(pieces, [false], true);
      expect(result.error, how).toBeTruthy();
      expect(result.outcomes, how).toEqual([]);
    }
  });

  it('bounds the head: headers over the limit are a protocol error, however they arrive', () => {
    const huge = `HTTP/1.1 200 OK\r\n${'X-Filler: 0123456789abcdef\r\n'.repeat(2600)}Content-Length: 0\r\n\r\n`;
    expect(huge.length).toBeGreaterThan(64 * 1024);
    expect(scan([bytes(huge)], [false], false).error).toBe('headers too large');
    const wire = bytes(huge);
    const pieces: Uint8Array[] = [];
    for (let at = 0; at < wire.length; at += 1000) pieces.push(wire.subarray(at, at + 1000));
    expect(scan(pieces, [false], false).error).toBe('headers too large');
    // One endless line (no line end to check at) is caught too.
    const endless = bytes(`HTTP/1.1 200 OK\r\nX-Endless: ${'a'.repeat(70_000)}`);
    expect(scan([endless], [false], false).error).toBe('headers too large');
    // A lower limit applies as given; just under it passes.
    const small = 'HTTP/1.1 200 OK\r\nX-A: 1234567890\r\nContent-Length: 0\r\n\r\n';
    expect(scan([bytes(small)], [false], false, small.length).outcomes).toHaveLength(1);
    expect(scan([bytes(small)], [false], false, small.length - 1).error).toBe('headers too large');
    // Trailers and chunk extensions are bounded the same way.
    const trailers = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n${'T: 1234567890\r\n'.repeat(5000)}\r\n`;
    expect(scan([bytes(trailers)], [false], false).error).toBe('trailers too large');
    const extensions = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;${'e'.repeat(70_000)}\r\nx\r\n0\r\n\r\n`;
    expect(scan([bytes(extensions)], [false], false).error).toBe('chunk extensions too large');
  });

  it.each([
    ['HTTP/1.1 000 Zero\r\ncontent-length: 0\r\n\r\n', 'malformed status code'],
    ['HTTP/1.1 600 Too High\r\ncontent-length: 0\r\n\r\n', 'malformed status code'],
    ['HTTP/1.1 999 Too High\r\ncontent-length: 0\r\n\r\n', 'malformed status code'],
    ['HTTP/1.1 200 OK\r\nx-odd: a\0b\r\ncontent-length: 0\r\n\r\n', 'NUL in header value'],
    ['HTTP/1.1 200 OK\r\ncontent-type: text/\0plain\r\ncontent-length: 0\r\n\r\n', 'NUL in header value'],
  ])('refuses %j (RFC 9110 §15: status 100–599; RFC 9110 §5.5: no NUL in a field value)', (wire, reason) => {
    const scanner = new ResponseScanner();
    scanner.begin(false);
    expect(feedAll(scanner, wire)).toBe(-1);
    expect(scanner.errorReason).toBe(reason);
  });

  it('makes protocol errors that classify as protocol', () => {
    const error = protocolError('malformed status line');
    expect(error.message).toContain('malformed status line');
    expect(ERROR_CATEGORIES[classifyError(error)]).toBe('protocol');
  });
});

describe('ResponseScanner: a sink is handed the head and the content', () => {
  /** Collects what the scanner hands on, as text. */
  class Collector implements ResponseSink {
    headText = '';
    contentText = '';
    head(buf: Uint8Array, start: number, end: number): void {
      this.headText += Buffer.from(buf.subarray(start, end)).toString('latin1');
    }
    content(buf: Uint8Array, start: number, end: number): void {
      this.contentText += Buffer.from(buf.subarray(start, end)).toString('latin1');
    }
  }
  const interim = 'HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\n';
  const cases = [
    { name: 'content-length', head: 'HTTP/1.1 200 OK\r\ncontent-length: 11\r\n\r\n', body: 'hello world', content: 'hello world' },
    {
      name: 'chunked, with an extension and a trailer',
      head: `${interim}HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n`,
      body: '5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nx-trailer: 1\r\n\r\n',
      content: 'hello world',
    },
    { name: 'no body (204)', head: 'HTTP/1.1 204 No Content\r\nx-a: 1\r\n\r\n', body: '', content: '' },
  ];

  it.each(cases)('$name: the same bytes wherever the response is split', ({ head, body, content }) => {
    const wire = Buffer.from(head + body, 'latin1');
    for (let split = 0; split <= wire.length; split++) {
      const scanner = new ResponseScanner();
      const collector = new Collector();
      scanner.begin(false, collector);
      const first = scanner.feed(wire, 0, split);
      expect(first).toBeGreaterThanOrEqual(0);
      if (!scanner.complete) expect(scanner.feed(wire, split, wire.length)).toBe(wire.length);
      expect(scanner.complete).toBe(true);
      expect(collector.headText).toBe(head);
      expect(collector.contentText).toBe(content);
      expect(scanner.contentBytes).toBe(content.length);
    }
  });

  it('hands on nothing without a sink, and nothing after begin() without one', () => {
    const scanner = new ResponseScanner();
    const collector = new Collector();
    scanner.begin(false, collector);
    scanner.begin(false);
    const wire = Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    expect(scanner.feed(wire, 0, wire.length)).toBe(wire.length);
    expect(collector).toMatchObject({ headText: '', contentText: '' });
  });
});
