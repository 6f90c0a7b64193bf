#!/usr/bin/env node
// parse.mjs — turns the raw output of one generator run into one line of runs.tsv.
//
//   node bench/parse.mjs --header                         print the header line
//   node bench/parse.mjs gen=wrk file=/abs/raw/prefix stage=main target=a ...   print one row
//
// run.sh passes the bookkeeping columns as key=value; this script adds the measured ones, read from
//   <file>.out   generator stdout (wrk text, autocannon -j JSON)
//   <file>.json  loadseed results (`loadseed run ... --out <file>.json`)
//   <file>.err   generator stderr (quoted in `note` when a run produced nothing)
//   <file>.time  /usr/bin/time -v (user/sys CPU, max RSS)
// loadseed only: run_cpu_us_per_req is the CPU of the measured run alone (results: generator.cpuPercent ×
// run.durationMs ÷ requests), and startup_cpu_s the rest of the process's CPU (start-up, validation, warm-up, exit).
//   <file>.rss   memory stage only: "<seconds since start>\t<VmRSS kB>" per line
// A value that cannot be read is left empty (shown as n/a in summary.md), never guessed.
// All latencies are in milliseconds.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const COLUMNS = [
  'stage',
  'gen',
  'target',
  'conns',
  'rep',
  'attempt',
  'dur_s',
  'rc',
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
  'file',
  'note',
];

const read = (f) => {
  try {
    return fs.readFileSync(f, 'utf8');
  } catch {
    return null;
  }
};
const num = (v) => (v === undefined || v === null || v === '' ? NaN : Number(v));
const unitMs = (v, u) => Number(v) * ({ us: 0.001, ms: 1, s: 1000, m: 60000, h: 3600000 }[u] ?? NaN);

