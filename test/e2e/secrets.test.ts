import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuiltCli } from './built-cli.js';

/**
 * Secrets never reach an output: canary values placed in every kind of secret (an environment variable, a
 * secret header, basic and bearer credentials, a variable marked `redact`, a cookie and a token the target
 * hands out) are searched for in the console output, the results JSON, JUnit, Markdown and HTML.
 */
const CANARIES = {
  env: 'canary-env-7f3a91',
  apiKey: 'canary-apikey-52c0d8',
  password: 'canary-password-e61b2f',
  variable: 'canary-variable-0d9e44',
  cookie: 'canary-cookie-b7a103',
  token: 'canary-token-93ce5a',
  proxy: 'canary-proxy-1a2b3c',
} as const;

let server: Server;
let url: string;
let dir: string;
const received: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-secrets-'));
  server = createServer((req, res) => {
    received.push(`${req.url ?? ''} ${JSON.stringify(req.headers)}`);
    if (req.url === '/login') {
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': `sid=${CANARIES.cookie}; Path=/` });
      res.end(JSON.stringify({ token: CANARIES.token }));
      return;
    }
    // Echoes the secrets back in places checks read: a header, and the body.
    res.writeHead(200, { 'content-type': 'application/json', 'x-api-key': CANARIES.apiKey, 'set-cookie': `sid=${CANARIES.cookie}` });
    res.end(JSON.stringify({ echo: req.headers.authorization ?? '', token: CANARIES.token, variable: CANARIES.variable }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

/** Every output a run wrote: its console streams and the files STEM.json/.xml/.md/.html in the test folder. */
async function outputsOf(out: { stdout: string; stderr: string }, stem: string): Promise<Record<string, string>> {
  const file = (extension: string): Promise<string> => readFile(join(dir, `${stem}.${extension}`), 'utf8');
  return {
    stdout: out.stdout,
    stderr: out.stderr,
    json: await file('json'),
    junit: await file('xml'),
    markdown: await file('md'),
    html: await file('html'),
  };
}

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

describe('secrets (built CLI)', () => {
  it('never appear in the console, the results JSON, JUnit, Markdown or the HTML report', async () => {
    const file = join(dir, 'secrets.yml');
    await writeFile(
      file,
      [
        'name: secrets ${SECRET_ENV}',
        `target: ${url}`,
        'redact: [session_secret]',
        `variables: {session_secret: ${CANARIES.variable}}`,
        `defaults: {headers: {x-api-key: ${CANARIES.apiKey}, proxy-authorization: ${CANARIES.proxy}}}`,
        'flows:',
        '  - name: journey',
        '    steps:',
        `      - {name: 'login \${SECRET_ENV}', method: POST, path: /login, auth: {basic: {username: user, password: ${CANARIES.password}}}, capture: [{as: token, json: $.token}]}`,
        '      - name: echo',
        '        path: /echo',
        "        auth: {bearer: '{{ token }}'}",
        "        headers: {x-session: '{{ session_secret }}', x-env: '{{ $env.SECRET_ENV }}'}",
        '        expect:',
        '          headers: {set-cookie: nope, x-api-key: nope}',
        '      - {name: body, path: /body, expect: {json: [{path: $.variable, equals: nope}]}}',
        '      - {name: token, path: /token, expect: {json: [{path: $.token, equals: nope}]}}',
        'load: {profile: constant, users: 1, iterations: 3}',
        'sla: {max_error_rate: 0}',
        '',
      ].join('\n'),
    );
    const out = await runBuiltCli(['run', file, '--out', 'r.json', '--junit', 'r.xml', '--markdown', 'r.md', '--html', 'r.html'], {
      cwd: dir,
      env: { SECRET_ENV: CANARIES.env },
    });
    // The SLA fails (the checks are made to fail, so that their reasons are reported): exit 1, not a crash.
    expect(out.code).toBe(1);
    // The secrets did reach the target: the test is not vacuous.
    const sent = received.join('\n');
    for (const value of [CANARIES.env, CANARIES.apiKey, CANARIES.variable, CANARIES.token, CANARIES.proxy]) expect(sent).toContain(value);
    const outputs = await outputsOf(out, 'r');
    const basic = Buffer.from(`user:${CANARIES.password}`).toString('base64');
    for (const [where, text] of Object.entries(outputs)) {
      for (const [kind, value] of Object.entries({ ...CANARIES, basic })) {
        expect(text.includes(value), `${kind} canary in ${where}`).toBe(false);
      }
    }
    // Redacted, not dropped: the names and reasons are there, with *** in place of the secret.
    const results = JSON.parse(outputs['json'] ?? '') as {
      scenario: { name: string };
      summary: { requests: { name: string; failureSamples?: { message: string }[] }[] };
    };
    expect(results.scenario.name).toBe('secrets ***');
    expect(results.summary.requests.map((request) => request.name)).toEqual(['login ***', 'echo', 'body', 'token']);
    const reasons = results.summary.requests.flatMap((request) => request.failureSamples ?? []).map((sample) => sample.message);
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^check header set-cookie: expected "nope", got "\*\*\*"$/),
        expect.stringMatching(/^check json \$\.variable: expected "nope", got "\*\*\*"$/),
        expect.stringMatching(/^check json \$\.token: expected "nope", got "\*\*\*"$/),
      ]),
    );
  });
});

/**
 * The target echoes what it received in other encodings than the bytes sent: JSON-escaped, percent-encoded
 * (upper- and lower-case hex), form-encoded, lower-cased, and a basic auth header as base64. Each encoded
 * form of each canary is searched for in every output. The bearer token is longer than any clip length.
 */
