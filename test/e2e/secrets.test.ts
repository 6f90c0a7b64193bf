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
        "      - name: echo",
        '        path: /echo',
        "        auth: {bearer: '{{ token }}'}",
        "        headers: {x-session: '{{ session_secret }}', x-env: '{{ $env.SECRET_ENV }}'}",
        '        expect:',
        '          headers: {set-cookie: nope, x-api-key: nope}',
        "      - {name: body, path: /body, expect: {json: [{path: $.variable, equals: nope}]}}",
        "      - {name: token, path: /token, expect: {json: [{path: $.token, equals: nope}]}}",
        'load: {profile: constant, users: 1, iterations: 3}',
        'sla: {max_error_rate: 0}',
        '',
      ].join('\n'),
    );
    const out = await runBuiltCli(
      ['run', file, '--out', 'r.json', '--junit', 'r.xml', '--markdown', 'r.md', '--html', 'r.html'],
      { cwd: dir, env: { SECRET_ENV: CANARIES.env } },
    );
    // The SLA fails (the checks are made to fail, so that their reasons are reported): exit 1, not a crash.
    expect(out.code).toBe(1);
    // The secrets did reach the target: the test is not vacuous.
    const sent = received.join('\n');
    for (const value of [CANARIES.env, CANARIES.apiKey, CANARIES.variable, CANARIES.token, CANARIES.proxy]) expect(sent).toContain(value);
    const outputs: Record<string, string> = {
      stdout: out.stdout,
      stderr: out.stderr,
      json: await readFile(join(dir, 'r.json'), 'utf8'),
      junit: await readFile(join(dir, 'r.xml'), 'utf8'),
      markdown: await readFile(join(dir, 'r.md'), 'utf8'),
      html: await readFile(join(dir, 'r.html'), 'utf8'),
    };
    const basic = Buffer.from(`user:${CANARIES.password}`).toString('base64');
    for (const [where, text] of Object.entries(outputs)) {
      for (const [kind, value] of Object.entries({ ...CANARIES, basic })) {
        expect(text.includes(value), `${kind} canary in ${where}`).toBe(false);
      }
    }
    // Redacted, not dropped: the names and reasons are there, with *** in place of the secret.
    const results = JSON.parse(outputs['json'] ?? '') as { scenario: { name: string }; summary: { requests: { name: string; failureSamples?: { message: string }[] }[] } };
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
  }, 30_000);
});
