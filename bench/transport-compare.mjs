// Transport comparison: the whole engine (dist/: plan, virtual users, recorder, deadline sweeper) with each
// HTTP transport, next to autocannon, against local targets. Needs `npm run build` (or `npx tsc`) first.
//
//   node bench/transport-compare.mjs [--seconds 5] [--users 100] [--reps 3] [--targets node,nginx]
//                                    [--gens socket,undici,autocannon] [--gen-cpu 1] [--tgt-cpu 0] [--port-base 18180]
//
// Targets (each pinned with `taskset -c <tgt-cpu>`, started here on 127.0.0.1 and stopped by PID at the end):
//   node   bench/target-node.mjs: node:http answering "ok" at once
//   nginx  bench/nginx.conf (`return 200 'ok'`, 1 worker), __PORT__ filled in, in a scratch prefix as
//          bench/run.sh does it; skipped with a note when nginx is not installed
// Generators (each a child process pinned with `taskset -c <gen-cpu>`, closed model, <users> connections):
//   socket      loadseed through runPlan(plan): the default transport (src/transport/socket-http-target.ts)
//   undici      loadseed through executeRun(workloadOf(plan), new HttpTarget(...)), i.e. runPlan's own
//               single-thread path with the transport swapped (bench/undici/http-target.ts, compiled first)
//   autocannon  node_modules/.bin/autocannon -c <users> -d <seconds> -j URL
// Runs are interleaved: for each rep, for each target, every generator in turn. Each run is bounded by a kill
// timer (seconds + 30 s).
//
// Reported per run and as medians: req/s; CPU µs per request: `run` = process.cpuUsage() around runPlan
// (loadseed only: user + system, all threads), `proc` = the whole process from /usr/bin/time (start-up
// included; the figure comparable with autocannon's); p50/p99 (ms); failures.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const THIS_FILE = fileURLToPath(import.meta.url);
const BENCH = path.dirname(THIS_FILE);
const REPO = path.resolve(BENCH, '..');
const AUTOCANNON = path.join(REPO, 'node_modules/.bin/autocannon');
const TIME = '/usr/bin/time';

if (process.argv[2] === '--child') await child(process.argv.slice(3));
else await main();

/** One loadseed run in this (child) process; prints one JSON line. */
async function child([transport, url, users, seconds]) {
  const { buildPlan } = await import('../dist/plan/build-plan.js');
  const { runPlan } = await import('../dist/engine/run-plan.js');
  const { executeRun } = await import('../dist/engine/execute-run.js');
  const { workloadOf } = await import('../dist/engine/workload.js');
  const { createHttpTarget, httpTransportOf } = await import('../dist/engine/http-transport.js');
  // undici's Client.dispatch, bench-only: compiled from bench/undici/ by main() (see bench/tsconfig.json).
  const targetOf = async (name) => {
    if (name !== 'undici') return createHttpTarget(plan, name);
    const { HttpTarget } = await import('./.build/bench/undici/http-target.js');
    return new HttpTarget(plan.requests, { keepAlive: plan.keepAlive });
  };
  const plan = buildPlan({
    file: 'transport-compare.yml',
    baseDir: REPO,
    data: {
      name: 'transport-compare',
      target: url,
      requests: [{ name: 'get', path: '/' }],
      load: { profile: 'constant', users: Number(users), duration: `${seconds}s` },
    },
    envVarsUsed: [],
  });
  const viaRunPlan = httpTransportOf(plan) === transport;
  const cpuBefore = process.cpuUsage();
  const result = viaRunPlan ? await runPlan(plan) : await executeRun(workloadOf(plan), await targetOf(transport));
  const cpu = process.cpuUsage(cpuBefore);
  const { total } = result.recorder.snapshot();
  console.log(
    JSON.stringify({
      via: viaRunPlan ? 'runPlan' : 'executeRun',
      requests: total.requests,
      failures: total.failures,
      rps: (total.requests * 1000) / result.elapsedMs,
      runCpuUsPerReq: (cpu.user + cpu.system) / total.requests,
      p50Ms: total.responseTime.p50Us / 1000,
      p99Ms: total.responseTime.p99Us / 1000,
    }),
  );
}

