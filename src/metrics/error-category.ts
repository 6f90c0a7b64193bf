/**
 * Why a request got no response, in a few stable buckets. The order is the index the hot path records
 * with (`ErrorCategoryId`); append only, never reorder.
 */
export const ERROR_CATEGORIES = [
  'connection_refused',
  'connection_reset',
  'timeout',
  'dns',
  'tls',
  'protocol',
  'aborted',
  'other',
] as const;

export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

/** Index of a category in ERROR_CATEGORIES: what `Recorder.recordError` takes. */
export const ErrorCategoryId = {
  connection_refused: 0,
  connection_reset: 1,
  timeout: 2,
  dns: 3,
  tls: 4,
  protocol: 5,
  aborted: 6,
  other: 7,
} as const satisfies Record<ErrorCategory, number>;
export type ErrorCategoryId = (typeof ErrorCategoryId)[ErrorCategory];
