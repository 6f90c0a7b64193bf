import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/** A file a command will write, and what asked for it (`--out`, `report.json in x.yml`), for the message. */
export interface OutputTarget {
  readonly path: string;
  readonly source: string;
}

/**
 * Checks, before any work, that every file a command will write can be written: not a directory, not under a
 * file, in a directory that exists (or can be created) and is writable. One UsageError (exit 2) listing every
 * problem, ending with `consequence` (`nothing was sent`).
 */
export async function checkOutputPaths(targets: readonly OutputTarget[], cwd: string, consequence: string): Promise<void> {
  const problems: string[] = [];
  for (const target of targets) {
    const problem = await outputPathProblem(target.path, cwd);
    if (problem !== undefined) problems.push(`${target.source}: cannot write ${target.path === '' ? '""' : target.path}: ${problem}`);
  }
  if (problems.length > 0) throw new UsageError(`${problems.join('\nerror: ')}; ${consequence}`);
}

async function outputPathProblem(path: string, cwd: string): Promise<string | undefined> {
  const absolute = resolve(cwd, path);
  const shown = (dir: string): string => {
    const inside = relative(cwd, dir);
    return inside === '' ? '.' : inside.startsWith('..') || isAbsolute(inside) ? dir : inside;
  };
  const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? String(error);
  const canWrite = (target: string, mode: number): Promise<string | undefined> =>
    access(target, mode).then(() => undefined, codeOf);
  try {
    if ((await stat(absolute)).isDirectory()) return 'it is a directory (give a file name)';
    const denied = await canWrite(absolute, constants.W_OK);
    return denied === undefined ? undefined : `the file is not writable (${denied})`;
  } catch (error) {
    const code = codeOf(error);
    if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EACCES') return `cannot use it (${code})`;
  }
  // The nearest directory that exists: the file (and any directory missing below it) will be created there.
  for (let dir = dirname(absolute); ; dir = dirname(dir)) {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(dir)).isDirectory();
    } catch (error) {
      const code = codeOf(error);
      if ((code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES') && dirname(dir) !== dir) continue;
      return `cannot use the directory ${shown(dir)} (${code})`;
    }
    if (!isDirectory) return `${shown(dir)} is a file, not a directory`;
    const denied = await canWrite(dir, constants.W_OK | constants.X_OK);
    return denied === undefined ? undefined : `the directory ${shown(dir)} is not writable (${denied})`;
  }
}