async function main() {
  const { values: o } = parseArgs({
    options: {
      seconds: { type: 'string', default: '5' },
      users: { type: 'string', default: '100' },
      reps: { type: 'string', default: '3' },
      targets: { type: 'string', default: 'node,nginx' },
      gens: { type: 'string', default: 'socket,undici,autocannon' },
      'gen-cpu': { type: 'string', default: '1' },
      'tgt-cpu': { type: 'string', default: '0' },
      'port-base': { type: 'string', default: '18180' },
    },
  });
  const seconds = Number(o.seconds);
  const users = Number(o.users);
  const reps = Number(o.reps);
  const portBase = Number(o['port-base']);
  if (!(seconds > 0 && seconds <= 60 && users > 0 && users <= 2000 && reps > 0 && reps <= 20))
    throw new Error('seconds 1..60, users 1..2000, reps 1..20');
  if (!fs.existsSync(path.join(REPO, 'dist/engine/http-transport.js'))) throw new Error('dist/ is not built: npm run build');
  if (spawnSync('taskset', ['-V']).error) throw new Error('taskset missing (util-linux)');
  if (o.gens.split(',').includes('undici')) {
    const tsc = spawnSync(
      process.execPath,
      [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', path.join(REPO, 'bench/tsconfig.json')],
      { stdio: 'inherit' },
    );
    if (tsc.status !== 0) throw new Error('could not compile bench/undici/ (npx tsc -p bench/tsconfig.json)');
  }
  let gens = o.gens.split(',').filter(Boolean);
  let targetNames = o.targets.split(',').filter(Boolean);
  const notes = [];
  if (gens.includes('autocannon') && !fs.existsSync(AUTOCANNON)) {
    gens = gens.filter((g) => g !== 'autocannon');
    notes.push('autocannon skipped: node_modules/.bin/autocannon missing (npm install)');
  }
  if (targetNames.includes('nginx') && spawnSync('sh', ['-c', 'command -v nginx']).status !== 0) {
    targetNames = targetNames.filter((t) => t !== 'nginx');
    notes.push('nginx skipped: not installed');
  }
  const hasTime = fs.existsSync(TIME);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'loadseed-transport-'));
  const started = [];
  const cleanup = async () => {
    for (const p of [...started]) await stopProcess(p);
    fs.rmSync(scratch, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    console.error('interrupted: stopping what this script started');
    cleanup().finally(() => process.exit(130));
  });

  const targets = [];
  try {
    for (const [index, name] of targetNames.entries()) {
      const port = portBase + index + 1;
      if (await portOpen(port)) throw new Error(`port ${port} already in use: not starting target ${name} (--port-base)`);
      let proc;
      if (name === 'node') {
        proc = spawn('taskset', ['-c', o['tgt-cpu'], process.execPath, path.join(BENCH, 'target-node.mjs'), String(port), '0'], {
          stdio: 'ignore',
          detached: true,
        });
      } else if (name === 'nginx') {
        const dir = path.join(scratch, 'nginx');
        fs.mkdirSync(path.join(dir, 'tmp'), { recursive: true });
        fs.writeFileSync(
          path.join(dir, 'nginx.conf'),
          fs.readFileSync(path.join(BENCH, 'nginx.conf'), 'utf8').replaceAll('__PORT__', String(port)),
        );
        proc = spawn(
          'taskset',
          [
            '-c',
            o['tgt-cpu'],
            'nginx',
            '-p',
            `${dir}/`,
            '-e',
            path.join(dir, 'nginx-error.log'),
            '-c',
            path.join(dir, 'nginx.conf'),
            '-g',
            'daemon off;',
          ],
          {
            stdio: 'ignore',
            detached: true,
          },
        );
        proc.stopSignal = 'SIGQUIT';
      } else {
        throw new Error(`unknown target ${name}`);
      }
      started.push(proc);
      if (!(await waitPort(port, proc))) throw new Error(`target ${name} did not come up on port ${port}`);
      targets.push({ name, url: `http://127.0.0.1:${port}` });
      console.error(`target ${name} up: http://127.0.0.1:${port}/ (pid ${proc.pid}, cpu ${o['tgt-cpu']})`);
    }

    // Warm the targets (and the page cache for node + dist): not recorded.
    for (const target of targets) await runGen('socket', target.url, Math.min(users, 50), 2);

    const runs = [];
    for (let rep = 1; rep <= reps; rep++) {
      for (const target of targets) {
        for (const gen of gens) {
          const r = await runGen(gen, target.url, users, seconds);
          runs.push({ rep, target: target.name, gen, ...r });
          console.error(
            `rep ${rep} ${target.name.padEnd(5)} ${gen.padEnd(10)} ${fmt(r.rps, 0).padStart(7)} req/s  ` +
              `cpu/req run ${fmt(r.runCpuUsPerReq, 2)} µs, proc ${fmt(r.procCpuUsPerReq, 2)} µs  ` +
              `p50 ${fmt(r.p50Ms, 2)} p99 ${fmt(r.p99Ms, 2)} ms  failures ${r.failures ?? 'n/a'}${r.note ? `  [${r.note}]` : ''}`,
          );
        }
      }
    }
    printSummary(runs, targets, gens, { seconds, users, reps, genCpu: o['gen-cpu'], tgtCpu: o['tgt-cpu'], notes });
  } finally {
    await cleanup();
  }

  /** One generator run, pinned, bounded; resolves with its figures (undefined fields: not measured). */
  async function runGen(gen, url, conns, secs) {
    const timeFile = path.join(scratch, `time-${process.hrtime.bigint()}`);
    const command =
      gen === 'autocannon'
        ? [AUTOCANNON, '-c', String(conns), '-d', String(secs), '-j', url]
        : [process.execPath, THIS_FILE, '--child', gen, url, String(conns), String(secs)];
    const argv = [...(hasTime ? [TIME, '-f', '%U %S', '-o', timeFile] : []), 'taskset', '-c', o['gen-cpu'], ...command];
    const { stdout, stderr, code } = await runBounded(argv, (secs + 30) * 1000);
    const result = {};
    try {
      const json = JSON.parse(stdout.trim().split('\n').pop() ?? '');
      if (gen === 'autocannon') {
        Object.assign(result, {
          requests: json.requests.total,
          rps: json.requests.total / json.duration,
          p50Ms: json.latency.p50,
          p99Ms: json.latency.p99,
          failures: (json.errors ?? 0) + (json.timeouts ?? 0) + (json.non2xx ?? 0),
        });
      } else {
        Object.assign(result, json);
      }
    } catch {
      result.note = `no result (exit ${code}): ${stderr.trim().split('\n').pop()?.slice(0, 120) ?? ''}`;
    }
    if (hasTime && fs.existsSync(timeFile)) {
      const [user, sys] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(/\s+/).map(Number);
      if (result.requests > 0) result.procCpuUsPerReq = ((user + sys) * 1e6) / result.requests;
    }
    return result;
  }

  function runBounded(argv, limitMs) {
    return new Promise((resolve) => {
      const proc = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      started.push(proc);
      let stdout = '';
      let stderr = '';
      proc.stdout.on('data', (d) => (stdout += d));
      proc.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => stopProcess(proc), limitMs);
      proc.once('close', (code) => {
        clearTimeout(timer);
        started.splice(started.indexOf(proc), 1);
        resolve({ stdout, stderr, code });
      });
    });
  }
}

