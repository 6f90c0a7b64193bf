import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TlsSettings } from '../../../src/transport/tls-settings.js';
import { ScenarioError } from '../../../src/errors.js';
import type { ScenarioIssue } from '../../../src/errors.js';
import { loadTlsFiles } from '../../../src/scenario/load-tls-files.js';
import type { LoadedTlsSettings } from '../../../src/scenario/load-tls-files.js';
import type { HttpSettings, Scenario } from '../../../src/scenario/types.js';
import { tlsFixtures } from '../../helpers/tls-fixtures.js';

// The two declarations of the shape stay the same: each assignable to the other.
const toEngine = (loaded: LoadedTlsSettings): TlsSettings => loaded;
const toScenario = (settings: TlsSettings): LoadedTlsSettings => settings;
void toEngine;
void toScenario;

let dir = '';
const scenarioWith = (tls: HttpSettings['tls'] | undefined): Scenario => ({
  file: 'scenarios/load.yml',
  baseDir: dir,
  data: { load: { profile: 'constant', users: 1, duration: '1s' }, ...(tls === undefined ? {} : { http: { tls } }) },
  envVarsUsed: [],
});

async function issuesOf(tls: HttpSettings['tls']): Promise<ScenarioIssue[]> {
  try {
    await loadTlsFiles(scenarioWith(tls));
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return [...(error as ScenarioError).issues];
  }
  throw new Error('expected a ScenarioError');
}

describe('loadTlsFiles', () => {
  let fixtures: ReturnType<typeof tlsFixtures>;
  beforeAll(() => {
    fixtures = tlsFixtures();
    dir = mkdtempSync(join(tmpdir(), 'loadseed-tls-files-'));
    mkdirSync(join(dir, 'certs'));
    writeFileSync(join(dir, 'certs', 'ca.pem'), fixtures.caPem);
    writeFileSync(join(dir, 'certs', 'client.pem'), fixtures.clientCertPem);
    writeFileSync(join(dir, 'certs', 'client-key.pem'), fixtures.clientKeyPem);
    writeFileSync(join(dir, 'certs', 'server-key.pem'), fixtures.keyPem);
    writeFileSync(join(dir, 'bundle.pem'), fixtures.caPem + fixtures.certPem);
    writeFileSync(join(dir, 'notes.txt'), 'not a certificate\n');
    writeFileSync(join(dir, 'broken.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    execFileSync(
      'openssl',
      ['pkey', '-in', fixtures.clientKeyPath, '-aes256', '-passout', 'pass:secret', '-out', join(dir, 'encrypted-key.pem')],
      {
        stdio: 'ignore',
      },
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is undefined without http.tls', async () => {
    expect(await loadTlsFiles(scenarioWith(undefined))).toBeUndefined();
  });

  it('reads ca, cert and key relative to the scenario directory, with insecure and server_name', async () => {
    const settings = await loadTlsFiles(
      scenarioWith({
        ca: 'certs/ca.pem',
        cert: './certs/client.pem',
        key: 'certs/client-key.pem',
        insecure: true,
        server_name: 'api.internal',
      }),
    );
    expect(settings?.ca?.toString()).toBe(fixtures.caPem);
    expect(settings?.cert?.toString()).toBe(fixtures.clientCertPem);
    expect(settings?.key?.toString()).toBe(fixtures.clientKeyPem);
    expect(settings?.insecure).toBe(true);
    expect(settings?.serverName).toBe('api.internal');
  });

  it('takes an absolute path, a bundle of several certificates, and defaults insecure to false', async () => {
    const settings = await loadTlsFiles(scenarioWith({ ca: join(dir, 'bundle.pem') }));
    expect(settings).toEqual({ insecure: false, ca: Buffer.from(fixtures.caPem + fixtures.certPem) });
    expect(await loadTlsFiles(scenarioWith({ server_name: 'x' }))).toEqual({ insecure: false, serverName: 'x' });
  });

  it('reports a missing file, located at its key', async () => {
    const issues = await issuesOf({ ca: 'certs/missing.pem' });
    expect(issues).toEqual([
      { file: 'scenarios/load.yml', path: 'http.tls.ca', message: `no such file: ${join(dir, 'certs', 'missing.pem')}` },
    ]);
  });

  it('reports a directory, a file that is not PEM, and a certificate block that does not parse', async () => {
    expect((await issuesOf({ ca: 'certs' }))[0]?.message).toMatch(/is a directory, not a PEM file/);
    const notPem = await issuesOf({ ca: 'notes.txt' });
    expect(notPem).toMatchObject([{ path: 'http.tls.ca', message: 'not a PEM certificate file: no -----BEGIN CERTIFICATE----- block' }]);
    expect((await issuesOf({ ca: 'broken.pem' }))[0]?.message).toMatch(/^certificate 1 of the file cannot be read/);
    expect(await issuesOf({ cert: 'certs/client-key.pem', key: 'certs/client-key.pem' })).toMatchObject([{ path: 'http.tls.cert' }]);
    expect(await issuesOf({ cert: 'certs/client.pem', key: 'certs/client.pem' })).toMatchObject([
      { path: 'http.tls.key', message: 'not a PEM private key file: no -----BEGIN PRIVATE KEY----- block' },
    ]);
  });

  it('wants cert and key together, and matching', async () => {
    expect(await issuesOf({ cert: 'certs/client.pem' })).toMatchObject([
      { path: 'http.tls.cert', message: 'a client certificate needs its private key: set http.tls.key too' },
    ]);
    expect(await issuesOf({ key: 'certs/client-key.pem' })).toMatchObject([
      { path: 'http.tls.key', message: 'a private key needs its client certificate: set http.tls.cert too' },
    ]);
    const mismatch = await issuesOf({ cert: 'certs/client.pem', key: 'certs/server-key.pem' });
    expect(mismatch).toMatchObject([{ path: 'http.tls.key' }]);
    expect(mismatch[0]?.message).toMatch(/^the key does not go with the certificate \(.*key values mismatch\)$/);
  });

  it('refuses an encrypted key (no passphrase option)', async () => {
    const issues = await issuesOf({ cert: 'certs/client.pem', key: 'encrypted-key.pem' });
    expect(issues).toMatchObject([{ path: 'http.tls.key' }]);
    expect(issues[0]?.message).toMatch(/^the private key is encrypted/);
  });

  it('reports every problem at once, each with a line and column when a locator is given', async () => {
    const located = await loadTlsFiles(scenarioWith({ ca: 'nope.pem', key: 'nope-key.pem' }), (path) => ({
      line: path.length,
      column: 7,
    })).catch((error: unknown) => error as ScenarioError);
    expect(located).toBeInstanceOf(ScenarioError);
    const issues = (located as ScenarioError).issues;
    expect(issues.map((issue) => issue.path)).toEqual(['http.tls.ca', 'http.tls.key', 'http.tls.key']);
    expect(issues.every((issue) => issue.line === 3 && issue.column === 7)).toBe(true);
    expect((located as ScenarioError).message).toMatch(/^scenarios\/load\.yml:3:7 {2}http\.tls\.ca {2}no such file/);
  });
});
