#!/usr/bin/env bash
# What user journeys cost, and that they cost nothing to scenarios that don't use them.
#
#   bash bench/flow-compare.sh [BEFORE_REF]
#
# Runs, interleaved REPS times (default 3), each for DUR seconds (default 10) at USERS users (default 100),
# the variants in VARIANTS (default "single-before single-now flow-now"):
#   single-before  a single-request scenario, loadseed built at BEFORE_REF (default: the commit before flows)
#   single-now     the same scenario, loadseed built from the working tree
#   flow-before    the 3-step flow below, loadseed built at BEFORE_REF (a ref that has flows: e.g.
#                  `VARIANTS="flow-before flow-now" bash bench/flow-compare.sh f6595dd` for flows on undici)
#   flow-now       a 3-step flow: POST /login (templated JSON body from a data file, capture of the token),
#                  GET /me with the captured token (bearer auth template) and a JSON check, GET /cart (cookie)
# Single-request runs go to nginx (`bench/nginx.conf`, `return 200 'ok'`) when it is installed, else to the
# built-in target; the flow always goes to the built-in target (`loadseed serve`), which has the demo API.
# Targets are pinned to core 0, loadseed to core 1; every run is bounded by `timeout`. Only 127.0.0.1.
# Prints the median req/s and loadseed CPU µs per request of each, and the ratio now/before.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BEFORE_REF=${1:-${BEFORE_REF:-8556461}}
REPS=${REPS:-3}
VARIANTS=${VARIANTS:-single-before single-now flow-now}
DUR=${DUR:-10}
USERS=${USERS:-100}
NGINX_PORT=${NGINX_PORT:-18091}
SERVE_PORT=${SERVE_PORT:-18092}
WORK=$(mktemp -d /tmp/loadseed-flow-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

log() { printf '%s\n' "$*" >&2; }

log "building loadseed now ($ROOT) and at $BEFORE_REF ($WORK/before)"
(cd "$ROOT" && npm run build >/dev/null)
mkdir -p "$WORK/before" && git -C "$ROOT" archive "$BEFORE_REF" | tar -x -C "$WORK/before" # a copy: no worktree to register
ln -s "$ROOT/node_modules" "$WORK/before/node_modules"
(cd "$WORK/before" && npx tsc -p tsconfig.json >/dev/null)

single_url="http://127.0.0.1:$SERVE_PORT"
if command -v nginx >/dev/null; then
  mkdir -p "$WORK/tmp"
  sed "s/__PORT__/$NGINX_PORT/" "$HERE/nginx.conf" > "$WORK/nginx.conf"
  taskset -c 0 nginx -p "$WORK/" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf" -g 'daemon off;' &
  PIDS+=($!)
  single_url="http://127.0.0.1:$NGINX_PORT"
fi
taskset -c 0 node "$ROOT/bin/loadseed.js" serve --host 127.0.0.1 --port "$SERVE_PORT" >/dev/null 2>&1 &
PIDS+=($!)
sleep 1

printf 'username,password\nalice,pw-alice\nbob,pw-bob\ncarol,pw-carol\ndave,pw-dave\n' > "$WORK/users.csv"
cat > "$WORK/single.yml" <<EOF
name: single
target: $single_url
requests:
  - name: get
    path: /
load: {profile: constant, users: $USERS, duration: ${DUR}s}
report: {html: false}
EOF
cat > "$WORK/flow.yml" <<EOF
name: flow
target: http://127.0.0.1:$SERVE_PORT
data: [{file: users.csv}]
flows:
  - name: shop
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
      - name: cart
        path: /cart
load: {profile: constant, users: $USERS, duration: ${DUR}s}
report: {html: false}
EOF

# run NAME BUILD SCENARIO → "req/s cpu_us_per_req"
run() {
  local name=$1 build=$2 scenario=$3 out="$WORK/$1-$RANDOM.json"
  /usr/bin/time -f '%U %S' -o "$WORK/time" timeout $((DUR + 30)) taskset -c 1 \
    node "$build/bin/loadseed.js" run "$scenario" --out "$out" --quiet >/dev/null 2>"$WORK/stderr" || true
  node -e '
    const fs = require("node:fs");
    const doc = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    const [user, sys] = fs.readFileSync(process.argv[2], "utf8").trim().split(/\s+/).map(Number);
    const total = doc.summary.total;
    const failures = total.failures;
    console.log(total.requestsPerSec.toFixed(0), (((user + sys) * 1e6) / total.count).toFixed(2), failures);
  ' "$out" "$WORK/time"
}

declare -A RPS CPU
for rep in $(seq 1 "$REPS"); do
  for variant in $VARIANTS; do
    case $variant in
      single-before) line=$(run "$variant" "$WORK/before" "$WORK/single.yml") ;;
      flow-before) line=$(run "$variant" "$WORK/before" "$WORK/flow.yml") ;;
      single-now) line=$(run "$variant" "$ROOT" "$WORK/single.yml") ;;
      flow-now) line=$(run "$variant" "$ROOT" "$WORK/flow.yml") ;;
    esac
    read -r rps cpu failures <<<"$line"
    log "rep $rep $variant: $rps req/s, $cpu µs/req, $failures failures"
    [[ "$failures" == 0 ]] || log "  (failures: this run does not measure what it should; see $WORK/stderr)"
    RPS[$variant]+="$rps "
    CPU[$variant]+="$cpu "
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
printf '\n| variant | target | req/s (median of %s × %ss, %s users) | loadseed CPU µs/req |\n|---|---|---|---|\n' "$REPS" "$DUR" "$USERS"
for variant in $VARIANTS; do
  target=$([[ $variant == flow-* ]] && echo "built-in target" || echo "$single_url")
  printf '| %s | %s | %s | %s |\n' "$variant" "$target" "$(median <<<"${RPS[$variant]}")" "$(median <<<"${CPU[$variant]}")"
done
for kind in single flow; do
  [[ -n "${RPS[$kind-before]:-}" && -n "${RPS[$kind-now]:-}" ]] || continue
  before=$(median <<<"${RPS[$kind-before]}")
  now=$(median <<<"${RPS[$kind-now]}")
  cpu_before=$(median <<<"${CPU[$kind-before]}")
  cpu_now=$(median <<<"${CPU[$kind-now]}")
  printf '\n%s, now / before: req/s %s, CPU µs/req %s\n' "$kind" \
    "$(awk -v a="$now" -v b="$before" 'BEGIN {printf "%.3f", a / b}')" \
    "$(awk -v a="$cpu_now" -v b="$cpu_before" 'BEGIN {printf "%.3f", a / b}')"
done
