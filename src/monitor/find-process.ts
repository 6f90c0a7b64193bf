import { readdir, readFile, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** The kernel keeps the first 15 bytes of a command name (`comm`). */
const COMM_LENGTH = 15;

/**
 * The process a `command` names, among those of `procRoot` (normally /proc), or undefined when none does. In
 * order of preference: its name (`comm`, or the file name of its first argument) is the command; else its
 * command line (arguments joined by spaces) contains it. Among several names, the lowest pid (usually the
 * oldest: a server's main process rather than its workers); among several command lines, the deepest in the
 * process tree (a wrapper such as `npm exec` gives way to the process it runs). The calling process itself is
 * never picked.
 */
export async function findProcess(procRoot: string, command: string): Promise<number | undefined> {
  let entries: string[];
  try {
    entries = await readdir(procRoot);
  } catch {
    return undefined;
  }
  const self = await readlink(join(procRoot, 'self')).then(Number, () => Number.NaN);
  const pids = entries
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => pid !== self)
    .sort((a, b) => a - b);
  const shortName = command.slice(0, COMM_LENGTH);
  const byCommandLine: number[] = [];
  const parents = new Map<number, number>();
  for (const pid of pids) {
    const [comm, cmdline] = await Promise.all([
      readFile(join(procRoot, String(pid), 'comm'), 'utf8').catch(() => undefined),
      readFile(join(procRoot, String(pid), 'cmdline'), 'utf8').catch(() => undefined),
    ]);
    if (comm === undefined && cmdline === undefined) continue;
    const args = (cmdline ?? '').split('\0').filter((arg) => arg !== '');
    const name = comm?.replace(/\n$/, '');
    if (
      name === command ||
      (command.length > COMM_LENGTH && name === shortName) ||
      (args[0] !== undefined && basename(args[0]) === command)
    ) {
      return pid;
    }
    const parent = await readParent(procRoot, pid);
    if (parent !== undefined) parents.set(pid, parent);
    if (args.join(' ').includes(command)) byCommandLine.push(pid);
  }
  return deepestOf(byCommandLine, parents);
}

/**
 * Among processes whose command lines match, one with no matching descendant: `npm exec loadseed serve`
 * matches, and so does the node process it starts, which does the work; the wrapper sits idle. Lowest pid first.
 */
function deepestOf(matches: readonly number[], parents: ReadonlyMap<number, number>): number | undefined {
  const matching = new Set(matches);
  const ancestors = new Set<number>();
  for (const pid of matches) {
    const seen = new Set<number>([pid]);
    for (let parent = parents.get(pid); parent !== undefined && !seen.has(parent); parent = parents.get(parent)) {
      seen.add(parent);
      if (matching.has(parent)) ancestors.add(parent);
    }
  }
  return matches.find((pid) => !ancestors.has(pid));
}

/** The parent pid, from /proc/<pid>/stat (after the command name in parentheses, which may hold spaces). */
async function readParent(procRoot: string, pid: number): Promise<number | undefined> {
  const stat = await readFile(join(procRoot, String(pid), 'stat'), 'utf8').catch(() => undefined);
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  const parent = Number(fields?.[1]);
  return Number.isInteger(parent) && parent > 0 ? parent : undefined;
}
