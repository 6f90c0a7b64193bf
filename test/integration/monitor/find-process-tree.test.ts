import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { findProcess } from '../../../src/monitor/find-process.js';

/**
 * `monitor: {process: {command: "loadseed serve"}}` picked the idle `npm exec` wrapper, whose command line
 * matches as the server's does: among matching command lines, the one with no matching descendant wins.
 */
let parent: ChildProcess | undefined;

afterEach(() => {
  parent?.kill('SIGKILL');
  parent = undefined;
});

describe.runIf(process.platform === 'linux')('findProcess on a real process tree', () => {
  it('picks the matching child, not its matching parent', async () => {
    const marker = `marker-${randomUUID()}`;
    // The parent starts a child with the same marker, prints its pid, and both wait until killed.
    const childCode = 'setInterval(() => {}, 1000)';
    const parentCode = `const c = require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(childCode)}, process.argv[1]], {stdio: 'ignore'}); console.log(c.pid); process.on('SIGTERM', () => { c.kill('SIGKILL'); process.exit(0); }); setInterval(() => {}, 1000);`;
    parent = spawn(process.execPath, ['-e', parentCode, marker], { stdio: ['ignore', 'pipe', 'inherit'] });
    const childPid = await new Promise<number>((resolve) =>
      parent?.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
    );
    expect(childPid).toBeGreaterThan(0);
    try {
      expect(await findProcess('/proc', marker)).toBe(childPid);
    } finally {
      parent.kill('SIGTERM');
      await new Promise((resolve) => parent?.once('exit', resolve));
    }
  });
});
