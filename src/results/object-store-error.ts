import { ExitCode, LoadseedError } from '../errors.js';

/** An object store (`s3://…`) that did not answer, or failed on its side: a runtime failure (exit 3), not the user's input. */
export class ObjectStoreError extends LoadseedError {
  readonly code = 'LS_OBJECT_STORE';
  readonly exitCode = ExitCode.RuntimeFailure;

  constructor(url: string, problem: string) {
    super(`${url}: the object store failed: ${problem}`);
    this.name = 'ObjectStoreError';
  }
}
