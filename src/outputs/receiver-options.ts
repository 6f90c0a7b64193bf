/** How an output that pushes to a receiver behaves when the receiver is down or slow. */
export interface ReceiverOptions {
  /** A push that takes longer is aborted and its batch dropped; also the time given at the end to flush. */
  readonly timeoutMs: number;
  /** Batches waiting at most; one more drops the oldest. */
  readonly maxBatches: number;
  /** The one warning of the output (stderr), at its first dropped batch or when the receiver is unreachable at start. */
  readonly onWarning: (message: string) => void;
}

export const DEFAULT_RECEIVER_OPTIONS: Omit<ReceiverOptions, 'onWarning'> = { timeoutMs: 2000, maxBatches: 30 };

/** `warn`, said at most once: an output that fails costs one line on stderr, however often it fails. */
export function onceOnly(warn: (message: string) => void): (message: string) => void {
  let said = false;
  return (message) => {
    if (said) return;
    said = true;
    warn(message);
  };
}
