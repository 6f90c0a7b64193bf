import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { ScenarioError } from '../errors.js';
import type { ScenarioIssue } from '../errors.js';
import { displayPath } from './source-map.js';
import type { DataPath, Position } from './source-map.js';
import type { Scenario } from './types.js';

/**
 * `http.tls` with its files read: PEM bytes instead of paths. The same shape as transport/tls-settings.ts's
 * `TlsSettings` (declared here too so that scenario/ does not import from engine/, downstream of it; a test
 * checks that one is assignable to the other).
 */
export interface LoadedTlsSettings {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly insecure: boolean;
  readonly serverName?: string;
}

/** A PEM file of certificates or a key is a few kilobytes (a whole CA bundle ≈ 200 KiB); more is a wrong file. */
const MAX_PEM_BYTES = 4 * 1024 * 1024;
const CERTIFICATE_BLOCK = /-----BEGIN (?:TRUSTED )?CERTIFICATE-----[\s\S]*?-----END (?:TRUSTED )?CERTIFICATE-----/g;
const KEY_BLOCK = /-----BEGIN (?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY-----/;

type TlsKey = 'ca' | 'cert' | 'key';

/**
 * Reads the files of `http.tls` (`ca`, `cert`, `key`; paths relative to the scenario's directory) once, and
 * checks them: each must be a readable PEM file of the right kind (certificates for `ca` and `cert`, an
 * unencrypted private key for `key`), `cert` and `key` come together and must match. Any problem is a
 * ScenarioError whose issues carry the data path (`http.tls.ca`), and a line and column when `locate` is given
 * (a SourceMap's `locate`). Undefined when the scenario has no `http.tls`.
 */
export async function loadTlsFiles(
  scenario: Scenario,
  locate?: (path: DataPath) => Position | undefined,
): Promise<LoadedTlsSettings | undefined> {
  const spec = scenario.data.http?.tls;
  if (spec === undefined) return undefined;
  const issues: ScenarioIssue[] = [];
  const issue = (key: TlsKey, message: string): void => {
    const path = ['http', 'tls', key];
    issues.push({ file: scenario.file, ...locate?.(path), path: displayPath(path), message });
  };

  // The three files are read at once; their problems are reported in the order ca, cert, key, whichever read
  // finished first.
  const read = async (key: TlsKey): Promise<Buffer | string | undefined> => {
    const relative = spec[key];
    if (relative === undefined) return undefined;
    const absolute = resolve(scenario.baseDir, relative);
    try {
      const bytes = await readFile(absolute);
      if (bytes.length > MAX_PEM_BYTES)
        return `${absolute} is ${bytes.length} bytes: not a PEM file (at most ${MAX_PEM_BYTES / 1024 / 1024} MiB)`;
      return bytes;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ENOENT'
        ? `no such file: ${absolute}`
        : code === 'EISDIR'
          ? `${absolute} is a directory, not a PEM file`
          : `cannot read ${absolute} (${code ?? String(error)})`;
    }
  };
  const keys = ['ca', 'cert', 'key'] as const;
  const [ca, cert, key] = (await Promise.all(keys.map(read))).map((outcome, index) => {
    if (typeof outcome !== 'string') return outcome;
    issue(keys[index] as TlsKey, outcome);
    return undefined;
  });

  if (ca !== undefined) checkCertificates('ca', ca, issue);
  if (cert !== undefined) checkCertificates('cert', cert, issue);
  if (key !== undefined) checkKey(key, issue);
  if (spec.cert !== undefined && spec.key === undefined) issue('cert', 'a client certificate needs its private key: set http.tls.key too');
  if (spec.key !== undefined && spec.cert === undefined) issue('key', 'a private key needs its client certificate: set http.tls.cert too');
  if (issues.length === 0 && cert !== undefined && key !== undefined) {
    try {
      createSecureContext({ cert, key });
    } catch (error) {
      issue('key', `the key does not go with the certificate (${firstLine(error)})`);
    }
  }
  if (issues.length > 0) throw new ScenarioError(scenario.file, issues);

  const settings: { -readonly [K in keyof LoadedTlsSettings]: LoadedTlsSettings[K] } = { insecure: spec.insecure === true };
  if (ca !== undefined) settings.ca = ca;
  if (cert !== undefined) settings.cert = cert;
  if (key !== undefined) settings.key = key;
  if (spec.server_name !== undefined) settings.serverName = spec.server_name;
  return settings;
}

/** Every certificate of a PEM file parses; there is at least one. */
function checkCertificates(key: 'ca' | 'cert', bytes: Buffer, issue: (key: TlsKey, message: string) => void): void {
  const blocks = bytes.toString('latin1').match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) {
    issue(key, 'not a PEM certificate file: no -----BEGIN CERTIFICATE----- block');
    return;
  }
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (error) {
      issue(key, `certificate ${index + 1} of the file cannot be read (${firstLine(error)})`);
      return;
    }
  }
}

function checkKey(bytes: Buffer, issue: (key: TlsKey, message: string) => void): void {
  const text = bytes.toString('latin1');
  if (!KEY_BLOCK.test(text)) {
    issue('key', 'not a PEM private key file: no -----BEGIN PRIVATE KEY----- block');
    return;
  }
  if (text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || text.includes('Proc-Type: 4,ENCRYPTED')) {
    issue('key', 'the private key is encrypted, and loadseed takes no passphrase: decrypt it (openssl pkey -in key.pem -out plain.pem)');
    return;
  }
  try {
    createPrivateKey(bytes);
  } catch (error) {
    issue('key', `the private key cannot be read (${firstLine(error)})`);
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.trim() ?? message;
}
