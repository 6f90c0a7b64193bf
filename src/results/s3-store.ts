import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { ResultsFileError } from '../errors.js';
import { ObjectStoreError } from './object-store-error.js';
import { s3Url } from './s3-location.js';
import type { S3Location } from './s3-location.js';

/**
 * Results in an S3-compatible object store (AWS S3, MinIO, …) through the AWS SDK v3 client. This module loads
 * the SDK: import it lazily (`await import(…)`), where a command meets an `s3://` path, so that plain runs never
 * load it.
 */

type Env = Readonly<Record<string, string | undefined>>;

/** An object under a prefix: its key and size. */
export interface StoredObject {
  readonly key: string;
  readonly bytes: number;
}

/** The operations loadseed needs of a store. */
export interface S3Store {
  put(location: S3Location, body: string, contentType: string): Promise<void>;
  /** The `.json` objects directly under a prefix (not in its sub-"directories"), in key order. */
  listJson(prefix: S3Location): Promise<StoredObject[]>;
  getText(location: S3Location): Promise<string>;
  close(): void;
}

/**
 * The client's settings from the standard environment variables: `AWS_REGION` (or `AWS_DEFAULT_REGION`; else
 * us-east-1), `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL` for another store than AWS (then path-style URLs, as
 * MinIO needs), `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN` (else the SDK's default chain:
 * web identity, instance roles). Checksums only where the API requires them: S3-compatible stores reject some
 * of the newer ones.
 */
export function s3ClientConfig(env: Env): S3ClientConfig {
  const endpoint = env['AWS_ENDPOINT_URL_S3'] ?? env['AWS_ENDPOINT_URL'];
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  const sessionToken = env['AWS_SESSION_TOKEN'];
  return {
    region: env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? 'us-east-1',
    ...(endpoint === undefined || endpoint === '' ? {} : { endpoint, forcePathStyle: true }),
    ...(accessKeyId === undefined || secretAccessKey === undefined
      ? {}
      : { credentials: { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) } }),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 60_000 },
    maxAttempts: 3,
  };
}

/** A store client configured from `env` (see s3ClientConfig); `close()` it when done. */
export function openS3Store(env: Env): S3Store {
  // On Node < 22 the SDK warns (7 lines in every shard's log) that its versions from January 2027 need Node 22.
  // package.json pins a version that runs on Node 20, so the warning says nothing about this install.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const client = new S3Client(s3ClientConfig(env));
  return {
    async put(location, body, contentType) {
      await guarded(location, () =>
        client.send(new PutObjectCommand({ Bucket: location.bucket, Key: location.key, Body: body, ContentType: contentType })),
      );
    },
    async listJson(prefix) {
      const found: StoredObject[] = [];
      let token: string | undefined;
      do {
        const page = await guarded(prefix, () =>
          client.send(
            new ListObjectsV2Command({
              Bucket: prefix.bucket,
              Prefix: prefix.key,
              Delimiter: '/',
              ...(token === undefined ? {} : { ContinuationToken: token }),
            }),
          ),
        );
        for (const object of page.Contents ?? [])
          if (object.Key?.endsWith('.json') === true) found.push({ key: object.Key, bytes: object.Size ?? 0 });
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async getText(location) {
      const reply = await guarded(location, () => client.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key })));
      return (await reply.Body?.transformToString('utf8')) ?? '';
    },
    close() {
      client.destroy();
    },
  };
}

/**
 * A store call, its failure as a loadseed error: the store's refusal (4xx: no such bucket or key, access denied,
 * bad credentials) is the user's to fix (ResultsFileError, exit 2); anything else (no answer, 5xx) is an
 * ObjectStoreError (exit 3). Either names the location and the store's own error name.
 */
async function guarded<T>(location: S3Location, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const url = s3Url(location.bucket, location.key);
    const reason = describeStoreError(error);
    if (status !== undefined && status >= 400 && status < 500) throw new ResultsFileError(url, reason);
    throw new ObjectStoreError(url, reason);
  }
}

/** `NoSuchBucket (HTTP 404): The specified bucket does not exist`, or the network's code: `ECONNREFUSED`. */
export function describeStoreError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const code = (error as NodeJS.ErrnoException).code;
  const name = code ?? error.name;
  const message = error.message === '' || error.message === name ? '' : `: ${error.message.split('\n')[0] ?? ''}`;
  return `${name}${status === undefined ? '' : ` (HTTP ${status})`}${message}`;
}
