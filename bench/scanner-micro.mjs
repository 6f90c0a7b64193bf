// Micro-benchmark of ResponseScanner, the raw-socket client's HTTP/1.1 response parser: ns per operation and
// operations per second for each of its hot paths. Needs `npm run build` first (it imports dist/).
//
//   node bench/scanner-micro.mjs [--samples 15] [--ops 200000] [--rounds 5] [--only CASE] [DIST_DIR ...]
//
// DIST_DIR (default: this repo's dist/) is a built tree holding transport/response-scanner.js. Each case: a warm-up
// of `ops` operations (untimed), then `samples` timed runs of `ops` operations; the figure is the median run's
// ns/op (min and max beside it). Given several DIST_DIRs (say a copy of main's dist/ and this tree's), each is
// measured in its own process (one class per process: no call site sees two scanners), `rounds` times, the
// processes taking turns so that drift of the machine hits all alike; the figure is then the median over the
// rounds of each round's median, and the ratio to the first DIST_DIR is printed. Pin it for steadier figures:
// `taskset -c 1 node bench/scanner-micro.mjs`.
//
// Cases (one operation each):
//   small      begin(false) + feed() of a 150-byte content-length response, whole
//   chunked    begin(false) + feed() of a chunked response: 3 chunks, one with an extension, and a trailer
//   split      begin(false) + feed() of the small response in 7-byte pieces (22 calls), as a slow socket delivers it
//   pipelined  feed() of 8 small responses back to back in one buffer, begin() between them
//   begin/end  begin(false) + feed() of a close-delimited head + end(): the connection's close ends the body
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const args = process.argv.slice(2);
let samples = 15;
let ops = 200_000;
let rounds = 5;
let json = false;
let only = '';
const dists = [];
for (let k = 0; k < args.length; k++) {
  if (args[k] === '--samples') samples = Number(args[++k]);
  else if (args[k] === '--ops') ops = Number(args[++k]);
  else if (args[k] === '--rounds') rounds = Number(args[++k]);
  else if (args[k] === '--json') json = true;
  else if (args[k] === '--only') only = args[++k];
  else dists.push(args[k]);
}
if (dists.length === 0) dists.push(fileURLToPath(new URL('../dist', import.meta.url)));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const line = (name, ns, min, max, label) =>
  `${name.padEnd(10)} ${ns.toFixed(1).padStart(8)} ns/op [${min.toFixed(1)}–${max.toFixed(1)}]` +
  `  ${Math.round(1e9 / ns)
    .toLocaleString('en-US')
    .padStart(12)} ops/s${label}`;

if (dists.length > 1) {
  // One process per tree and round, in turns; each prints its medians as JSON.
  const perDist = dists.map(() => ({}));
  for (let r = 0; r < rounds; r++) {
    dists.forEach((dir, d) => {
      const flags = ['--json', '--samples', `${samples}`, '--ops', `${ops}`, ...(only === '' ? [] : ['--only', only])];
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), ...flags, dir]);
      for (const [name, ns] of Object.entries(JSON.parse(out.toString()))) (perDist[d][name] ??= []).push(ns);
    });
  }
  console.log(
    `node ${process.version}, ${rounds} rounds × ${samples} samples of ${ops} ops per case (median of round medians [min–max] ns/op)`,
  );
  for (const name of Object.keys(perDist[0])) {
    dists.forEach((dir, d) => {
      const values = perDist[d][name];
      const ratio = d === 0 ? '' : ` ×${(median(values) / median(perDist[0][name])).toFixed(3)}`;
      console.log(line(name, median(values), Math.min(...values), Math.max(...values), `  ${dir}${ratio}`));
    });
  }
  process.exit(0);
}

const latin1 = (text) => Buffer.from(text, 'latin1');
const SMALL = latin1(
  'HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\n' +
    'Date: Tue, 01 Apr 2025 12:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\nok',
);
const CHUNKED = latin1(
  'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n' +
    'Date: Tue, 01 Apr 2025 12:00:00 GMT\r\n\r\n' +
    '1a\r\n{"items":[1,2,3,4,5,6,7,8,\r\n11;ext=1\r\n9,10,11,12,13,14]\r\n1\r\n}\r\n0\r\nX-Checksum: abc\r\n\r\n',
);
const CLOSE_HEAD = latin1('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nthe body runs to the close');
const PIPELINED = Buffer.concat(Array.from({ length: 8 }, () => SMALL));
const PIECE_BYTES = 7;

/** The cases: each returns a number folded into a sink so that nothing is optimised away. */
function casesFor(ResponseScanner) {
  const scanner = new ResponseScanner();
  const one = (buf) => {
    scanner.begin(false);
    return scanner.feed(buf, 0, buf.length) + scanner.contentBytes;
  };
  const cases = {
    small: () => one(SMALL),
    chunked: () => one(CHUNKED),
    split: () => {
      scanner.begin(false);
      let at = 0;
      while (at < SMALL.length) at = scanner.feed(SMALL, at, Math.min(at + PIECE_BYTES, SMALL.length));
      return at + scanner.contentBytes;
    },
    pipelined: () => {
      let at = 0;
      let sum = 0;
      while (at < PIPELINED.length) {
        scanner.begin(false);
        at = scanner.feed(PIPELINED, at, PIPELINED.length);
        sum += scanner.status;
      }
      return sum;
    },
    'begin/end': () => {
      scanner.begin(false);
      const at = scanner.feed(CLOSE_HEAD, 0, CLOSE_HEAD.length);
      return at + (scanner.end() ? 1 : 0);
    },
  };
  return { scanner, cases };
}

const variants = [];
for (const dir of dists.slice(0, 1)) {
  const { ResponseScanner } = await import(pathToFileURL(resolve(dir, 'transport/response-scanner.js')).href);
  const { scanner, cases } = casesFor(ResponseScanner);
  // Each case must end on a complete response: a benchmark of a broken scanner says nothing.
  for (const [name, run] of Object.entries(cases)) {
    run();
    if (!scanner.complete || scanner.errorReason !== '') throw new Error(`${dir}: case ${name} did not complete (${scanner.errorReason})`);
  }
  variants.push({ dir, cases });
}

let sink = 0;
function time(run) {
  const startedAt = process.hrtime.bigint();
  for (let k = 0; k < ops; k++) sink += run();
  return Number(process.hrtime.bigint() - startedAt) / ops;
}

const { cases } = variants[0];
const medians = {};
if (!json) console.log(`node ${process.version}, ${samples} samples of ${ops} ops per case (median [min–max] ns/op)`);
for (const name of Object.keys(cases)) {
  if (only !== '' && name !== only) continue;
  time(cases[name]); // warm-up
  const runs = [];
  for (let s = 0; s < samples; s++) runs.push(time(cases[name]));
  medians[name] = median(runs);
  if (!json) console.log(line(name, medians[name], Math.min(...runs), Math.max(...runs), ''));
}
if (json) console.log(JSON.stringify(medians));
if (sink === 0.5) console.log(sink); // keeps the results alive