export function parseWrk(txt) {
  const r = {};
  const m = txt.match(/Requests\/sec:\s+([\d.]+)/);
  if (m) r.rps = Number(m[1]);
  const lat = txt.match(/Latency\s+([\d.]+)(us|ms|s|m|h)\s+([\d.]+)(us|ms|s|m|h)\s+([\d.]+)(us|ms|s|m|h)/);
  if (lat) {
    r.mean = unitMs(lat[1], lat[2]);
    r.max = unitMs(lat[5], lat[6]);
  }
  for (const [, pct, v, u] of txt.matchAll(/^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$/gm)) r['p' + pct] = unitMs(v, u);
  const req = txt.match(/(\d+) requests in/);
  if (req) r.requests = Number(req[1]);
  const se = txt.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const nx = txt.match(/Non-2xx or 3xx responses: (\d+)/);
  r.errors = (se ? se.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + (nx ? Number(nx[1]) : 0);
  if (r.rps === undefined) r.note = 'no wrk summary in output';
  return r;
}

export function parseAutocannon(txt) {
  const j = JSON.parse(txt);
  return {
    rps: j.requests.total / j.duration,
    requests: j.requests.total,
    mean: j.latency.mean,
    p50: j.latency.p50,
    p90: j.latency.p90,
    p99: j.latency.p99,
    max: j.latency.max,
    errors: (j.errors ?? 0) + (j.timeouts ?? 0) + (j.non2xx ?? 0),
  };
}

// loadseed results: { summary: { total: { count, failures, requestsPerSec, latencyMs: {p50,p90,p99,max,mean} } } }
// Tolerant: anything missing stays undefined (n/a), with a note saying what was missing.
export function parseLoadseed(txt) {
  let j;
  try {
    j = JSON.parse(txt);
  } catch (e) {
    return { note: `results file is not JSON: ${e.message}` };
  }
  const t = j?.summary?.total;
  if (!t || typeof t !== 'object') return { note: 'results file has no summary.total' };
  const l = t.latencyMs ?? {};
  const r = { requests: t.count, errors: t.failures, rps: t.requestsPerSec, p50: l.p50, p90: l.p90, p99: l.p99, max: l.max, mean: l.mean };
  // CPU of the measured run alone (the results' generator.cpuPercent over run.durationMs): start-up, the
  // scenario's validation and the pre-t=0 warm-up left out. Optional: older builds may lack it.
  const cpuPct = j?.generator?.cpuPercent;
  const runMs = j?.run?.durationMs;
  const runCpuS = typeof cpuPct === 'number' && typeof runMs === 'number' ? (cpuPct / 100) * (runMs / 1000) : undefined;
  const missing = Object.entries(r)
    .filter(([, v]) => typeof v !== 'number')
    .map(([k]) => k);
  if (missing.length) r.note = `missing in results: ${missing.join(',')}`;
  if (runCpuS !== undefined) r.runCpuS = runCpuS;
  return r;
}

export function parseTime(txt) {
  const get = (re) => {
    const m = txt?.match(re);
    return m ? Number(m[1]) : NaN;
  };
  return {
    user: get(/User time \(seconds\): ([\d.]+)/),
    sys: get(/System time \(seconds\): ([\d.]+)/),
    cpuPct: get(/Percent of CPU this job got: (\d+)%/),
    maxRssMb: get(/Maximum resident set size \(kbytes\): (\d+)/) / 1024,
  };
}

// memory stage: RSS samples -> value at the first sample at/after baseS, last value, growth, peak
export function parseRss(txt, baseS) {
  const s = (txt ?? '')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t').map(Number))
    .filter(([t, kb]) => Number.isFinite(t) && Number.isFinite(kb) && kb > 0);
  if (!s.length) return {};
  const peak = Math.max(...s.map(([, kb]) => kb)) / 1024;
  const end = s[s.length - 1][1] / 1024;
  const baseSample = s.find(([t]) => t >= baseS);
  const base = baseSample && baseSample !== s[s.length - 1] ? baseSample[1] / 1024 : NaN;
  return { rssPeakMb: peak, rssEndMb: end, rssBaseMb: base, rssGrowthMb: end - base, samples: s.length };
}

const clean = (s) =>
  String(s)
    // eslint-disable-next-line no-control-regex -- colour escapes start with ESC
    .replace(/\x1b\[[0-9;]*m/g, '')
    .replace(/[\t\r\n]+/g, ' ')
    .trim();
/** the most telling stderr line: the first one that mentions an error, else the last one */
function errLine(txt) {
  const lines = (txt ?? '').split('\n').map(clean).filter(Boolean);
  const l = lines.find((x) => /error|cannot|failed|not available/i.test(x)) ?? lines[lines.length - 1] ?? '';
  return l.slice(0, 160);
}

export function parseRun(a) {
  const f = a.file;
  let m = {};
  const notes = [];
  try {
    if (a.gen === 'wrk') m = parseWrk(read(f + '.out') ?? '');
    else if (a.gen === 'autocannon') m = parseAutocannon(read(f + '.out') ?? '');
    else if (a.gen === 'loadseed' || a.gen === 'before') {
      const txt = read(f + '.json');
      m = txt === null ? { note: 'no results file' } : parseLoadseed(txt);
    } else m = { note: `unknown generator ${a.gen}` };
  } catch (e) {
    m = { note: `parse error: ${clean(e.message).slice(0, 80)}` };
  }
  if (m.note) notes.push(m.note);
  if (a.rc !== '0') notes.push(`rc=${a.rc}${a.rc === '124' ? ' (timed out)' : ''}`);
  if (m.note || a.rc !== '0') {
    const e = errLine(read(f + '.err'));
    if (e) notes.push(`stderr: ${e}`);
  }

  const t = parseTime(read(f + '.time'));
  const cpuS = t.user + t.sys;
  const rss = a.stage === 'memory' ? parseRss(read(f + '.rss'), num(a.mem_base_s ?? 30)) : {};
  const maxRss = Math.max(...[t.maxRssMb, rss.rssPeakMb].filter(Number.isFinite));
  const row = {
    ...a,
    requests: m.requests,
    errors: m.errors,
    rps: m.rps,
    p50_ms: m.p50,
    p90_ms: m.p90,
    p99_ms: m.p99,
    max_ms: m.max,
    mean_ms: m.mean,
    user_s: t.user,
    sys_s: t.sys,
    gen_cpu_pct: t.cpuPct,
    max_rss_mb: Number.isFinite(maxRss) ? maxRss : NaN,
    cpu_us_per_req: m.requests > 0 && Number.isFinite(cpuS) ? (cpuS * 1e6) / m.requests : NaN,
    run_cpu_us_per_req: m.requests > 0 && m.runCpuS !== undefined ? (m.runCpuS * 1e6) / m.requests : NaN,
    startup_cpu_s: m.runCpuS !== undefined && Number.isFinite(cpuS) ? cpuS - m.runCpuS : NaN,
    rss_base_mb: rss.rssBaseMb,
    rss_end_mb: rss.rssEndMb,
    rss_growth_mb: rss.rssGrowthMb,
    file: path.basename(f),
    note: notes.join('; '),
  };
  return row;
}

const fmt = (v) => (typeof v === 'number' ? (Number.isFinite(v) ? String(+v.toFixed(4)) : '') : clean(v ?? ''));
export const toTsv = (row) => COLUMNS.map((c) => fmt(row[c])).join('\t');

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  if (process.argv[2] === '--header') console.log(COLUMNS.join('\t'));
  else {
    const a = Object.fromEntries(
      process.argv.slice(2).map((kv) => {
        const i = kv.indexOf('=');
        return [kv.slice(0, i), kv.slice(i + 1)];
      }),
    );
    console.log(toTsv(parseRun(a)));
  }
}
