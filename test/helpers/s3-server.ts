import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** A local S3-compatible server (s3rver) on 127.0.0.1, a free port, with one bucket, and the environment to reach it. */
export interface S3Server {
  readonly bucket: string;
  /** `AWS_ENDPOINT_URL` and credentials s3rver accepts: what a shard's environment gets. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/** Starts s3rver with the bucket `bucket`, its objects in a temporary directory removed on close. */
export async function startS3Server(bucket: string): Promise<S3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'loadseed-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const address = await server.run();
  return {
    bucket,
    env: {
      AWS_ENDPOINT_URL: `http://127.0.0.1:${address.port}`,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
    },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
