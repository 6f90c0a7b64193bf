import { execFile } from 'node:child_process';

/** Linux's USER_HZ on every common architecture: what /proc's CPU times count in. */
export const DEFAULT_CLOCK_TICKS_PER_SEC = 100;

let ticks: Promise<number> | undefined;

/**
 * Clock ticks per second (`getconf CLK_TCK`), asked once per process; DEFAULT_CLOCK_TICKS_PER_SEC when getconf
 * is missing, slow or says something odd. Never rejects.
 */
export function clockTicksPerSec(): Promise<number> {
  ticks ??= new Promise((resolve) => {
    execFile('getconf', ['CLK_TCK'], { timeout: 1_000, windowsHide: true }, (error, stdout) => {
      const value = Number(String(stdout).trim());
      resolve(error === null && Number.isInteger(value) && value > 0 && value <= 100_000 ? value : DEFAULT_CLOCK_TICKS_PER_SEC);
    });
  });
  return ticks;
}