describe('secrets in encoded forms (built CLI)', () => {
  const ENCODED = {
    password: 'Pw "quoted" a/b+c&d=e Z',
    key: 'Key/"Mixed"+Case&=1 2',
    body: 'Body "Secret" x/y+z&w=v Q',
    query: 'QuerySecret-Url_Value.9',
    jwt: `eyJ${Array.from({ length: 60 }, (_, i) => ((i * 7919) % 4093).toString(36)).join('')}Zx`,
  } as const;
  const ENCODINGS = ['raw', 'json', 'pctU', 'pctL', 'form', 'lower'] as const;
  const lowerHex = (text: string): string => text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
  const encode = (value: string, encoding: string): unknown => {
    switch (encoding) {
      case 'json':
        return { inner: value };
      case 'pctU':
        return encodeURIComponent(value);
      case 'pctL':
        return lowerHex(encodeURIComponent(value));
      case 'form':
        return new URLSearchParams({ f: value }).toString().slice(2);
      case 'lower':
        return value.toLowerCase();
      default:
        return value;
    }
  };
  let echo: Server;
  let echoUrl: string;
  const seen: string[] = [];

  beforeAll(async () => {
    echo = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        seen.push(`${req.url ?? ''} ${req.headers.authorization ?? ''} ${String(req.headers['x-api-key'] ?? '')} ${body}`);
        const [, , source = '', encoding = ''] = (req.url ?? '').split('?')[0]!.split('/');
        const authorization = req.headers.authorization ?? '';
        const values: Record<string, string> = {
          auth: authorization.slice(authorization.indexOf(' ') + 1),
          password:
            Buffer.from(authorization.slice(authorization.indexOf(' ') + 1), 'base64')
              .toString('utf8')
              .split(':')[1] ?? '',
          key: String(req.headers['x-api-key'] ?? ''),
          body,
          url: new URL(req.url ?? '', 'http://x').searchParams.get('q') ?? '',
        };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ v: encode(values[source] ?? '', encoding) }));
      });
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', () => resolve()));
    echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    echo.closeAllConnections();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  it('redacts every form, and a secret longer than the clip length whole', async () => {
    const basic = "auth: {basic: {username: user, password: '${PW}'}}";
    const sources = {
      auth: basic,
      password: basic,
      bearer: "auth: {bearer: '${JWT}'}",
      key: "headers: {x-api-key: '${KEY}'}",
      body: "method: POST\n    body: '${BODY}'",
      url: 'query: true',
    } as const;
    const lines: string[] = [];
    for (const [name, spec] of Object.entries(sources)) {
      const source = name === 'bearer' ? 'auth' : name;
      for (const encoding of ENCODINGS) {
        const query = name === 'url' ? '?q={{ $env.QUERY }}' : '';
        lines.push(`  - name: ${name}-${encoding}`, `    path: '/echo/${source}/${encoding}${query}'`);
        if (name !== 'url') lines.push(`    ${spec}`);
        lines.push('    expect: {json: [{path: $.v, equals: nope}]}');
      }
    }
    const file = join(dir, 'encoded.yml');
    await writeFile(
      file,
      [
        `name: encoded`,
        `target: ${echoUrl}`,
        'requests:',
        ...lines,
        'load: {profile: constant, users: 1, iterations: 2}',
        'sla: {max_error_rate: 0}',
        '',
      ].join('\n'),
    );
    const out = await runBuiltCli(['run', file, '--out', 'e.json', '--junit', 'e.xml', '--markdown', 'e.md', '--html', 'e.html'], {
      cwd: dir,
      env: { PW: ENCODED.password, JWT: ENCODED.jwt, KEY: ENCODED.key, BODY: ENCODED.body, QUERY: ENCODED.query },
    });
    expect(out.code).toBe(1);
    // Every request reached the target with its secret, and every one failed its check: 36 requests × 2.
    expect(seen).toHaveLength(72);
    const sent = seen.join('\n');
    for (const value of [ENCODED.key, ENCODED.body, ENCODED.jwt, ENCODED.query]) expect(sent).toContain(value);

    const outputs = await outputsOf(out, 'e');
    const forms = (value: string): string[] => {
      const percent = encodeURIComponent(value);
      const form = new URLSearchParams({ f: value }).toString().slice(2);
      return [value, JSON.stringify(value).slice(1, -1), percent, lowerHex(percent), form, lowerHex(form), value.toLowerCase()];
    };
    const canaries = Object.entries(ENCODED).flatMap(([kind, value]) => forms(value).map((form) => [kind, form] as const));
    canaries.push(['basic', Buffer.from(`user:${ENCODED.password}`).toString('base64')]);
    // No 12-character piece of the long token either: a clip must not leave a prefix behind.
    for (let at = 0; at + 12 <= ENCODED.jwt.length; at += 6) canaries.push(['jwt piece', ENCODED.jwt.slice(at, at + 12)]);
    for (const [where, text] of Object.entries(outputs)) {
      for (const [kind, form] of canaries) expect(text.includes(form), `${kind} ${JSON.stringify(form)} in ${where}`).toBe(false);
    }
    // Redacted, not dropped: each request's reason is there with *** in place of the value.
    const results = JSON.parse(outputs['json'] ?? '') as {
      summary: { requests: { name: string; failureSamples?: { message: string }[] }[] };
    };
    const reasons = Object.fromEntries(results.summary.requests.map((request) => [request.name, request.failureSamples?.[0]?.message]));
    expect(reasons['bearer-raw']).toBe('check json $.v: expected "nope", got "***"');
    expect(reasons['key-pctL']).toBe('check json $.v: expected "nope", got "***"');
    expect(reasons['body-json']).toBe('check json $.v: expected "nope", got {"inner":"***"}');
    expect(reasons['password-form']).toBe('check json $.v: expected "nope", got "***"');
  });
});
