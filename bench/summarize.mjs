#!/usr/bin/env node
// summarize.mjs OUTDIR — reads OUTDIR/runs.tsv (one line per run, written by run.sh via parse.mjs) and
// OUTDIR/env.txt, prints summary.md: medians [min–max] over reps per target × generator, and the ratios
// loadseed/autocannon and loadseed/wrk (ratio of the medians). Missing values print as n/a.
import fs from 'node:fs';
import path from 'node:path';

const out = process.argv[2];
if (!out) {
  console.error('usage: summarize.mjs OUTDIR');
  process.exit(2);
}
const lines = fs.readFileSync(path.join(out, 'runs.tsv'), 'utf8').trim().split('\n');
const head = lines.shift().split('\t');
const NUMERIC = new Set([
  'conns',
  'rep',
  'attempt',
  'dur_s',
  'wall_s',
  'quiet_wait_s',
  'other_cpu_pct',
  'tgt_cpu_pct',
  'requests',
  'errors',
  'rps',
  'p50_ms',
  'p90_ms',
  'p99_ms',
  'max_ms',
  'mean_ms',
  'user_s',
  'sys_s',
  'gen_cpu_pct',
  'max_rss_mb',
  'cpu_us_per_req',
  'run_cpu_us_per_req',
  'startup_cpu_s',
  'rss_base_mb',
  'rss_end_mb',
  'rss_growth_mb',
]);
const all = lines.filter(Boolean).map((l) =>
  Object.fromEntries(
    l.split('\t').map((v, i) => {
      const k = head[i];
      return [k, NUMERIC.has(k) ? (v === '' ? NaN : Number(v)) : v];
    }),
  ),
);

// When a run was repeated because other processes were busy, keep the attempt with the least foreign CPU.
const best = new Map();
for (const r of all) {
  const k = [r.stage, r.gen, r.target, r.conns, r.rep].join('|');
  const cur = best.get(k);
  const o = (x) => (Number.isFinite(x.other_cpu_pct) ? x.other_cpu_pct : Infinity);
  if (!cur || o(r) < o(cur)) best.set(k, r);
}
const runs = [...best.values()];

// ---------------------------------------------------------------- formatting
const fin = (xs) => xs.filter(Number.isFinite);
const median = (xs) => {
  const s = fin(xs).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};
const NA = 'n/a';
const fmtMs = (v) =>
  !Number.isFinite(v)
    ? NA
    : Math.abs(v) >= 100
      ? v.toFixed(0)
      : Math.abs(v) >= 10
        ? v.toFixed(1)
        : Math.abs(v) >= 1
          ? v.toFixed(2)
          : v.toFixed(3);
