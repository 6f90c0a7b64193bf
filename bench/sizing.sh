#!/usr/bin/env bash
# bench/sizing.sh — how much load one core of loadseed makes: the figures of README "Sizing".
#
#   npm run build && bash bench/sizing.sh          (about 7 minutes; DUR=10 REPS=3 USERS_BIG=10000 by default)
#
# One nginx worker (bench/nginx.conf plus a JSON location) on core TGT_CPU (0) is the target; loadseed runs
# on core GEN_CPU (1) through the built CLI (`node bin/loadseed.js run ... --quiet --out`), wrapped in
# `/usr/bin/time -v`. Per path, REPS interleaved runs of DUR s; the medians of:
#   req/s       100 users, no pauses: what one core drives at full speed (nginx is not the limit: it answers
#               ~2x faster than one Node core can ask)
#   CPU µs/req  the measured run's CPU (the results' generator.cpuPercent) ÷ requests: start-up apart
#   KB/user     (peak RSS at USERS_BIG users − at 100 users) ÷ (USERS_BIG − 100), users pausing 1 s between
#               requests (they hold a connection each, and the flow path its undici client)
# Paths:
#   socket  a static GET: the raw-socket client
#   flow    a templated header, a JSON check and a capture: the flow path (user journeys)
#   hooks   the flow path plus a before_request and an after_response hook that do nothing
# Users per core at a pause of T s per request = 1e6 ÷ (CPU µs/req) × T; bench/README.md and the README's
# Sizing section use T = 1 s. Traffic goes only to the nginx this script starts on 127.0.0.1:PORT, stopped
# by PID on exit; every run is bounded by `timeout`.
set -uo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
LOADSEED_JS=${LOADSEED_JS:-$REPO/bin/loadseed.js}
DUR=${DUR:-10}; REPS=${REPS:-3}; USERS_BIG=${USERS_BIG:-10000}; PATHS=${PATHS:-"socket flow hooks"}
PORT=${PORT:-18091}; GEN_CPU=${GEN_CPU:-1}; TGT_CPU=${TGT_CPU:-0}
command -v nginx >/dev/null || { echo "nginx missing (bash bench/run.sh --install)" >&2; exit 2; }
[[ -f $REPO/dist/cli/main.js ]] || { echo "dist/ missing: npm run build first" >&2; exit 2; }
(( $(ulimit -n) > USERS_BIG + 200 )) || ulimit -n $((USERS_BIG + 1024)) 2>/dev/null \
  || { echo "ulimit -n too low for $USERS_BIG users" >&2; exit 2; }

WORK=$(mktemp -d /tmp/loadseed-sizing.XXXXXX); mkdir -p "$WORK/tmp"; NGINX_PID=""
cleanup() {
  if [[ -n $NGINX_PID ]]; then kill -QUIT "$NGINX_PID" 2>/dev/null; wait "$NGINX_PID" 2>/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT; trap 'exit 130' INT TERM

sed -e "s/__PORT__/$PORT/" -e "s/worker_connections 4096/worker_connections $((USERS_BIG + 1024))/" \
  -e "s|location / { return 200 'ok'; }|location / { return 200 'ok'; }\n    location /json { default_type application/json; return 200 '{\"ok\":true,\"token\":\"t-1\"}'; }|" \
  "$BENCH/nginx.conf" > "$WORK/nginx.conf"
taskset -c "$TGT_CPU" nginx -p "$WORK/" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf" -g 'daemon off;' \
  > "$WORK/nginx.log" 2>&1 &
NGINX_PID=$!
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
printf 'export function before() {}\nexport function after() {}\n' > "$WORK/noop.mjs"

scenario() { # path users think -> file
  local p=$1 u=$2 think=$3 y="$WORK/$1-$2.yml"
  {
    printf 'name: sizing-%s\ntarget: http://127.0.0.1:%s\n' "$p" "$PORT"
    [[ $p == hooks ]] && printf 'hooks: ./noop.mjs\ndefaults: {before_request: before, after_response: after}\n'
    printf 'requests:\n'
    if [[ $p == socket ]]; then printf '  - name: get\n    path: /\n'
    else
      printf '  - name: get\n    path: /json\n    headers: {x-id: "{{ $uuid }}"}\n'
      printf '    expect: {status: 200, json: [{path: $.ok, equals: true}]}\n    capture: [{as: token, json: $.token}]\n'
    fi
    [[ $think != 0 ]] && printf '    think_time: %s\n' "$think"
    printf 'load: {profile: constant, users: %s, duration: %ss}\nreport: {html: false}\n' "$u" "$DUR"
  } > "$y"
  echo "$y"
}
run() { # path users think -> "rps cpu_us_per_req rss_mb"
  local y out; y=$(scenario "$1" "$2" "$3"); out="$WORK/out.json"
  rm -f "$out"
  timeout -k 5 $((DUR + 60)) /usr/bin/time -v -o "$WORK/time" taskset -c "$GEN_CPU" \
    node "$LOADSEED_JS" run "$y" --out "$out" --quiet > "$WORK/run.log" 2>&1
  node -e '
    const fs = require("fs"); const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    const t = fs.readFileSync(process.argv[2], "utf8"); const s = r.summary.total;
    const cpuS = (r.generator.cpuPercent / 100) * (r.run.durationMs / 1000);
    const rss = Number(t.match(/Maximum resident set size \(kbytes\): (\d+)/)[1]) / 1024;
    if (s.failures > 0) console.error(`  ${s.failures} failures in ${s.count}`);
    console.log(s.requestsPerSec.toFixed(0), ((cpuS * 1e6) / s.count).toFixed(2), rss.toFixed(1));
  ' "$out" "$WORK/time" 2>/dev/null || echo "nan nan nan"
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

declare -A RPS CPU RSS100 RSSBIG
echo "sizing: $(node -v), loadseed $(git -C "$REPO" describe --always --dirty 2>/dev/null), DUR=${DUR}s REPS=$REPS USERS_BIG=$USERS_BIG" >&2
for rep in $(seq 1 "$REPS"); do
  for p in $PATHS; do
    read -r rps cpu _ < <(run "$p" 100 0)
    RPS[$p]+="$rps "; CPU[$p]+="$cpu "
    read -r _ _ r1 < <(run "$p" 100 1s)
    read -r _ _ r2 < <(run "$p" "$USERS_BIG" 1s)
    RSS100[$p]+="$r1 "; RSSBIG[$p]+="$r2 "
    echo "  rep $rep $p: $rps req/s, $cpu µs/req; RSS $r1 MB at 100 users, $r2 MB at $USERS_BIG" >&2
  done
done

echo "| path | req/s on one core (100 users) | CPU µs/req | users per core at 1 req/s each | RSS at 100 / $USERS_BIG users | KB per user |"
echo "|---|---|---|---|---|---|"
for p in $PATHS; do
  rps=$(median <<< "${RPS[$p]}"); cpu=$(median <<< "${CPU[$p]}")
  r1=$(median <<< "${RSS100[$p]}"); r2=$(median <<< "${RSSBIG[$p]}")
  awk -v p="$p" -v rps="$rps" -v cpu="$cpu" -v r1="$r1" -v r2="$r2" -v n="$USERS_BIG" 'BEGIN {
    printf "| %s | %d | %.1f | %d | %.0f / %.0f MB | %.1f |\n", p, rps, cpu, 1e6 / cpu, r1, r2, (r2 - r1) * 1024 / (n - 100) }'
done
