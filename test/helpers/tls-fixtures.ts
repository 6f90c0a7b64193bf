import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A test CA, a server certificate it signed (127.0.0.1, ::1 and localhost) and a client certificate it signed. */
export interface TlsFixtures {
  /** The directory the files are in (removed when the process exits). */
  readonly dir: string;
  readonly caPem: string;
  /** Server certificate: SANs IP:127.0.0.1, IP:::1, DNS:localhost; serverAuth. */
  readonly certPem: string;
  readonly keyPem: string;
  /** Client certificate (CN=loadseed-test-client, clientAuth). */
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
  /** The same, as files in `dir` (ca.pem, server-cert.pem, server-key.pem, client-cert.pem, client-key.pem). */
  readonly caPath: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly clientCertPath: string;
  readonly clientKeyPath: string;
}

let fixtures: TlsFixtures | undefined;

/**
 * Certificates for TLS tests, generated with openssl (P-256 keys: fast) once per process into a temporary
 * directory. Throws if openssl is missing.
 */
export function tlsFixtures(): TlsFixtures {
  if (fixtures !== undefined) return fixtures;
  const dir = mkdtempSync(join(tmpdir(), 'loadseed-tls-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const path = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
  };
  const newKey = (name: string): void => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path(name));

  newKey('ca-key.pem');
  openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    path('ca-key.pem'),
    '-out',
    path('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=loadseed test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );

  const signed = (name: string, subject: string, extensions: string): void => {
    newKey(`${name}-key.pem`);
    openssl('req', '-new', '-key', path(`${name}-key.pem`), '-out', path(`${name}.csr`), '-subj', subject);
    writeFileSync(path(`${name}.ext`), extensions);
    openssl(
      'x509',
      '-req',
      '-in',
      path(`${name}.csr`),
      '-CA',
      path('ca.pem'),
      '-CAkey',
      path('ca-key.pem'),
      '-CAcreateserial',
      '-out',
      path(`${name}-cert.pem`),
      '-days',
      '2',
      '-extfile',
      path(`${name}.ext`),
    );
  };
  signed(
    'server',
    '/CN=127.0.0.1',
    'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  signed('client', '/CN=loadseed-test-client', 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');

  const read = (name: string): string => readFileSync(path(name), 'utf8');
  fixtures = {
    dir,
    caPem: read('ca.pem'),
    certPem: read('server-cert.pem'),
    keyPem: read('server-key.pem'),
    clientCertPem: read('client-cert.pem'),
    clientKeyPem: read('client-key.pem'),
    caPath: path('ca.pem'),
    certPath: path('server-cert.pem'),
    keyPath: path('server-key.pem'),
    clientCertPath: path('client-cert.pem'),
    clientKeyPath: path('client-key.pem'),
  };
  return fixtures;
}
