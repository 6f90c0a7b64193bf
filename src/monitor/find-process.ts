import { readdir, readFile, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** The kernel keeps the first 15 bytes of a command name (`comm`). */
const COMM_LENGTH = 15;

/**
 * The process a `command` names, among those of `procRoot` (normally /proc), or undefined when none does. In
 * order of preference: its name (`comm`, or the file name of its first argument) is the command; else its
 * command line (arguments joined by spaces) contains it. Among several, the lowest pid (usually the oldest:
 * a server's main process rather than its workers). The calling process itself is never picked.
 */
export async function findProcess(procRoot: string, command: string): Promise<number | undefined> {
  let entries: string[];
  try {
    entries = await readdir(procRoot);
  } catch {
    return undefined;
  }
  const self = await readlink(join(procRoot, 'self')).then(Number, () => Number.NaN);
  const pids = entries.filter((entry) => /^\d+$/.test(entry)).map(Number).filter((pid) => pid !== self).sort((a, b) => a - b);
  const shortName = command.slice(0, COMM_LENGTH);
  let byCommandLine: number | undefined;
  for (const pid of pids) {
    const [comm, cmdline] = await Promise.all([
      readFile(join(procRoot, String(pid), 'comm'), 'utf8').catch(() => undefined),
      readFile(join(procRoot, String(pid), 'cmdline'), 'utf8').catch(() => undefined),
    ]);
    if (comm === undefined && cmdline === undefined) continue;
    const args = (cmdline ?? '').split('\0').filter((arg) => arg !== '');
    const name = comm?.replace(/\n$/, '');
    if (name === command || (command.length > COMM_LENGTH && name === shortName) || (args[0] !== undefined && basename(args[0]) === command)) {
      return pid;
    }
    if (byCommandLine === undefined && args.join(' ').includes(command)) byCommandLine = pid;
  }
  return byCommandLine;
}
