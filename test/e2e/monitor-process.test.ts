import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readCheckedResults, runBuiltCli } from './built-cli.js';

/**
 * `monitor: {process: {command: …}}` names a process by a part of its command line; the reports must say which
 * process that was. The target is a small HTTP server on 127.0.0.1 started, like `npm exec loadseed serve`
 * starts the real one, by a wrapper whose own command line matches too: the server (the deepest match) is the
 * one sampled, and its pid and command line are in the JSON, the console summary and the HTML report.
 */
let dir: string;
let wrapper: ChildProcess | undefined;

/** Counts the requests it answers; `/count` tells how many (not counted). Exits by itself after 60 s at worst. */
const SERVER = `
import { createServer } from 'node:http';
let count = 0;
const server = createServer((request, response) => {
  if (request.url === '/count') return response.end(String(count));
  count++;
  request.resume();
  response.end('ok');
});
server.listen(0, '127.0.0.1', () => process.stdout.write(process.pid + ' ' + server.address().port + '\\n'));
setTimeout(() => process.exit(0), 60_000).unref();
process.on('SIGTERM', () => process.exit(0));
`;

/** Starts the server with the same arguments after its own (the marker), passes its output on, waits. */
const WRAPPER = `
import { spawn } from 'node:child_process';
const server = spawn(process.execPath, [new URL('./server.mjs', import.meta.url).pathname, ...process.argv.slice(2)], { stdio: ['ignore', 'inherit', 'inherit'] });
server.on('exit', (code) => process.exit(code ?? 1));
process.on('SIGTERM', () => server.kill('SIGTERM'));
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loadseed-monitor-'));
  await writeFile(join(dir, 'server.mjs'), SERVER);
  await writeFile(join(dir, 'wrapper.mjs'), WRAPPER);
});

afterEach(async () => {
  if (wrapper !== undefined && wrapper.exitCode === null && wrapper.signalCode === null) {
    const exited = once(wrapper, 'exit');
    wrapper.kill('SIGTERM');
    await exited;
  }
  wrapper = undefined;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The wrapper started with `args`; resolves with the server's pid and port once it listens. */
async function startWrappedServer(args: readonly string[]): Promise<{ wrapperPid: number; serverPid: number; port: number }> {
  wrapper = spawn(process.execPath, [join(dir, 'wrapper.mjs'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: wrapper.stdout! });
  const [line] = (await once(lines, 'line')) as [string];
  lines.close();
  const [serverPid, port] = line.split(' ').map(Number);
  return { wrapperPid: wrapper.pid!, serverPid: serverPid!, port: port! };
}

/** The escaping of EJS's `<%= %>`. */
function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[character] ?? character,
  );
}

describe.skipIf(platform() !== 'linux')('a process monitor names the process it sampled (built CLI)', () => {
  it('records the pid and the printable command line of the deepest matching process: JSON, console, HTML, report', async () => {
    const marker = `loadseed-monitored-${randomUUID()}`;
    // An argument that would set the terminal's title and ring its bell, were it printed raw.
    const hostile = '--title=\u001b]0;pwned\u0007';
    const { wrapperPid, serverPid, port } = await startWrappedServer([marker, hostile]);
    expect(serverPid).not.toBe(wrapperPid);
    const commandLine = `${process.execPath} ${join(dir, 'server.mjs')} ${marker} --title= ]0;pwned `;

    await writeFile(
      join(dir, 'monitor.yml'),
      [
        `target: http://127.0.0.1:${port}`,
        'requests: [{name: home, path: /}]',
        `monitor: {interval: 200ms, sources: [{name: server, process: {command: "${marker}"}}]}`,
        'load: {profile: arrival_rate, rate: 40, duration: 1500ms}',
        'report: {html: monitor.html, json: monitor.json}',
        '',
      ].join('\n'),
    );
    const out = await runBuiltCli(['run', 'monitor.yml'], { cwd: dir, timeoutMs: 30_000 });
    expect(out.code, out.stderr).toBe(0);

    // The JSON (valid against the schema): the server, not the wrapper, with its command line made printable.
    const doc = await readCheckedResults(dir, 'monitor.json');
    const served = Number(await (await fetch(`http://127.0.0.1:${port}/count`)).text());
    expect(doc.summary.total.count).toBe(served);
    const [source] = doc.monitor ?? [];
    expect(source?.target).toBe(`command ${marker}`);
    expect(source?.processes).toEqual([{ pid: serverPid, commandLine, fromOffsetMs: expect.any(Number) as number }]);
    // Sampled from t=0 (found before it), or from the first point of the measured phase.
    expect(source?.processes?.[0]?.fromOffsetMs).toBeLessThanOrEqual(source?.points[0]?.offsetMs ?? -1);
    expect(source?.points.filter((point) => point.memoryBytes !== null).length).toBeGreaterThanOrEqual(3);

    // The console summary's monitor block, and no control character anywhere in it.
    expect(out.stdout).toContain(`\n  server: pid ${serverPid} "${commandLine}"\n`);
    expect(out.stdout).not.toContain(`pid ${wrapperPid}`);
    expect(out.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);

    // The HTML report's Server resources section.
    const html = await readFile(join(dir, 'monitor.html'), 'utf8');
    expect(html).toContain(`<span class="process">${escapeHtml(`pid ${serverPid} "${commandLine}"`)}</span>`);
    expect(html).not.toContain('\u001b');

    // From the results file alone, as `loadseed report` renders it.
    const report = await runBuiltCli(['report', 'monitor.json', '--html', 'again.html'], { cwd: dir });
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain(`\n  server: pid ${serverPid} "${commandLine}"\n`);
    expect(await readFile(join(dir, 'again.html'), 'utf8')).toContain(
      `<span class="process">${escapeHtml(`pid ${serverPid} "${commandLine}"`)}</span>`,
    );
  });
});
