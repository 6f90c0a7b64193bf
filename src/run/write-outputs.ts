import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** One file a command writes: what it is (for people), where, and how to render it. */
export interface Output {
  readonly kind: 'html' | 'results' | 'junit' | 'markdown' | 'step summary';
  readonly path: string;
  /** Add to the end of the file (GitHub's step summary) instead of replacing it. */
  readonly append?: boolean;
  /** Called inside the write's error handling: a throw or a rejection is that file's failure. */
  render(): string | Promise<string>;
}

/**
 * Writes every output it can (paths relative to `cwd`); returns the ones that failed, with the reason. A file
 * is written beside its path and renamed into place, so that it is whole or absent — never cut short by a
 * second Ctrl-C, a full disk or a crash midway (appending is the exception: it adds to a file of someone else's).
 */
export async function writeOutputs(outputs: readonly Output[], cwd: string): Promise<Map<Output, string>> {
  const failures = new Map<Output, string>();
  for (const output of outputs) {
    const absolute = resolve(cwd, output.path);
    // Unique per write, not per process: two runs of one process (the API, shards in-process) may write one path.
    const partial = `${absolute}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;
    try {
      await mkdir(dirname(absolute), { recursive: true });
      const text = await output.render();
      if (output.append === true) {
        await appendFile(absolute, text);
      } else {
        await writeFile(partial, text);
        await rename(partial, absolute);
      }
    } catch (error) {
      await rm(partial, { force: true }).catch(() => undefined);
      failures.set(output, (error as NodeJS.ErrnoException).code ?? String(error));
    }
  }
  return failures;
}
