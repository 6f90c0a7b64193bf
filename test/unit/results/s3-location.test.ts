import { describe, expect, it } from 'vitest';
import { isS3Url, parseS3Url } from '../../../src/results/s3-location.js';
import { s3ClientConfig } from '../../../src/results/s3-store.js';

describe('s3:// locations', () => {
  it('splits bucket and key; a prefix or bucket where an object is needed, and a bad bucket name, are refused', () => {
    expect(isS3Url('s3://b/k')).toBe(true);
    expect(isS3Url('results/s3://x')).toBe(false);
    expect(parseS3Url('s3://my-bucket/run-1/shard-1.json', true)).toEqual({ bucket: 'my-bucket', key: 'run-1/shard-1.json' });
    expect(parseS3Url('s3://my-bucket/run-1/', false)).toEqual({ bucket: 'my-bucket', key: 'run-1/' });
    expect(parseS3Url('s3://my-bucket', false)).toEqual({ bucket: 'my-bucket', key: '' });
    expect(parseS3Url('s3://my-bucket/run-1/', true)).toMatch(/^it names no object/);
    expect(parseS3Url('s3://my-bucket', true)).toMatch(/^it names no object/);
    expect(parseS3Url('s3:///key.json', true)).toMatch(/^"" is not a bucket name/);
    expect(parseS3Url('s3://My_Bucket/key.json', true)).toMatch(/^"My_Bucket" is not a bucket name/);
  });

  it('takes the client settings from the standard AWS variables: path-style only with a custom endpoint', () => {
    expect(s3ClientConfig({})).toMatchObject({ region: 'us-east-1', requestChecksumCalculation: 'WHEN_REQUIRED' });
    expect(s3ClientConfig({})).not.toHaveProperty('endpoint');
    expect(s3ClientConfig({})).not.toHaveProperty('credentials');
    expect(s3ClientConfig({})).not.toHaveProperty('forcePathStyle');
    const minio = s3ClientConfig({
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: 'http://minio:9000',
      AWS_ACCESS_KEY_ID: 'id',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });
    expect(minio).toMatchObject({
      region: 'eu-west-1',
      endpoint: 'http://minio:9000',
      forcePathStyle: true,
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
    });
    expect(s3ClientConfig({ AWS_ENDPOINT_URL: 'http://a', AWS_ENDPOINT_URL_S3: 'http://s3-only' }).endpoint).toBe('http://s3-only');
    expect(s3ClientConfig({ AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'eu-west-1' }).region).toBe('ap-south-1');
    // A key without its secret is no credential: the SDK's own chain decides.
    expect(s3ClientConfig({ AWS_ACCESS_KEY_ID: 'id' })).not.toHaveProperty('credentials');
  });
});
