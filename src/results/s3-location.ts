/** An object, or a prefix of objects, in an S3-compatible store: `s3://bucket/key`. */
export interface S3Location {
  readonly bucket: string;
  /** The object's key, or a prefix (empty for the whole bucket; ending in `/` for a "directory"). */
  readonly key: string;
}

/** Whether a path as given (`--out`, a merge input) names an object store location rather than a file. */
export function isS3Url(path: string): boolean {
  return path.startsWith('s3://');
}

/**
 * `s3://bucket/key` as bucket and key, or a message saying what is wrong with it (a bucket name of 3-63
 * lower-case letters, digits, dots and hyphens; `needsKey`: an object's key, not a bucket or a `…/` prefix).
 */
export function parseS3Url(url: string, needsKey: boolean): S3Location | string {
  const rest = url.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? '' : rest.slice(slash + 1);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    return `"${bucket}" is not a bucket name (3-63 lower-case letters, digits, dots and hyphens); write s3://BUCKET/KEY`;
  if (needsKey && (key === '' || key.endsWith('/'))) return 'it names no object: give the whole key, e.g. s3://BUCKET/run-1/shard-1.json';
  return { bucket, key };
}

/** The URL of an object in a bucket. */
export function s3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
