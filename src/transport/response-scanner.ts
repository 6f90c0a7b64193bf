import { requestError } from './request-errors.js';

/**
 * An incremental HTTP/1.1 response scanner: what a load tester needs from a response and nothing more. It
 * reads the status code and, from the headers, only content-length, transfer-encoding and connection (names
 * matched case-insensitively); it walks the body by its framing (length, chunked, or up to the connection's
 * close) and counts it, never keeping a byte. Data may be split at any byte: all state lives in fields.
 *
 * Use: `begin(noBody)` before each response (noBody: the request was HEAD), then `feed(buf, start, end)` with
 * each chunk of data (`buf[start..end)`); it returns where it stopped: the index just after the response's last
 * byte once `complete` (bytes after that belong to whatever comes next), `end` when it needs more, or -1 on a malformed
 * response (`errorReason` says why; `protocolError()` makes the Error). At the connection's end call `end()`:
 * true when that completes a response whose body runs to the close.
 *
 * Refuses (a `protocol` failure) a status outside 100–599 or not 3 digits (RFC 9110 §15), a NUL in a header
 * value (RFC 9110 §5.5), and, as undici's parser does (the two clients classify a reply alike), a line ended by
 * a bare LF, a folded header line (obs-fold) and a repeated content-length. Handles: 1xx interim responses
 * (skipped: the final status counts; 101 is an error, nothing here upgrades); no body for HEAD, 204, 304 (a 204
 * or 304 announcing a body is not kept alive); chunked bodies with extensions and trailers; close-delimited
 * bodies; HTTP/1.0 (close unless keep-alive); a bound on the head (status line and headers, interim ones
 * included) and on each chunk-size line and trailer section. Allocation-free: numbers and constant strings
 * only, except on error.
 *
 * Byte counts follow the wire: `headerBytes` is every status line and header section (interim responses
 * included), `bodyBytes` the message body as sent (chunk framing and trailers included), `contentBytes` the
 * body's content (the chunks' data). headerBytes + bodyBytes is the response's size on the wire.
 */
export class ResponseScanner {
  /** The status code: the final one once complete (a 1xx only while an interim response is being read). */
  status = 0;
  headerBytes = 0;
  bodyBytes = 0;
  contentBytes = 0;
  /** Whether the connection may carry another request after this response (meaningful once complete). */
  keepAlive = true;
  complete = false;
  /** Why the response is malformed (after feed() returned -1); a constant string. */
  errorReason = '';
  readonly #maxHeaderBytes: number;
  /** Where the head and the content go, for a client that keeps them; undefined: counted only. */
  #sink: ResponseSink | undefined = undefined;
  #state = ST_STATUS_LINE;
  #noBody = false;
  /** Position within the status line ("HTTP/1.x NNN"), 0..12. */
  #pos = 0;
  #http10 = false;
  /** Body bytes left: of the whole body (content-length), or of the current chunk. */
  #remaining = 0;
  /** Chunked framing: the chunk-size line or trailer section began at this body position (for its bound). */
  #lineStart = 0;
  #chunkDigits = 0;
  // The header being read.
  #kind = KIND_NONE;
  #nameLength = 0;
  #nameMask = 0;
  #digits = 0;
  #value = 0;
  #valueEnded = false;
  #tokenLength = 0;
  #tokenMask = 0;
  #tokenEnded = false;
  // What the headers said.
  #contentLength = -1;
  #transferEncoding = false;
  #chunked = false;
  #connectionClose = false;
  #connectionKeepAlive = false;

  constructor(maxHeaderBytes = DEFAULT_MAX_HEADER_BYTES) {
    this.#maxHeaderBytes = maxHeaderBytes;
  }

