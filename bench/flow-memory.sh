#!/usr/bin/env bash
# Memory per virtual user of a user journey (a flow) at 10,000 users, before and after a change.
#
#   bash bench/flow-memory.sh [BEFORE_REF]
#
# Each variant runs a 2-step flow (POST /login with a templated JSON body and a capture of the token, then
# GET /me with the token as bearer auth and a JSON check), then a long think: the users spend the run mostly
# idle on their open keep-alive connections, which is what memory per user is about. Each variant runs at
# SMALL users (default 100) and at BIG users (default 10,000), started over RAMP seconds (default 40: their
# first requests spread, so that a busy 1-core target answers them all in time) and then held for DUR seconds
# (default 5); loadseed's peak RSS (`/usr/bin/time -f %M`) gives
#
#   KB per user = (peak RSS at BIG − peak RSS at SMALL) / (BIG − SMALL)
#
# Variants (VARIANTS, default "flow-before flow-now static-now"):
#   flow-before  the flow, loadseed built at BEFORE_REF (default f6595dd: flows on undici)
#   flow-now     the flow, loadseed built from the working tree
#   static-now   for reference, GET /me as a static request (the raw-socket path) with the same think time
# REPS (default 1) interleaved repetitions; the median is printed. The target is `loadseed serve` on
# 127.0.0.1 (pinned to core 0, loadseed to core 1); every run is bounded by `timeout`; every process this
# script starts is stopped by PID. Needs `ulimit -n` above BIG + a margin (it raises the soft limit if it can).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BEFORE_REF=${1:-${BEFORE_REF:-f6595dd}}
REPS=${REPS:-1}
RAMP=${RAMP:-40}
DUR=${DUR:-5}
SMALL=${SMALL:-100}
BIG=${BIG:-10000}
VARIANTS=${VARIANTS:-flow-before flow-now static-now}
SERVE_PORT=${SERVE_PORT:-18093}
WORK=$(mktemp -d /tmp/loadseed-flow-memory.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

log() { printf '%s\n' "$*" >&2; }

ulimit -n $((BIG * 2 + 1000)) 2>/dev/null || true
if (($(ulimit -n) < BIG + 1000)); then
  log "ulimit -n is $(ulimit -n): too low for $BIG users"
  exit 2
fi

log "building loadseed now ($ROOT)"
(cd "$ROOT" && npm run build >/dev/null)
if [[ " $VARIANTS " == *" flow-before "* ]]; then
  log "building loadseed at $BEFORE_REF ($WORK/before)"
  mkdir -p "$WORK/before" && git -C "$ROOT" archive "$BEFORE_REF" | tar -x -C "$WORK/before" # a copy: no worktree to register
  ln -s "$ROOT/node_modules" "$WORK/before/node_modules"
  (cd "$WORK/before" && npx tsc -p tsconfig.json >/dev/null)
fi

taskset -c 0 node "$ROOT/bin/loadseed.js" serve --host 127.0.0.1 --port "$SERVE_PORT" >/dev/null 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do
  curl -s -o /dev/null "http://127.0.0.1:$SERVE_PORT/" && break
  sleep 0.2
done

printf 'username,password\nalice,pw-alice\nbob,pw-bob\ncarol,pw-carol\ndave,pw-dave\n' > "$WORK/users.csv"
# scenario KIND USERS → path of the scenario file
scenario() {
  local kind=$1 users=$2 file="$WORK/$1-$2.yml"
  if [[ $kind == flow ]]; then
    cat > "$file" <<EOF
name: flow-memory
target: http://127.0.0.1:$SERVE_PORT
data: [{file: users.csv}]
flows:
  - name: idle-shopper
    steps:
      - name: login
        method: POST
        path: /login
        json: {username: "{{ username }}", password: "{{ password }}"}
        capture: [{as: token, json: \$.token}]
      - name: me
        path: /me
        auth: {bearer: "{{ token }}"}
        expect: {status: 200, json: [{path: \$.status, equals: ok}]}
      - think: 120s
load: {profile: ramp, start_users: 0, end_users: $users, ramp_duration: ${RAMP}s, steady_duration: ${DUR}s}
report: {html: false}
EOF
  else
    cat > "$file" <<EOF
name: static-memory
target: http://127.0.0.1:$SERVE_PORT
defaults: {think_time: 120s}
requests:
  - name: get
    path: /
load: {profile: ramp, start_users: 0, end_users: $users, ramp_duration: ${RAMP}s, steady_duration: ${DUR}s}
report: {html: false}
EOF
  fi
  printf '%s' "$file"
}

# run BUILD SCENARIO → "peak_rss_kb requests failures"
run() {
  local build=$1 file=$2 out="$WORK/run-$RANDOM.json"
  /usr/bin/time -f '%M' -o "$WORK/time" timeout $((RAMP + DUR + 120)) taskset -c 1 \
    node "$build/bin/loadseed.js" run "$file" --out "$out" --quiet >/dev/null 2>"$WORK/stderr" || true
  node -e '
    const fs = require("node:fs");
    const rssKb = Number(fs.readFileSync(process.argv[2], "utf8").trim().split(/\s+/).pop());
    let count = "n/a", failures = "n/a";
    try {
      const total = JSON.parse(fs.readFileSync(process.argv[1], "utf8")).summary.total;
      count = total.count;
      failures = total.failures;
    } catch {}
    console.log(rssKb, count, failures);
  ' "$out" "$WORK/time"
}

declare -A PER_USER
for rep in $(seq 1 "$REPS"); do
  for variant in $VARIANTS; do
    build=$ROOT
    [[ $variant == flow-before ]] && build=$WORK/before
    kind=${variant%%-*}
    read -r small_kb small_count small_failures <<<"$(run "$build" "$(scenario "$kind" "$SMALL")")"
    read -r big_kb big_count big_failures <<<"$(run "$build" "$(scenario "$kind" "$BIG")")"
    per_user=$(awk -v a="$big_kb" -v b="$small_kb" -v n=$((BIG - SMALL)) 'BEGIN {printf "%.2f", (a - b) / n}')
    log "rep $rep $variant: peak RSS $small_kb KB at $SMALL users ($small_count requests, $small_failures failures)," \
      "$big_kb KB at $BIG users ($big_count requests, $big_failures failures): $per_user KB/user"
    [[ "$big_failures" == 0 && "$small_failures" == 0 ]] || log "  (failures: see $WORK/stderr)"
    PER_USER[$variant]+="$per_user "
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
printf '\n| variant | KB per user (median of %s; peak RSS at %s users − at %s users, / %s) |\n|---|---|\n' \
  "$REPS" "$BIG" "$SMALL" $((BIG - SMALL))
for variant in $VARIANTS; do
  printf '| %s | %s |\n' "$variant" "$(median <<<"${PER_USER[$variant]}")"
done
