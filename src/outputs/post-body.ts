import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * POSTs a body to a receiver on a connection of its own (never the load's), resolving on a 2xx answer and
 * rejecting otherwise with a one-line reason. `signal` aborts it (the queue's timeout).
 */
export function postBody(url: URL, body: Uint8Array, headers: Readonly<Record<string, string>>, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const auth = url.username === '' ? {} : { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` };
    const request = send(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(body.byteLength) }, signal, agent: false, ...auth },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => {
          if (chunks.length < 4) chunks.push(chunk);
        });
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new Error(`HTTP ${status} ${Buffer.concat(chunks).toString('utf8').slice(0, 120).trim()}`.trim()));
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
