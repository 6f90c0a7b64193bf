/** Replies and parameter parsing shared by the built-in target's routes. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerState } from './route.js';

export const TEXT_PLAIN = 'text/plain; charset=utf-8';
export const APPLICATION_JSON = 'application/json; charset=utf-8';
export const OCTET_STREAM = 'application/octet-stream';

/** The longest delay any route waits (ms). */
export const MAX_DELAY_MS = 60_000;
export const MIN_STATUS_CODE = 200;
export const MAX_STATUS_CODE = 599;

/** Plain unsigned decimal integers only: no sign, no fraction, no exponent, no hex. */
const INTEGER_PATTERN = /^\d{1,10}$/;
/** Plain unsigned decimal numbers: 1, 0.5, .5, 5., 1e-3. */
const DECIMAL_PATTERN = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export function sendText(res: ServerResponse, statusCode: number, text: string): void {
  sendBody(res, statusCode, TEXT_PLAIN, text);
}

export function sendJson(res: ServerResponse, statusCode: number, value: unknown, headers: Readonly<Record<string, string>> = {}): void {
  sendBody(res, statusCode, APPLICATION_JSON, JSON.stringify(value), headers);
}

export function sendBody(
  res: ServerResponse,
  statusCode: number,
  contentType: string,
  body: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.destroyed || res.writableEnded) {
    return;
  }
  res.writeHead(statusCode, {
    ...headers,
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** Responds 200 "ok" after `delayMs`, with one timer that is cleared if the response closes first. */
export function okAfter(state: ServerState, res: ServerResponse, delayMs: number): void {
  if (delayMs <= 0) {
    sendText(res, 200, 'ok');
    return;
  }
  const timer = setTimeout(() => {
    state.timers.delete(timer);
    sendText(res, 200, 'ok');
  }, delayMs);
  state.timers.add(timer);
  res.once('close', () => {
    clearTimeout(timer);
    state.timers.delete(timer);
  });
}

/** After an unexpected error in a handler: a 500, or a dropped connection if that is too late, never a crash. */
export function failInternally(res: ServerResponse): void {
  try {
    if (res.headersSent) {
      res.destroy();
    } else {
      sendText(res, 500, 'internal error');
    }
  } catch {
    res.destroy();
  }
}

/** Answers 405 (and drains the body) unless the method is `method` (GET also allows HEAD). */
export function allowMethod(req: IncomingMessage, res: ServerResponse, method: 'GET' | 'POST'): boolean {
  if (req.method === method || (method === 'GET' && req.method === 'HEAD')) return true;
  req.resume();
  const allow = method === 'GET' ? 'GET, HEAD' : method;
  sendJson(res, 405, { error: `method ${req.method ?? ''} not allowed: use ${allow}` }, { allow });
  return false;
}

export function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  // A null prototype, so a key like "__proto__" is just a key.
  const query: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of params) {
    const previous = query[key];
    if (previous === undefined) {
      query[key] = value;
    } else if (typeof previous === 'string') {
      query[key] = [previous, value];
    } else {
      previous.push(value);
    }
  }
  return query;
}

export function parseInteger(text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined || !INTEGER_PATTERN.test(text)) {
    return undefined;
  }
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

export function parseDecimal(text: string): number | undefined {
  if (!DECIMAL_PATTERN.test(text)) {
    return undefined;
  }
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** Quotes user input for an error message, truncated so a long URL cannot bloat the response. */
export function quote(text: string | undefined): string {
  if (text === undefined) {
    return '(missing)';
  }
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a request body of up to `limitBytes`, then calls `onBody` with it (as text) — or `onTooLarge` with its
 * size when it is longer. Past the cap it keeps reading (so the client gets its 413 rather than a reset) but
 * keeps nothing.
 */
export function readCappedBody(
  req: IncomingMessage,
  limitBytes: number,
  onBody: (body: string, bodyBytes: number) => void,
  onTooLarge: (bodyBytes: number) => void,
): void {
  const chunks: Buffer[] = [];
  let bodyBytes = 0;
  req.on('data', (chunk: Buffer) => {
    bodyBytes += chunk.length;
    if (bodyBytes <= limitBytes) chunks.push(chunk);
  });
  req.on('end', () => {
    if (bodyBytes > limitBytes) onTooLarge(bodyBytes);
    else onBody(Buffer.concat(chunks, bodyBytes).toString('utf8'), bodyBytes);
  });
}
