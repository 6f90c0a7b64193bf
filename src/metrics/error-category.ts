/**
 * Why a request failed other than by its status, in a few stable buckets: no response (refused, reset, timed
 * out…), or `check`: a response that failed one of the request's checks or captures, or `script`: a code hook
 * (`hooks:`) that threw or rejected. The order is the index
 * the hot path records with (`ErrorCategoryId`); append only, never reorder.
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
  'check',
  'script',
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
  check: 8,
  script: 9,
} as const satisfies Record<ErrorCategory, number>;
export type ErrorCategoryId = (typeof ErrorCategoryId)[ErrorCategory];

/**
 * What a failed request failed of, for the time series: an error category, or `status`, a response whose
 * status the request does not expect. Indexed like ERROR_CATEGORIES, `status` last.
 */
export const FAILURE_KINDS = [...ERROR_CATEGORIES, 'status'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];
/** The index of `status` in FAILURE_KINDS. */
export const STATUS_FAILURE_KIND = ERROR_CATEGORIES.length;
