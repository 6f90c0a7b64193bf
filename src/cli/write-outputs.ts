import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** One file a command writes: what it is (for people), where, and how to render it. */
export interface Output {
  readonly kind: 'html' | 'results' | 'junit' | 'markdown' | 'step summary';
  readonly path: string;
  /** Add to the end of the file (GitHub's step summary) instead of replacing it. */
  readonly append?: boolean;
  render(): Promise<string>;
}

/** Writes every output it can (paths relative to `cwd`); returns the ones that failed, with the reason. */
export async function writeOutputs(outputs: readonly Output[], cwd: string): Promise<Map<Output, string>> {
  const failures = new Map<Output, string>();
  for (const output of outputs) {
    const absolute = resolve(cwd, output.path);
    try {
      await mkdir(dirname(absolute), { recursive: true });
      await (output.append === true ? appendFile : writeFile)(absolute, await output.render());
    } catch (error) {
      failures.set(output, (error as NodeJS.ErrnoException).code ?? String(error));
    }
  }
  return failures;
}
