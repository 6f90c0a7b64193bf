#!/usr/bin/env bash
# Memory over a long run at full speed: does loadseed's RSS stay flat?
#
#   bash bench/soak.sh                 # 10 minutes (SOAK_SECONDS=600), 100 users (USERS=100)
#   SOAK_SECONDS=60 bash bench/soak.sh # a quick look
#
# One run of loadseed (built from this tree) against the built-in target (`loadseed serve`, pinned to core 0;
# loadseed on core 1), at full speed, with many request names (24) and every kind of outcome: 200s, 404s,
# 500s, timeouts, refused connections (a closed loopback port) and failed checks. RSS of the loadseed process
# is read from /proc every second. Prints RSS at 10 s, 30 s, then every minute, the peak, the growth after
# the warm-up (from 30 s to the end), and the size of the results file and the HTML report.
# Only 127.0.0.1; the run is bounded by its duration and by `timeout`.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SOAK_SECONDS=${SOAK_SECONDS:-600}
USERS=${USERS:-100}
PORT=${PORT:-18093}
WORK=$(mktemp -d /tmp/loadseed-soak.XXXXXX)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

(cd "$ROOT" && npm run build >/dev/null)
taskset -c 0 node "$ROOT/bin/loadseed.js" serve --host 127.0.0.1 --port "$PORT" >/dev/null 2>&1 &
PIDS+=($!)
# A loopback port with nothing listening: bound, then closed.
CLOSED=$(node -e 'const s=require("node:net").createServer().listen(0,"127.0.0.1",()=>{const p=s.address().port;s.close(()=>console.log(p))})')
sleep 1

{
  echo "name: soak"
  echo "target: http://127.0.0.1:$PORT"
  echo "requests:"
  for i in $(seq 1 14); do echo "  - {name: ok-$i, path: /, weight: 4}"; done
  for i in 1 2; do echo "  - {name: json-$i, path: /json, expect: {json: [{path: \$.ok, equals: true}]}, weight: 2}"; done
  echo "  - {name: check-fails, path: /json, expect: {body_contains: absent}}"
  echo "  - {name: not-found, path: /missing}"
  echo "  - {name: server-error, path: /status/500}"
  echo "  - {name: flaky, path: '/flaky?rate=0.3'}"
  echo "  - {name: timeout, path: /delay/200, timeout: 20ms}"
  echo "  - {name: refused, url: 'http://127.0.0.1:$CLOSED/'}"
  echo "  - {name: templated, path: '/status/{{ \$randomInt(200, 204) }}', weight: 2}"
  echo "  - {name: big, path: /bytes/65536}"
  echo "load: {profile: constant, users: $USERS, duration: ${SOAK_SECONDS}s}"
  echo "report: {json: $WORK/soak.json, html: $WORK/soak.html}"
} > "$WORK/soak.yml"

timeout $((SOAK_SECONDS + 120)) taskset -c 1 node "$ROOT/bin/loadseed.js" run "$WORK/soak.yml" --quiet > "$WORK/stdout" 2> "$WORK/stderr" &
WRAPPER=$!
PIDS+=($WRAPPER)
# `timeout` forks loadseed (taskset execs it): sample the child, not the wrapper.
GEN=""
for _ in $(seq 1 50); do GEN=$(pgrep -P "$WRAPPER" | head -1 || true); [[ -n "$GEN" ]] && break; sleep 0.1; done
[[ -n "$GEN" ]] || { echo "loadseed did not start" >&2; exit 1; }
PIDS+=($GEN)
: > "$WORK/rss"
second=0
while kill -0 "$GEN" 2>/dev/null; do
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$GEN/status" 2>/dev/null || true)
  [[ -n "$rss" ]] && echo "$second $rss" >> "$WORK/rss"
  sleep 1
  second=$((second + 1))
done
wait "$WRAPPER" || true

node - "$WORK" <<'EOF'
const fs = require('node:fs');
const dir = process.argv[2];
const samples = fs.readFileSync(`${dir}/rss`, 'utf8').trim().split('\n').map((line) => line.split(' ').map(Number));
const mb = (kb) => (kb / 1024).toFixed(1);
const at = (s) => samples.find(([second]) => second >= s)?.[1];
const lines = [];
for (const s of [10, 30, ...Array.from({ length: 60 }, (_, i) => (i + 1) * 60)]) {
  const value = at(s);
  if (value !== undefined) lines.push(`  ${String(s).padStart(4)} s  ${mb(value)} MB`);
}
const peak = Math.max(...samples.map(([, kb]) => kb));
const after = samples.filter(([second]) => second >= 30).map(([, kb]) => kb);
const results = JSON.parse(fs.readFileSync(`${dir}/soak.json`, 'utf8'));
const total = results.summary.total;
console.log(`RSS of loadseed (MB), sampled every second:\n${lines.join('\n')}`);
console.log(`peak ${mb(peak)} MB; from 30 s to the end: min ${mb(Math.min(...after))}, max ${mb(Math.max(...after))}, last ${mb(after[after.length - 1])} — growth ${mb(after[after.length - 1] - after[0])} MB`);
console.log(`${total.count.toLocaleString('en-US')} requests, ${total.requestsPerSec.toFixed(0)} req/s, ${(total.errorRate * 100).toFixed(1)}% failed; errors ${JSON.stringify(total.errors)}`);
console.log(`results file ${(fs.statSync(`${dir}/soak.json`).size / 1024).toFixed(0)} KB, HTML report ${(fs.statSync(`${dir}/soak.html`).size / 1024).toFixed(0)} KB`);
EOF
