import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { schemaReference, schemaUrl } from '../../../src/cli/schema-reference.js';

const base = mkdtempSync(join(tmpdir(), 'loadseed-schema-ref-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A package root with its schema file, at `dir`. */
function fakePackage(dir: string): string {
  mkdirSync(join(dir, 'schemas'), { recursive: true });
  writeFileSync(join(dir, 'schemas', 'scenario.schema.json'), '{}');
  return dir;
}

describe('schemaReference (init $schema)', () => {
  it('points through node_modules/loadseed when the project installed loadseed (a symlink too)', () => {
    const project = join(base, 'project');
    const installed = fakePackage(join(project, 'node_modules', 'loadseed'));
    expect(schemaReference(join(project, 'load', 'api.yml'), installed, '1.2.3')).toBe(
      '../node_modules/loadseed/schemas/scenario.schema.json',
    );
    expect(schemaReference(join(project, 'api.yml'), installed, '1.2.3')).toBe('node_modules/loadseed/schemas/scenario.schema.json');

    const linked = join(base, 'linked');
    const global = fakePackage(join(base, 'global', 'lib', 'node_modules', 'loadseed'));
    mkdirSync(join(linked, 'node_modules'), { recursive: true });
    symlinkSync(global, join(linked, 'node_modules', 'loadseed'));
    expect(schemaReference(join(linked, 'api.yml'), global, '1.2.3')).toBe('node_modules/loadseed/schemas/scenario.schema.json');
  });

  it('writes the versioned URL for npx, a global install, or another project', () => {
    const cache = fakePackage(join(base, 'home', '.npm', '_npx', 'a1b2', 'node_modules', 'loadseed'));
    const elsewhere = join(base, 'elsewhere', 'api.yml');
    expect(schemaReference(elsewhere, cache, '1.2.3')).toBe(schemaUrl('1.2.3'));
    expect(schemaUrl('1.2.3')).toBe('https://unpkg.com/loadseed@1.2.3/schemas/scenario.schema.json');
    // A project with another copy of loadseed installed: the running one's URL, not the other copy's path.
    const other = join(base, 'other');
    fakePackage(join(other, 'node_modules', 'loadseed'));
    expect(schemaReference(join(other, 'api.yml'), cache, '1.2.3')).toBe(schemaUrl('1.2.3'));
  });

  it('stays relative inside loadseed’s own checkout', () => {
    const checkout = fakePackage(join(base, 'checkout'));
    expect(schemaReference(join(checkout, 'scenarios', 'x.yml'), checkout, '1.2.3')).toBe('../schemas/scenario.schema.json');
  });
});
