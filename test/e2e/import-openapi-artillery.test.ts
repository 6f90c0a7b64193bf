import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runBuiltCli } from './built-cli.js';

/**
 * `loadseed import openapi` and `artillery` as a user runs them: the built bin (its lazy import of
 * @readme/openapi-parser included) on the integration tests' fixtures, each result accepted by the built validate.
 */
const FIXTURES = join(ROOT, 'test', 'integration', 'import', 'fixtures');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-e2e-import-oa-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadseed import openapi and artillery (built)', () => {
  it('imports the OpenAPI fixture and the Artillery fixture into scenarios the built validate accepts', async () => {
    const openapi = await runBuiltCli(['import', 'openapi', join(FIXTURES, 'pets.openapi.yaml'), '-o', 'pets.yml'], { cwd: dir });
    expect(openapi.code, openapi.stderr).toBe(0);
    expect(openapi.stderr).toContain('✓ imported 5 requests');
    const pets = await runBuiltCli(['validate', 'pets.yml'], { cwd: dir, env: { BEARER_AUTH_TOKEN: 't', API_KEY: 'k' } });
    expect(pets.code, pets.stderr).toBe(0);

    await copyFile(join(FIXTURES, 'shop.artillery.yml'), join(dir, 'shop.artillery.yml'));
    await writeFile(join(dir, 'users.csv'), 'ann,a1\nbob,b2\n');
    const artillery = await runBuiltCli(['import', 'artillery', 'shop.artillery.yml', '-o', 'shop.yml'], { cwd: dir });
    expect(artillery.code, artillery.stderr).toBe(0);
    expect(await readFile(join(dir, 'shop.yml'), 'utf8')).not.toContain('artillery-secret-key-123');
    const shop = await runBuiltCli(['validate', 'shop.yml'], { cwd: dir, env: { X_API_KEY: 'k', AUTHORIZATION_BASIC: 'b' } });
    expect(shop.code, shop.stderr).toBe(0);
  });
});