  /**
   * Arms the scanner for the next response. `noBody`: the request was HEAD (whatever the headers say).
   * `sink`: given the head's and the content's bytes as they are scanned (none for a static request).
   */
  begin(noBody: boolean, sink?: ResponseSink): void {
    this.#sink = sink;
    this.status = 0;
    this.headerBytes = 0;
    this.bodyBytes = 0;
    this.contentBytes = 0;
    this.keepAlive = true;
    this.complete = false;
    this.errorReason = '';
    this.#noBody = noBody;
    this.#state = ST_STATUS_LINE;
    this.#resetHead();
  }

  /** Whether any byte of this response has been seen. */
  get started(): boolean {
    return this.headerBytes > 0 || this.#pos > 0 || this.#state !== ST_STATUS_LINE;
  }

  /**
   * Scans `buf[start..end)`. Returns the index after the response's last byte once it is complete, `end`
   * when more is needed, -1 when the response is malformed.
   */
  // eslint-disable-next-line complexity, max-lines-per-function -- one loop over the bytes with every state inline and in locals: measured ~25% faster than one method per state (bench/scanner-micro.mjs)
  feed(buf: Uint8Array, start: number, end: number): number {
    const n = end;
    let i = start;
    let mark = start; // bytes from mark to i are not counted yet
    let state = this.#state;
    const sink = this.#sink;
    while (i < n) {
      switch (state) {
        case ST_BODY: {
          const left = n - i;
          const remaining = this.#remaining;
          if (remaining > left) {
            this.#remaining = remaining - left;
            this.contentBytes += left;
            sink?.content(buf, i, n);
            i = n;
            break;
          }
          sink?.content(buf, i, i + remaining);
          i += remaining;
          this.contentBytes += remaining;
          this.#remaining = 0;
          return this.#done(i, mark, false);
        }

        case ST_STATUS_LINE: {
          while (i < n) {
            const b = buf[i] as number;
            const pos = this.#pos;
            if (pos < 7) {
              if (b !== (HTTP_1[pos] as number)) {
                // Empty lines before a status line are tolerated (a server's stray CRLF after a body).
                if (pos === 0 && (b === CR || b === LF)) {
                  i++;
                  continue;
                }
                return this.#fail('malformed status line', i, mark, state);
              }
            } else if (pos === 7) {
              if (b < DIGIT_0 || b > DIGIT_9) return this.#fail('malformed status line', i, mark, state);
              this.#http10 = b === DIGIT_0;
            } else if (pos === 8) {
              if (b !== SP) return this.#fail('malformed status line', i, mark, state);
            } else if (pos < 12) {
              if (b < DIGIT_0 || b > DIGIT_9) return this.#fail('malformed status code', i, mark, state);
              this.status = pos === 9 ? b - DIGIT_0 : this.status * 10 + (b - DIGIT_0);
            } else {
              if (this.status < 100 || this.status > 599) return this.#fail('malformed status code', i, mark, state);
              if (b === SP) state = ST_REASON;
              else if (b === CR) state = ST_STATUS_LF;
              else if (b === LF) return this.#fail('bare LF line ending', i, mark, state);
              else return this.#fail('malformed status line', i, mark, state);
              this.#pos = 0;
              i++;
              break;
            }
            this.#pos = pos + 1;
            i++;
          }
          break;
        }

        case ST_REASON: {
          while (i < n) {
            const b = buf[i] as number;
            i++;
            if (b === CR) {
              state = ST_STATUS_LF;
              break;
            }
            if (b === LF) return this.#fail('bare LF line ending', i - 1, mark, state);
          }
          break;
        }

        case ST_STATUS_LF:
        case ST_HEADER_LF: {
          if (buf[i] !== LF) return this.#fail('CR without LF', i, mark, state);
          i++;
          if (state === ST_HEADER_LF && this.#endHeader() !== 0) return this.#fail(this.errorReason, i, mark, state);
          if (this.headerBytes + (i - mark) > this.#maxHeaderBytes) return this.#fail('headers too large', i, mark, state);
          state = ST_LINE_START;
          break;
        }

        case ST_LINE_START: {
          const b = buf[i] as number;
          if (b === CR) {
            state = ST_HEAD_END_LF;
            i++;
          } else if (b === LF) {
            return this.#fail('bare LF line ending', i, mark, state);
          } else if (b === SP || b === HTAB) {
            // obs-fold (RFC 9112 §5.2), or whitespace before the first header: refused, as undici's parser does.
            return this.#fail('folded header', i, mark, state);
          } else if (TOKEN[b] === 1) {
            this.#kind = KIND_NONE;
            this.#nameLength = 0;
            this.#nameMask = NAME_ALL;
            state = ST_NAME;
          } else {
            return this.#fail('malformed header name', i, mark, state);
          }
          break;
        }

        case ST_HEAD_END_LF: {
          if (buf[i] !== LF) return this.#fail('CR without LF', i, mark, state);
          i++;
          if (this.headerBytes + (i - mark) > this.#maxHeaderBytes) return this.#fail('headers too large', i, mark, state);
          state = this.#endHead();
          if (state === ST_ERROR) return this.#fail(this.errorReason, i, mark, ST_HEAD_END_LF);
          if (state >= FIRST_BODY_STATE) {
            sink?.head(buf, mark, i);
            if (state === ST_DONE) return this.#done(i, mark, true);
            this.headerBytes += i - mark;
            mark = i;
          }
          break;
        }

        case ST_NAME: {
          let length = this.#nameLength;
          let mask = this.#nameMask;
          while (i < n) {
            const b = buf[i] as number;
            if (b === COLON) {
              if (length === 0) return this.#fail('malformed header name', i, mark, state);
              i++;
              this.#startValue(mask, length);
              state = ST_VALUE;
              break;
            }
            if (TOKEN[b] !== 1) return this.#fail('malformed header name', i, mark, state);
            if (mask !== 0) {
              const lower = b | 0x20;
              if ((mask & NAME_CONTENT_LENGTH) !== 0 && CONTENT_LENGTH[length] !== lower) mask &= ~NAME_CONTENT_LENGTH;
              if ((mask & NAME_TRANSFER_ENCODING) !== 0 && TRANSFER_ENCODING[length] !== lower) mask &= ~NAME_TRANSFER_ENCODING;
              if ((mask & NAME_CONNECTION) !== 0 && CONNECTION[length] !== lower) mask &= ~NAME_CONNECTION;
            }
            length++;
            i++;
          }
          this.#nameLength = length;
          this.#nameMask = mask;
          break;
        }

        case ST_VALUE: {
          const kind = this.#kind;
          if (kind === KIND_NONE) {
            while (i < n) {
              const b = buf[i] as number;
              if (b === CR || b === LF) break;
              if (b === NUL) return this.#fail('NUL in header value', i, mark, state);
              i++;
            }
          } else if (kind === KIND_CONTENT_LENGTH) {
            while (i < n) {
              const b = buf[i] as number;
              if (b === CR || b === LF) break;
              if (b >= DIGIT_0 && b <= DIGIT_9) {
                if (this.#valueEnded || this.#value >= MAX_CONTENT_LENGTH / 10)
                  return this.#fail('malformed content-length', i, mark, state);
                this.#value = this.#value * 10 + (b - DIGIT_0);
                this.#digits++;
              } else if (b === SP || b === HTAB) {
                if (this.#digits > 0) this.#valueEnded = true;
              } else {
                return this.#fail('malformed content-length', i, mark, state);
              }
              i++;
            }
          } else {
            while (i < n) {
              const b = buf[i] as number;
              if (b === CR || b === LF) break;
              if (b === NUL) return this.#fail('NUL in header value', i, mark, state);
              this.#tokenByte(b);
              i++;
            }
          }
          if (i < n) {
            if (buf[i] !== CR) return this.#fail('bare LF line ending', i, mark, state);
            i++;
            state = ST_HEADER_LF;
          }
          break;
        }

        case ST_CHUNK_SIZE: {
          while (i < n) {
            const b = buf[i] as number;
            const digit = HEX[b] as number;
            if (digit !== 255) {
              if (this.#remaining >= MAX_CHUNK_SIZE / 16) return this.#fail('chunk size too large', i, mark, state);
              this.#remaining = this.#remaining * 16 + digit;
              this.#chunkDigits++;
              i++;
              continue;
            }
            if (this.#chunkDigits === 0) return this.#fail('malformed chunk size', i, mark, state);
            i++;
            if (b === CR) state = ST_CHUNK_SIZE_LF;
            else if (b === LF) return this.#fail('bare LF line ending', i - 1, mark, state);
            else if (b === SEMICOLON || b === SP || b === HTAB) state = ST_CHUNK_EXT;
            else return this.#fail('malformed chunk size', i - 1, mark, state);
            break;
          }
          break;
        }

        case ST_CHUNK_EXT: {
          // Extensions (and whitespace before them) are skipped up to the end of the line.
          while (i < n) {
            const b = buf[i] as number;
            i++;
            if (b === CR) {
              state = ST_CHUNK_SIZE_LF;
              break;
            }
            if (b === LF) return this.#fail('bare LF line ending', i - 1, mark, state);
          }
          if (this.bodyBytes + (i - mark) - this.#lineStart > this.#maxHeaderBytes) {
            return this.#fail('chunk extensions too large', i, mark, state);
          }
          break;
        }

        case ST_CHUNK_SIZE_LF: {
          if (buf[i] !== LF) return this.#fail('CR without LF', i, mark, state);
          i++;
          state = this.#endChunkSize();
          break;
        }

        case ST_CHUNK_DATA: {
          const left = n - i;
          const remaining = this.#remaining;
          if (remaining > left) {
            this.#remaining = remaining - left;
            this.contentBytes += left;
            sink?.content(buf, i, n);
            i = n;
          } else {
            sink?.content(buf, i, i + remaining);
            i += remaining;
            this.contentBytes += remaining;
            this.#remaining = 0;
            state = ST_CHUNK_DATA_CR;
          }
          break;
        }

        case ST_CHUNK_DATA_CR: {
          const b = buf[i] as number;
          i++;
          if (b === CR) state = ST_CHUNK_DATA_LF;
          else if (b === LF) return this.#fail('bare LF line ending', i - 1, mark, state);
          else return this.#fail('missing CRLF after chunk data', i - 1, mark, state);
          break;
        }

        case ST_CHUNK_DATA_LF: {
          if (buf[i] !== LF) return this.#fail('CR without LF', i, mark, state);
          i++;
          state = this.#startChunk(i, mark);
          break;
        }

        case ST_TRAILER_START: {
          const b = buf[i] as number;
          i++;
          if (b === CR) state = ST_TRAILER_END_LF;
          else if (b === LF) return this.#fail('bare LF line ending', i - 1, mark, state);
          else state = ST_TRAILER_LINE;
          break;
        }

        case ST_TRAILER_LINE: {
          while (i < n) {
            const b = buf[i] as number;
            i++;
            if (b === CR) {
              state = ST_TRAILER_LINE_LF;
              break;
            }
            if (b === LF) return this.#fail('bare LF line ending', i - 1, mark, state);
          }
          if (this.bodyBytes + (i - mark) - this.#lineStart > this.#maxHeaderBytes) {
            return this.#fail('trailers too large', i, mark, state);
          }
          break;
        }

        case ST_TRAILER_LINE_LF: {
          if (buf[i] !== LF) return this.#fail('CR without LF', i, mark, state);
          i++;
          state = ST_TRAILER_START;
          break;
        }

        case ST_TRAILER_END_LF: {
          if (buf[i] !== LF) return this.#fail('CR without LF', i, mark, state);
          return this.#done(i + 1, mark, false);
        }

        case ST_UNTIL_CLOSE: {
          this.contentBytes += n - i;
          sink?.content(buf, i, n);
          i = n;
          break;
        }

        default:
          // ST_DONE or ST_ERROR: nothing more belongs to this response.
          return state === ST_DONE ? start : -1;
      }
    }
    this.#state = state;
    if (state < FIRST_BODY_STATE) {
      this.headerBytes += i - mark;
      sink?.head(buf, mark, i);
      if (this.headerBytes > this.#maxHeaderBytes) return this.#fail('headers too large', i, i, state);
    } else {
      this.bodyBytes += i - mark;
    }
    return i;
  }

  /** The connection ended. Returns true when that completes the response (a body delimited by the close). */
  end(): boolean {
    if (this.#state !== ST_UNTIL_CLOSE) return this.complete;
    this.#state = ST_DONE;
    this.complete = true;
    this.keepAlive = false;
    return true;
  }

  #done(i: number, mark: number, inHead: boolean): number {
    if (inHead) this.headerBytes += i - mark;
    else this.bodyBytes += i - mark;
    this.#state = ST_DONE;
    this.complete = true;
    return i;
  }

  #fail(reason: string, i: number, mark: number, state: number): number {
    if (state < FIRST_BODY_STATE) this.headerBytes += i - mark;
    else this.bodyBytes += i - mark;
    this.errorReason = reason;
    this.#state = ST_ERROR;
    return -1;
  }

  #resetHead(): void {
    this.#pos = 0;
    this.#http10 = false;
    this.#remaining = 0;
    this.#lineStart = 0;
    this.#chunkDigits = 0;
    this.#kind = KIND_NONE;
    this.#nameLength = 0;
    this.#nameMask = 0;
    this.#contentLength = -1;
    this.#transferEncoding = false;
    this.#chunked = false;
    this.#connectionClose = false;
    this.#connectionKeepAlive = false;
  }

  /** A header name ended (at its colon): is it one we read? */
  #startValue(mask: number, length: number): void {
    let kind = KIND_NONE;
    if ((mask & NAME_CONTENT_LENGTH) !== 0 && length === CONTENT_LENGTH.length) kind = KIND_CONTENT_LENGTH;
    else if ((mask & NAME_TRANSFER_ENCODING) !== 0 && length === TRANSFER_ENCODING.length) kind = KIND_TRANSFER_ENCODING;
    else if ((mask & NAME_CONNECTION) !== 0 && length === CONNECTION.length) kind = KIND_CONNECTION;
    this.#kind = kind;
    this.#digits = 0;
    this.#value = 0;
    this.#valueEnded = false;
    this.#tokenLength = 0;
    this.#tokenMask = kind === KIND_CONNECTION ? TOKEN_CLOSE | TOKEN_KEEP_ALIVE : TOKEN_CHUNKED;
    this.#tokenEnded = false;
  }

  /** One byte of a transfer-encoding or connection value: a comma-separated list of tokens. */
  #tokenByte(b: number): void {
    if (b === COMMA) {
      this.#endToken();
      return;
    }
    if (b === SP || b === HTAB) {
      if (this.#tokenLength > 0) this.#tokenEnded = true;
      return;
    }
    const length = this.#tokenLength;
    let mask = this.#tokenMask;
    if (this.#tokenEnded) {
      mask = 0; // a space inside a token: it is none of ours
    } else if (mask !== 0) {
      const lower = b | 0x20;
      if (this.#kind === KIND_TRANSFER_ENCODING) {
        if (CHUNKED[length] !== lower) mask = 0;
      } else {
        if ((mask & TOKEN_CLOSE) !== 0 && CLOSE[length] !== lower) mask &= ~TOKEN_CLOSE;
        if ((mask & TOKEN_KEEP_ALIVE) !== 0 && KEEP_ALIVE[length] !== lower) mask &= ~TOKEN_KEEP_ALIVE;
      }
    }
    this.#tokenMask = mask;
    this.#tokenLength = length + 1;
  }

  #endToken(): void {
    const length = this.#tokenLength;
    if (length > 0) {
      const mask = this.#tokenMask;
      if (this.#kind === KIND_TRANSFER_ENCODING) {
        // Only the last coding matters: chunked must be the final one.
        this.#chunked = mask !== 0 && length === CHUNKED.length;
      } else {
        if ((mask & TOKEN_CLOSE) !== 0 && length === CLOSE.length) this.#connectionClose = true;
        if ((mask & TOKEN_KEEP_ALIVE) !== 0 && length === KEEP_ALIVE.length) this.#connectionKeepAlive = true;
      }
    }
    this.#tokenLength = 0;
    this.#tokenMask = this.#kind === KIND_CONNECTION ? TOKEN_CLOSE | TOKEN_KEEP_ALIVE : TOKEN_CHUNKED;
    this.#tokenEnded = false;
  }

  /** A header line ended. Returns 0, or 1 when its value is malformed (errorReason set). */
  #endHeader(): number {
    const kind = this.#kind;
    if (kind === KIND_NONE) return 0;
    if (kind === KIND_CONTENT_LENGTH) {
      if (this.#digits === 0) {
        this.errorReason = 'malformed content-length';
        return 1;
      }
      if (this.#contentLength !== -1) {
        // RFC 9110 §8.6 lets a recipient take equal copies or refuse them; undici's client refuses them too.
        this.errorReason = this.#contentLength === this.#value ? 'duplicate content-length' : 'conflicting content-length';
        return 1;
      }
      this.#contentLength = this.#value;
      return 0;
    }
    this.#endToken();
    if (kind === KIND_TRANSFER_ENCODING) this.#transferEncoding = true;
    return 0;
  }

  /** The head (status line and headers) ended: what comes next. ST_ERROR with errorReason when it can't be. */
  #endHead(): number {
    const status = this.status;
    if (status < 200) {
      if (status === 101) {
        this.errorReason = 'unexpected 101 switching protocols';
        return ST_ERROR;
      }
      // An interim response: the real one follows.
      this.#resetHead();
      return ST_STATUS_LINE;
    }
    if (this.#transferEncoding && this.#contentLength !== -1) {
      this.errorReason = 'both transfer-encoding and content-length';
      return ST_ERROR;
    }
    this.keepAlive = this.#http10 ? this.#connectionKeepAlive && !this.#connectionClose : !this.#connectionClose;
    if (status === 204 || status === 304) {
      // RFC 9112 §6.3: no body, whatever the headers say. One that announces a body may well send it, and those
      // bytes would open the next response: the connection is not reused (undici closes it too).
      if (this.#contentLength > 0 || this.#transferEncoding) this.keepAlive = false;
      return ST_DONE;
    }
    if (this.#noBody) return ST_DONE;
    if (this.#transferEncoding) {
      if (this.#chunked) {
        this.#remaining = 0;
        this.#chunkDigits = 0;
        this.#lineStart = 0;
        return ST_CHUNK_SIZE;
      }
      // A final coding other than chunked: the body runs to the close.
      this.keepAlive = false;
      return ST_UNTIL_CLOSE;
    }
    if (this.#contentLength === 0) return ST_DONE;
    if (this.#contentLength > 0) {
      this.#remaining = this.#contentLength;
      return ST_BODY;
    }
    this.keepAlive = false;
    return ST_UNTIL_CLOSE;
  }

  /** A chunk-size line ended: its data, or (size 0) the trailers. */
  #endChunkSize(): number {
    if (this.#remaining === 0) return ST_TRAILER_START; // #lineStart still marks the size line: the bound covers both
    return ST_CHUNK_DATA;
  }

  /** A chunk's data and CRLF ended: the next chunk-size line starts at i. */
  #startChunk(i: number, mark: number): number {
    this.#remaining = 0;
    this.#chunkDigits = 0;
    this.#lineStart = this.bodyBytes + (i - mark);
    return ST_CHUNK_SIZE;
  }
}

/**
 * Where a scanner hands on what it reads, for a client that needs more than the status (a flow's exchange:
 * headers for cookies, redirects and checks; the body for checks and captures). Each call's bytes are valid
 * only during the call (the buffer is a shared read buffer): a sink copies what it keeps.
 */
export interface ResponseSink {
  /** Bytes of the head (status lines and header sections, interim responses' included), in order; the last call ends the final head. */
  head(buf: Uint8Array, start: number, end: number): void;
  /** Bytes of the body's content (chunk framing and trailers left out), in order. */
  content(buf: Uint8Array, start: number, end: number): void;
}

/** The Error for a malformed response (a cold path): `LS_PROTOCOL`, whose category is `protocol`. */
export function protocolError(reason: string): Error {
  return requestError('LS_PROTOCOL', `malformed HTTP response: ${reason}`);
}

export const DEFAULT_MAX_HEADER_BYTES = 64 * 1024;

// States. Head states first: everything from FIRST_BODY_STATE on counts as body bytes.
const ST_STATUS_LINE = 0;
const ST_REASON = 1;
const ST_STATUS_LF = 2;
const ST_LINE_START = 3;
const ST_NAME = 4;
const ST_VALUE = 5;
const ST_HEADER_LF = 6;
const ST_HEAD_END_LF = 7;
const FIRST_BODY_STATE = 8;
const ST_BODY = 8;
const ST_CHUNK_SIZE = 9;
const ST_CHUNK_EXT = 10;
const ST_CHUNK_SIZE_LF = 11;
const ST_CHUNK_DATA = 12;
const ST_CHUNK_DATA_CR = 13;
const ST_CHUNK_DATA_LF = 14;
const ST_TRAILER_START = 15;
const ST_TRAILER_LINE = 16;
const ST_TRAILER_END_LF = 17;
const ST_TRAILER_LINE_LF = 18;
const ST_UNTIL_CLOSE = 19;
const ST_DONE = 20;
const ST_ERROR = 21;

const KIND_NONE = 0;
const KIND_CONTENT_LENGTH = 1;
const KIND_TRANSFER_ENCODING = 2;
const KIND_CONNECTION = 3;

const NAME_CONTENT_LENGTH = 1;
const NAME_TRANSFER_ENCODING = 2;
const NAME_CONNECTION = 4;
const NAME_ALL = NAME_CONTENT_LENGTH | NAME_TRANSFER_ENCODING | NAME_CONNECTION;
const TOKEN_CHUNKED = 1;
const TOKEN_CLOSE = 1;
const TOKEN_KEEP_ALIVE = 2;

/** 15 significant decimal digits stay exact in a double; more is no body a test will ever see. Leading zeros
 * are digits too (RFC 9110 §8.6: 1*DIGIT): the bound is on the value, not on the count of digits. */
const MAX_CONTENT_LENGTH = 1e15;
/** 12 significant hex digits: chunks under 256 TiB, exact in a double; leading zeros are free (RFC 9112 §7.1). */
const MAX_CHUNK_SIZE = 16 ** 12;

/** RFC 9110 §5.5: a field value never holds NUL (CR and LF end it); a reply with one is malformed. */
const NUL = 0;
const CR = 13;
const LF = 10;
const SP = 32;
const HTAB = 9;
const COLON = 58;
const COMMA = 44;
const SEMICOLON = 59;
const DIGIT_0 = 48;
const DIGIT_9 = 57;

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const HTTP_1 = ascii('HTTP/1.');
const CONTENT_LENGTH = ascii('content-length');
const TRANSFER_ENCODING = ascii('transfer-encoding');
const CONNECTION = ascii('connection');
const CHUNKED = ascii('chunked');
const CLOSE = ascii('close');
const KEEP_ALIVE = ascii('keep-alive');

/** RFC 9110 tchar: what a header name is made of. */
const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TOKEN[c.charCodeAt(0)] = 1;

/** Hex digit values; 255: not a hex digit. */
const HEX = new Uint8Array(256).fill(255);
for (let d = 0; d < 10; d++) HEX[DIGIT_0 + d] = d;
for (let d = 0; d < 6; d++) {
  HEX[65 + d] = 10 + d;
  HEX[97 + d] = 10 + d;
}
