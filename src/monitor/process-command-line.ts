import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A command line is shown on one line of a report: past this many characters it is clipped (`…`). */
export const MAX_COMMAND_LINE_CHARS = 200;

/**
 * Control characters (C0, DEL, C1) and the Unicode controls that reorder text: an argument may hold anything,
 * and the command line is printed to terminals and reports.
 */
const UNPRINTABLE = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * The command line of process `pid`, as `ps` shows it: its arguments joined by spaces, or `[comm]` when it has
 * none (a kernel thread); '' when neither can be read (it exited, or /proc hides it). Made printable and
 * clipped (`printableCommandLine`): it is read from another process, which chose its own arguments.
 */
export async function readCommandLine(procRoot: string, pid: number): Promise<string> {
  const dir = join(procRoot, String(pid));
  const cmdline = await readFile(join(dir, 'cmdline'), 'utf8').catch(() => '');
  const args = cmdline.split('\0').filter((arg) => arg !== '');
  if (args.length > 0) return printableCommandLine(args.join(' '));
  const comm = await readFile(join(dir, 'comm'), 'utf8').catch(() => '');
  const name = comm.replace(/\n$/, '');
  return name === '' ? '' : printableCommandLine(`[${name}]`);
}

/**
 * One printable line of at most MAX_COMMAND_LINE_CHARS characters (code points, so that a character is never
 * cut in half): each control character becomes a space, and a longer text ends in `…`.
 */
export function printableCommandLine(text: string): string {
  const characters = Array.from(text.replace(UNPRINTABLE, ' '));
  return characters.length <= MAX_COMMAND_LINE_CHARS ? characters.join('') : `${characters.slice(0, MAX_COMMAND_LINE_CHARS - 1).join('')}…`;
}
