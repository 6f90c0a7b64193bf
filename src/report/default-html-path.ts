import { join } from 'node:path';

/** `reports/<name>-20261125-203000.html`: one per run, never overwriting an earlier one. Relative to the working directory. */
export function defaultHtmlPath(name: string, startedAtEpochMs: number): string {
  const stamp = new Date(Number.isFinite(startedAtEpochMs) ? startedAtEpochMs : 0)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace('T', '-')
    .slice(0, 15);
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'run';
  return join('reports', `${safe}-${stamp}.html`);
}
