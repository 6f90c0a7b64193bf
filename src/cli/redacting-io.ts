import { redactText } from '../scenario/secrets.js';
import type { CliIo, OutputStream } from './io.js';

/**
 * The CLI's streams with every secret of a run replaced by `***` (scenario/secrets.ts): whatever a command
 * prints — the plan line, live progress, the summary, warnings — goes through here. Lines are written whole,
 * so a secret is never split across two writes.
 */
export function redactingIo(io: CliIo, secrets: readonly string[]): CliIo {
  if (secrets.length === 0) return io;
  return { ...io, stdout: redactingStream(io.stdout, secrets), stderr: redactingStream(io.stderr, secrets) };
}

function redactingStream(stream: OutputStream, secrets: readonly string[]): OutputStream {
  return {
    write: (text: string) => stream.write(redactText(text, secrets)),
    get isTTY(): boolean {
      return stream.isTTY === true;
    },
    get columns(): number {
      return stream.columns ?? 0;
    },
  };
}
