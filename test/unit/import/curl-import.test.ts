import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../../src/errors.js';
import { importCurl } from '../../../src/import/curl-import.js';

const FILE = 'requests.txt';

function requestsOf(text: string): Record<string, unknown>[] {
  return importCurl(text, { file: FILE }).scenario['requests'] as Record<string, unknown>[];
}

function located(text: string): string[] {
  try {
    importCurl(text, { file: FILE });
  } catch (error) {
    if (error instanceof ScenarioError) return error.issues.map((issue) => `${issue.line ?? ''}:${issue.column ?? ''} ${issue.message}`);
    throw error;
  }
  throw new Error('expected a ScenarioError');
}

describe('importCurl', () => {
  it('maps method, URL, headers and a JSON body; the common origin becomes the target', () => {
    const result = importCurl(
      `curl -X PUT 'http://127.0.0.1:3000/api/items/7?x=1' -H 'Content-Type: application/json' -H 'Accept: text/plain' -d '{"a":1,"b":[true]}'\n` +
        `curl http://127.0.0.1:3000/api/items\n`,
      { file: FILE },
    );
    expect(result.scenario['target']).toBe('${TARGET_URL:-http://127.0.0.1:3000}');
    expect(result.scenario['requests']).toEqual([
      { name: 'PUT /api/items/7', method: 'PUT', path: '/api/items/7?x=1', json: { a: 1, b: [true] }, headers: { Accept: 'text/plain' } },
      { name: 'GET /api/items', path: '/api/items' },
    ]);
    expect(result.env).toEqual([]);
  });

  it('joins \\ continuations, skips comments and blank lines, and reads $ prompts', () => {
    const requests = requestsOf(`# login first\n\n$ curl http://h.test/login \\\n  -X POST \\\n  --data-raw 'user=ann&lang=en'\n`);
    expect(requests).toEqual([{ name: 'POST /login', method: 'POST', path: '/login', form: { user: 'ann', lang: 'en' } }]);
  });

  it('POSTs data by default: -d fields joined with &, --data-urlencode encoded, a raw body keeps its type', () => {
    expect(requestsOf(`curl http://h.test/f -d a=1 -d b=2 --data-urlencode 'q=x y&z'`)[0]).toEqual({
      name: 'POST /f',
      method: 'POST',
      path: '/f',
      form: { a: '1', b: '2', q: 'x y&z' },
    });
    expect(requestsOf(`curl http://h.test/raw -H 'content-type: text/plain' --data-binary 'hello there'`)[0]).toEqual({
      name: 'POST /raw',
      method: 'POST',
      path: '/raw',
      headers: { 'content-type': 'text/plain' },
      body: 'hello there',
    });
    expect(requestsOf(`curl http://h.test/odd -d 'not a form'`)[0]).toMatchObject({
      body: 'not a form',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  });

  it('maps --json (accept added), -G (data into the query), -I, -A, -e, --max-time and clustered short flags', () => {
    const [json, get, head, agent] = requestsOf(
      [
        `curl --json '{"k":"v"}' http://h.test/j`,
        `curl -G http://h.test/s?a=1 -d b=2 -d c=3`,
        `curl -I http://h.test/`,
        `curl -sSLXPATCH http://h.test/p -A 'bot/1' -e http://h.test/from -m 2.5`,
      ].join('\n'),
    );
    expect(json).toEqual({ name: 'POST /j', method: 'POST', path: '/j', json: { k: 'v' }, headers: { accept: 'application/json' } });
    expect(get).toEqual({ name: 'GET /s', path: '/s?a=1&b=2&c=3' });
    expect(head).toEqual({ name: 'HEAD /', method: 'HEAD', path: '/' });
    expect(agent).toEqual({
      name: 'PATCH /p',
      method: 'PATCH',
      path: '/p',
      headers: { 'user-agent': 'bot/1', referer: 'http://h.test/from' },
      timeout: '2.5s',
    });
  });

  it('turns every secret into a ${ENV} placeholder, named after its header or field, and never keeps the value', () => {
    const input = [
      `curl 'http://h.test/a?token=tok-SECRET-1&page=2' -H 'Authorization: Bearer SECRET-bearer-2' -H 'X-API-Key: SECRET-key-3' -b 'sid=SECRET-cookie-4'`,
      `curl -u ann:SECRET-pass-5 http://h.test/b -d 'user=ann&password=SECRET-pass-6'`,
      `curl http://h.test/c --json '{"login":{"password":"SECRET-pass-7"}}' -H 'Authorization: Bearer SECRET-bearer-2'`,
      `curl http://bob:SECRET-url-8@h.test/d`,
    ].join('\n');
    const result = importCurl(input, { file: FILE });
    const text = JSON.stringify(result);
    for (const secret of input.match(/SECRET-[a-z]+-\d/g) ?? []) expect(text).not.toContain(secret);
    expect(result.env).toEqual([
      'TOKEN',
      'AUTH_TOKEN',
      'X_API_KEY',
      'COOKIE',
      'BASIC_PASSWORD',
      'PASSWORD',
      'PASSWORD_2',
      'BASIC_PASSWORD_2',
    ]);
    const [a, b, c, d] = result.scenario['requests'] as Record<string, unknown>[];
    expect(a).toEqual({
      name: 'GET /a',
      path: '/a?token=${TOKEN}&page=2',
      headers: { Authorization: 'Bearer ${AUTH_TOKEN}', 'X-API-Key': '${X_API_KEY}', cookie: '${COOKIE}' },
    });
    expect(b).toMatchObject({
      auth: { basic: { username: 'ann', password: '${BASIC_PASSWORD}' } },
      form: { user: 'ann', password: '${PASSWORD}' },
    });
    expect(c).toMatchObject({ json: { login: { password: '${PASSWORD_2}' } }, headers: { Authorization: 'Bearer ${AUTH_TOKEN}' } });
    expect(d).toMatchObject({ path: '/d', auth: { basic: { username: 'bob', password: '${BASIC_PASSWORD_2}' } } });
    expect(result.notes.filter((note) => note.startsWith('secret:'))).toHaveLength(8);
  });

  it('notes what it ignores and what it cannot map, by line', () => {
    const result = importCurl(`curl --compressed -k http://h.test/ -o out.txt --retry 3 --proxy-ntlm -F a=@f.txt | jq .\n`, { file: FILE });
    expect(result.notes).toEqual([
      'line 1: "| jq ." after the command ignored',
      'line 1: --compressed ignored (loadseed sends no accept-encoding of its own; add the header to test compression)',
      'line 1: -k ignored (certificates are verified: set http.tls.insecure: true to turn that off (or http.tls.ca for a private CA))',
      'line 1: -o ignored (it changes nothing the test sends)',
      'line 1: --retry ignored (it changes nothing the test sends)',
      'line 1: --proxy-ntlm not mapped',
      'line 1: -F not mapped',
    ]);
  });

  it('names repeated requests apart and keeps other origins as absolute URLs', () => {
    const result = importCurl(`curl http://a.test/x\ncurl http://a.test/x\ncurl https://b.test/y`, { file: FILE });
    expect(result.scenario['requests']).toEqual([
      { name: 'GET /x', path: '/x' },
      { name: 'GET /x #2', path: '/x' },
      { name: 'GET /y', url: 'https://b.test/y' },
    ]);
  });

  it('refuses, located, a line that is not curl, a command without URL, a flag without value, an empty input', () => {
    expect(located('curl http://h.test/\n  wget http://h.test/')).toEqual(['2:3 expected a curl command (one per line), got "wget"']);
    expect(located('\ncurl -X POST')).toEqual(['2:1 no URL in this curl command']);
    expect(located('curl http://h.test/ -H')).toEqual(['1:1 -H needs a value']);
    expect(located('curl ftp://h.test/file')).toEqual(['1:1 not an http:// or https:// URL: ftp://h.test/file']);
    expect(located('# nothing\n\n')).toEqual([': no curl command found: one per line, e.g. curl https://example.com/api']);
  });
});
