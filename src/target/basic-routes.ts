/** The built-in target's basic routes: delays, status codes, payloads, latency shapes, faults, redirects, echoes. */
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { latencyShapeProblem, logNormalFor, sampleLogNormal } from './latency-shape.js';
import {
  APPLICATION_JSON,
  MAX_DELAY_MS,
  MAX_STATUS_CODE,
  MIN_STATUS_CODE,
  OCTET_STREAM,
  TEXT_PLAIN,
  okAfter,
  parseDecimal,
  parseInteger,
  queryObject,
  quote,
  readCappedBody,
  sendBody,
  sendText,
} from './replies.js';
import type { ServerState } from './route.js';

const MAX_BYTES = 100 * 1024 * 1024;
const MAX_ECHO_BODY_BYTES = 1024 * 1024;
const DEFAULT_FLAKY_RATE = 0.05;
const DEFAULT_LATENCY_MEAN_MS = 50;
const DEFAULT_LATENCY_P99_MS = 200;
/** p99 / mean of the defaults, used when only one of mean and p99 is given. */
const DEFAULT_LATENCY_P99_TO_MEAN = DEFAULT_LATENCY_P99_MS / DEFAULT_LATENCY_MEAN_MS;

/** The one buffer every /bytes response is streamed from; never mutated after this line. */
const BYTES_CHUNK = Buffer.alloc(64 * 1024, 'loadseed ');
const JSON_BODY = JSON.stringify({
  id: 1,
  name: 'loadseed',
  items: [
    { sku: 'a-1', price: 9.5 },
    { sku: 'b-2', price: 20 },
  ],
  ok: true,
});
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
const DEFAULT_REDIRECT_STATUS = 302;
/** A redirect target as sent in Location: visible ASCII only (percent-encode anything else). */
const VISIBLE_ASCII_PATTERN = /^[\x21-\x7e]+$/;
const ABSOLUTE_HTTP_URL_PATTERN = /^https?:\/\/[^/?#]/i;

export function delay(state: ServerState, res: ServerResponse, arg: string | undefined): void {
  const delayMs = parseInteger(arg, 0, MAX_DELAY_MS);
  if (delayMs === undefined) {
    sendText(res, 400, `bad delay ${quote(arg)}: use /delay/:ms with an integer 0..${MAX_DELAY_MS}`);
    return;
  }
  okAfter(state, res, delayMs);
}

export function status(res: ServerResponse, arg: string | undefined): void {
  const code = parseInteger(arg, MIN_STATUS_CODE, MAX_STATUS_CODE);
  if (code === undefined) {
    sendText(res, 400, `bad status ${quote(arg)}: use /status/:code with an integer ${MIN_STATUS_CODE}..${MAX_STATUS_CODE}`);
    return;
  }
  if (code === 204 || code === 304) {
    // These must not carry a body (nor, for 204, a Content-Length).
    res.writeHead(code);
    res.end();
    return;
  }
  sendText(res, code, code === 205 ? '' : (STATUS_CODES[code] ?? ''));
}

export function bytes(req: IncomingMessage, res: ServerResponse, arg: string | undefined): void {
  const byteCount = parseInteger(arg, 0, MAX_BYTES);
  if (byteCount === undefined) {
    sendText(res, 400, `bad size ${quote(arg)}: use /bytes/:n with an integer 0..${MAX_BYTES}`);
    return;
  }
  res.writeHead(200, { 'content-type': OCTET_STREAM, 'content-length': byteCount });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  writeBytes(res, byteCount);
}

/** Writes `remainingBytes` from BYTES_CHUNK, pausing on backpressure until 'drain'. */
function writeBytes(res: ServerResponse, remainingBytes: number): void {
  let remaining = remainingBytes;
  while (remaining > 0) {
    if (res.destroyed) {
      return;
    }
    const chunkBytes = Math.min(remaining, BYTES_CHUNK.length);
    remaining -= chunkBytes;
    const chunk = chunkBytes === BYTES_CHUNK.length ? BYTES_CHUNK : BYTES_CHUNK.subarray(0, chunkBytes);
    if (!res.write(chunk) && remaining > 0) {
      res.once('drain', () => writeBytes(res, remaining));
      return;
    }
  }
  res.end();
}

/** /json: a fixed small JSON object. */
export function json(res: ServerResponse): void {
  sendBody(res, 200, APPLICATION_JSON, JSON_BODY);
}

/** /echo: JSON describing the request, its body read up to MAX_ECHO_BODY_BYTES (else 413). */
export function echo(req: IncomingMessage, res: ServerResponse, path: string, search: string): void {
  readCappedBody(
    req,
    MAX_ECHO_BODY_BYTES,
    (body, bodyBytes) => {
      const description = {
        method: req.method ?? '',
        path,
        query: queryObject(new URLSearchParams(search)),
        headers: req.headers,
        body,
        bodyBytes,
      };
      sendBody(res, 200, APPLICATION_JSON, JSON.stringify(description));
    },
    (bodyBytes) => sendText(res, 413, `request body of ${bodyBytes} bytes exceeds the /echo limit of ${MAX_ECHO_BODY_BYTES} bytes`),
  );
}

export function flaky(res: ServerResponse, search: string): void {
  const rateText = new URLSearchParams(search).get('rate');
  const rate = rateText === null ? DEFAULT_FLAKY_RATE : parseDecimal(rateText);
  if (rate === undefined || rate > 1) {
    sendText(res, 400, `bad rate ${quote(rateText ?? undefined)}: use /flaky?rate=R with R a number 0..1`);
    return;
  }
  if (Math.random() < rate) {
    sendText(res, 500, 'error');
  } else {
    sendText(res, 200, 'ok');
  }
}

export function latency(state: ServerState, res: ServerResponse, search: string): void {
  const params = new URLSearchParams(search);
  const meanText = params.get('mean');
  const p99Text = params.get('p99');
  const meanGiven = meanText === null ? undefined : parseDecimal(meanText);
  const p99Given = p99Text === null ? undefined : parseDecimal(p99Text);
  if ((meanText !== null && meanGiven === undefined) || (p99Text !== null && p99Given === undefined)) {
    sendText(res, 400, 'bad latency shape: use /latency?mean=MS&p99=MS with numbers of milliseconds');
    return;
  }
  // Defaults are mean=50, p99=200; when only one is given, the other keeps the default ratio of 4.
  const meanMs = meanGiven ?? (p99Given === undefined ? DEFAULT_LATENCY_MEAN_MS : p99Given / DEFAULT_LATENCY_P99_TO_MEAN);
  const p99Ms = p99Given ?? meanMs * DEFAULT_LATENCY_P99_TO_MEAN;
  const problem = latencyShapeProblem(meanMs, p99Ms);
  if (problem !== undefined) {
    sendText(res, 400, `bad latency shape: ${problem}`);
    return;
  }
  const delayMs = Math.min(MAX_DELAY_MS, sampleLogNormal(logNormalFor(meanMs, p99Ms), Math.random));
  okAfter(state, res, delayMs);
}

/** /redirect?to=&status=: a redirect to a path or an http(s) URL, Location exactly `to`. */
export function redirect(res: ServerResponse, search: string): void {
  const params = new URLSearchParams(search);
  const to = params.get('to');
  const statusText = params.get('status');
  const code = statusText === null ? DEFAULT_REDIRECT_STATUS : parseInteger(statusText, MIN_STATUS_CODE, MAX_STATUS_CODE);
  if (code === undefined || !REDIRECT_STATUSES.has(code)) {
    sendText(res, 400, `bad status ${quote(statusText ?? undefined)}: use /redirect?to=URL&status=S with S one of 301, 302, 303, 307, 308`);
    return;
  }
  if (to === null || !isRedirectTarget(to)) {
    sendText(
      res,
      400,
      `bad redirect target ${quote(to ?? undefined)}: use /redirect?to=T with T a path (/me) or an http(s) URL, visible ASCII only`,
    );
    return;
  }
  sendBody(res, code, TEXT_PLAIN, `redirecting to ${to}`, { location: to });
}

/** A path ("/x", not "//host" nor "/\host", which browsers read as another host) or an absolute http(s) URL. */
function isRedirectTarget(to: string): boolean {
  if (!VISIBLE_ASCII_PATTERN.test(to)) return false;
  if (to.startsWith('/')) return !to.startsWith('//') && !to.startsWith('/\\');
  return ABSOLUTE_HTTP_URL_PATTERN.test(to) && URL.canParse(to);
}