function printSummary(runs, targets, gens, k) {
  const median = (xs) => {
    const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
    return s.length === 0 ? undefined : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  console.log(
    `\n## transport-compare: node ${process.version}, ${os.cpus().length} cpus, ${k.users} users, ${k.seconds} s, ${k.reps} reps (interleaved), generator on cpu ${k.genCpu}, target on cpu ${k.tgtCpu}`,
  );
  for (const note of k.notes) console.log(`NOTE: ${note}`);
  console.log('\n| target | generator | req/s (median) | CPU µs/req run | CPU µs/req proc | p50 ms | p99 ms | failures | req/s per rep |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---|');
  const medians = {};
  for (const target of targets) {
    for (const gen of gens) {
      const rs = runs.filter((r) => r.target === target.name && r.gen === gen);
      const m = {
        rps: median(rs.map((r) => r.rps)),
        run: median(rs.map((r) => r.runCpuUsPerReq)),
        proc: median(rs.map((r) => r.procCpuUsPerReq)),
        p50: median(rs.map((r) => r.p50Ms)),
        p99: median(rs.map((r) => r.p99Ms)),
      };
      medians[`${target.name}/${gen}`] = m;
      const failures = rs.reduce((sum, r) => sum + (r.failures ?? 0), 0);
      console.log(
        `| ${target.name} | ${gen} | ${fmt(m.rps, 0)} | ${fmt(m.run, 2)} | ${fmt(m.proc, 2)} | ${fmt(m.p50, 2)} | ${fmt(m.p99, 2)} | ${failures} | ${rs.map((r) => fmt(r.rps, 0)).join(', ')} |`,
      );
    }
  }
  console.log('');
  for (const target of targets) {
    const s = medians[`${target.name}/socket`];
    for (const other of ['undici', 'autocannon']) {
      const b = medians[`${target.name}/${other}`];
      if (s === undefined || b === undefined || !s.rps || !b.rps) continue;
      console.log(
        `${target.name}: socket / ${other}: req/s ×${fmt(s.rps / b.rps, 2)}` +
          (s.proc && b.proc ? `, CPU per request (proc) ×${fmt(s.proc / b.proc, 2)}` : '') +
          (other === 'undici' && s.run && b.run ? `, (run) ×${fmt(s.run / b.run, 2)}` : ''),
      );
    }
  }
}

function fmt(x, digits) {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

/** Stops a process this script started (its own process group: time/taskset and what they run). */
async function stopProcess(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', () => resolve(true)));
  try {
    process.kill(-proc.pid, proc.stopSignal ?? 'SIGTERM');
  } catch {
    return;
  }
  const stopped = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve(false), 5000))]);
  if (stopped) return;
  try {
    process.kill(-proc.pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitPort(port, proc) {
  for (let i = 0; i < 100; i++) {
    if (await portOpen(port)) return true;
    if (proc.exitCode !== null) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}