const fmtDelta = (v) => (!Number.isFinite(v) ? NA : (v >= 0 ? '+' : '−') + fmtMs(Math.abs(v)));
const fmtN = (v) => (!Number.isFinite(v) ? NA : Math.round(v).toLocaleString('en-US'));
const fmt1 = (v) => (!Number.isFinite(v) ? NA : v.toFixed(1));
const fmt2 = (v) => (!Number.isFinite(v) ? NA : v.toFixed(2));
/** median [min–max] of the finite values; n/a when there are none */
const cell = (xs, f) => {
  const s = fin(xs);
  if (!s.length) return NA;
  const lo = f(Math.min(...s)),
    hi = f(Math.max(...s));
  return s.length === 1 || lo === hi ? f(s[0]) : `${f(median(s))} [${lo}–${hi}]`;
};
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}×` : NA);
const sum = (xs) => (fin(xs).length ? fin(xs).reduce((a, b) => a + b, 0) : NaN);

const TNAME = { a: 'a nginx', b: 'b node', c: 'c node +50 ms', d: 'd stall' };
const GEN_ORDER = ['loadseed', 'before', 'autocannon', 'wrk'];
const byGen = (x, y) => GEN_ORDER.indexOf(x) - GEN_ORDER.indexOf(y);

/** stage -> Map("target|conns" -> Map(gen -> runs[])) in a stable order */
function group(stage) {
  const g = new Map();
  const rs = runs
    .filter((r) => r.stage === stage)
    .sort((x, y) => x.target.localeCompare(y.target) || x.conns - y.conns || byGen(x.gen, y.gen));
  for (const r of rs) {
    const k = `${r.target}|${r.conns}`;
    if (!g.has(k)) g.set(k, new Map());
    const m = g.get(k);
    if (!m.has(r.gen)) m.set(r.gen, []);
    m.get(r.gen).push(r);
  }
  return g;
}
const col = (rs, key) => rs.map((r) => r[key]);
const rcs = (rs) => {
  const bad = rs.filter((r) => r.rc !== '0').map((r) => r.rc);
  return bad.length ? `rc ${[...new Set(bad)].join(',')}` : '';
};

let env = '';
try {
  env = fs.readFileSync(path.join(out, 'env.txt'), 'utf8').trim();
} catch {
  /* no env.txt */
}
const knob = (name) => env.match(new RegExp(`\\b${name}=(\\S+)`))?.[1];

const L = [];
L.push('# loadseed benchmark', '');
if (env) L.push('```', env, '```', '');
L.push(
  'Cells are median [min–max] over reps; n = reps with a result. Generator pinned to core 1, target to core 0. ' +
    'n/a = no value (see Notes).',
  '',
);

// ---------------------------------------------------------------- main
const main = group('main');
if (main.size) {
  L.push(
    '## main: throughput, closed model (targets a and b)',
    '',
    '| target | conns | generator | n | req/s | p50 ms | p99 ms | gen CPU µs/req | gen CPU % | gen max RSS MB | target CPU % | other CPU % | errors | |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const [k, gens] of main) {
    const [t, c] = k.split('|');
    for (const [g, rs] of gens) {
      L.push(
        `| ${TNAME[t] ?? t} | ${c} | ${g} | ${fin(col(rs, 'rps')).length}/${rs.length} | ${cell(col(rs, 'rps'), fmtN)} | ` +
          `${cell(col(rs, 'p50_ms'), fmtMs)} | ${cell(col(rs, 'p99_ms'), fmtMs)} | ${cell(col(rs, 'cpu_us_per_req'), fmt1)} | ` +
          `${fmtN(median(col(rs, 'gen_cpu_pct')))} | ${fmtN(median(col(rs, 'max_rss_mb')))} | ${fmtN(median(col(rs, 'tgt_cpu_pct')))} | ` +
          `${fmtN(median(col(rs, 'other_cpu_pct')))} | ${fmtN(sum(col(rs, 'errors')))} | ${rcs(rs)} |`,
      );
    }
  }
  L.push(
    '',
    '### ratios loadseed / peer (ratio of the medians)',
    '',
    'req/s: above 1× means loadseed drives more load. CPU µs/req: below 1× means loadseed spends less CPU per request.',
    '',
    ...(runs.some((r) => r.stage === 'main' && r.gen === 'loadseed')
      ? []
      : ['(loadseed was not run in this stage: all ratios are n/a.)', '']),
    '| target | conns | req/s ÷ autocannon | req/s ÷ wrk | CPU/req ÷ autocannon | CPU/req ÷ wrk | req/s ÷ before | CPU/req ÷ before |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const [k, gens] of main) {
    const [t, c] = k.split('|');
    const med = (g, key) => median(col(gens.get(g) ?? [], key));
    const over = (key, g) => ratio(med('loadseed', key), med(g, key));
    L.push(
      `| ${TNAME[t] ?? t} | ${c} | ${over('rps', 'autocannon')} | ${over('rps', 'wrk')} | ` +
        `${over('cpu_us_per_req', 'autocannon')} | ${over('cpu_us_per_req', 'wrk')} | ${over('rps', 'before')} | ${over('cpu_us_per_req', 'before')} |`,
    );
  }
  L.push('');
}

// ---------------------------------------------------------------- latency
const lat = group('latency');
if (lat.size) {
  L.push(
    '## latency: target c (every response takes 50 ms + Node timer jitter)',
    '',
    'Overhead = reported latency − 50 ms; smaller is more accurate. The ideal rate is conns / 50 ms (2,000 req/s at 100).',
    '',
    'gen CPU µs/req counts the whole process (time -v); "in run" counts the measured run alone (loadseed: its results\' ' +
      'generator.cpuPercent), and start-up s is the rest (start-up, validation, pre-t=0 warm-up).',
    '',
    '| conns | generator | n | req/s | p50 ms | p99 ms | p50 − 50 ms | p99 − 50 ms | max ms | gen CPU µs/req | in run µs/req | start-up CPU s | max RSS MB | errors | |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const [k, gens] of lat) {
    const [, c] = k.split('|');
    for (const [g, rs] of gens) {
      const p50 = col(rs, 'p50_ms'),
        p99 = col(rs, 'p99_ms');
      L.push(
        `| ${c} | ${g} | ${fin(p50).length}/${rs.length} | ${cell(col(rs, 'rps'), fmtN)} | ${cell(p50, fmtMs)} | ${cell(p99, fmtMs)} | ` +
          `${cell(
            p50.map((v) => v - 50),
            fmtDelta,
          )} | ${cell(
            p99.map((v) => v - 50),
            fmtDelta,
          )} | ${fmtMs(median(col(rs, 'max_ms')))} | ` +
          `${cell(col(rs, 'cpu_us_per_req'), fmt1)} | ${cell(col(rs, 'run_cpu_us_per_req'), fmt1)} | ` +
          `${cell(col(rs, 'startup_cpu_s'), fmt2)} | ${cell(col(rs, 'max_rss_mb'), fmtN)} | ${fmtN(sum(col(rs, 'errors')))} | ${rcs(rs)} |`,
      );
    }
  }
  L.push('');
}

// ---------------------------------------------------------------- coordinated omission
const co = group('co');
if (co.size) {
  const rate = knob('CO_RATE') ?? '?',
    maxUsers = knob('CO_MAX_USERS') ?? '?';
  L.push(
    '## co: coordinated omission, target d (1 ms, but all responses held 500 ms once per second)',
    '',
    'loadseed runs the open model (arrival_rate; latency should count from the scheduled start); autocannon and wrk are ' +
      'closed loops. **Truth for the open model at 1,000/s: p90 ≈ 400 ms, p99 ≈ 490 ms** (max ≈ 500). A closed loop that ' +
      'only times the requests it sent shows p99 of a few ms (autocannon); wrk corrects its percentiles after the run ' +
      'with its own implied rate, so it lands near, but not at, the truth.',
    '',
    '| generator | model | n | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | |',
    '|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const [, gens] of co) {
    for (const [g, rs] of gens) {
      const model = g === 'loadseed' || g === 'before' ? `open, ${rate}/s, max_users ${maxUsers}` : `closed, ${rs[0].conns} conns`;
      L.push(
        `| ${g} | ${model} | ${fin(col(rs, 'p90_ms')).length}/${rs.length} | ${cell(col(rs, 'rps'), fmtN)} | ${cell(col(rs, 'p50_ms'), fmtMs)} | ` +
          `${cell(col(rs, 'p90_ms'), fmtMs)} | ${cell(col(rs, 'p99_ms'), fmtMs)} | ${cell(col(rs, 'max_ms'), fmtMs)} | ` +
          `${fmtN(sum(col(rs, 'errors')))} | ${rcs(rs)} |`,
      );
    }
  }
  L.push('');
}

// ---------------------------------------------------------------- memory
const mem = runs.filter((r) => r.stage === 'memory');
if (mem.length) {
  L.push(
    '## memory: loadseed alone against target b, RSS sampled every second from /proc',
    '',
    `| conns | duration s | req/s | requests | peak RSS MB | RSS at ${knob('MEM_BASE') ?? 30} s MB | RSS at end MB | growth after ${knob('MEM_BASE') ?? 30} s MB | errors | |`,
    '|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const r of mem) {
    L.push(
      `| ${r.conns} | ${r.dur_s} | ${fmtN(r.rps)} | ${fmtN(r.requests)} | ${fmt1(r.max_rss_mb)} | ${fmt1(r.rss_base_mb)} | ` +
        `${fmt1(r.rss_end_mb)} | ${Number.isFinite(r.rss_growth_mb) ? (r.rss_growth_mb >= 0 ? '+' : '') + fmt1(r.rss_growth_mb) : NA} | ` +
        `${fmtN(r.errors)} | ${rcs([r])} |`,
    );
  }
  L.push('');
}

// ---------------------------------------------------------------- notes
const noted = all.filter((r) => r.note);
const retried = all.filter((r) => r.attempt === 2);
if (noted.length || retried.length) {
  L.push('## Notes', '');
  // one line per distinct (gen, note-without-numbers) so a missing `loadseed run` does not print 20 lines
  const seen = new Map();
  for (const r of noted) {
    const note = r.note;
    const key = `${r.gen}|${note}`;
    if (!seen.has(key)) seen.set(key, { r, note, files: [] });
    seen.get(key).files.push(r.file);
  }
  for (const { r, note, files } of seen.values()) {
    L.push(`- ${r.gen}: ${note} (${files.length} run${files.length > 1 ? 's' : ''}, e.g. raw/${files[0]})`);
  }
  if (retried.length) L.push(`- re-run because other processes were busy: ${retried.map((r) => r.file.replace(/_a2$/, '')).join(', ')}`);
  L.push('');
}
console.log(L.join('\n'));
