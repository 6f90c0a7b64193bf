#!/usr/bin/env bash
# bench/run.sh — loadseed side by side with autocannon and wrk, against the same local targets,
# interleaved (rep loop outermost: A B C A B C ...). Prints medians and the ratios loadseed/peer.
#
# Safety: all traffic goes to targets this script starts on 127.0.0.1 and stops by PID (also on Ctrl-C);
# every generator run is bounded by `timeout`.
#
# Targets (pinned with `taskset -c $TGT_CPU`, core 0; ports PORT_BASE+1..+4, default 18081..18084):
#   a) nginx `return 200 'ok'` (worker_processes 1, access_log off)   — skipped with a note if nginx is absent
#   b) node target-node.mjs: "ok" at once
#   c) node target-node.mjs: "ok" after 50 ms
#   d) node target-stall.mjs: 1 ms, but all responses held 500 ms once per second (coordinated omission)
# Generators (pinned with `taskset -c $GEN_CPU`, core 1, wrapped in timeout + /usr/bin/time -v):
#   loadseed   node bin/loadseed.js run <scenario.yml> --out <file>.json --quiet   (scenario written per run)
#   autocannon node_modules/.bin/autocannon -c N -d D -j URL   (devDependency of the repo)
#   wrk        wrk -t1 -cN -dDs --latency --timeout 10s URL
#   before     node "$LOADSEED_BEFORE_JS" run ... as loadseed: another build of loadseed (say the last release or
#              main before a change, built in a worktree), for a before/after comparison in the same interleaved run
# Stages (STAGES, default "main latency co"; add "memory" for the 5-minute RSS run):
#   main     targets a, b: closed model, CONNS connections, DUR s, REPS reps
#   latency  target c: p50/p99 minus 50 ms; DUR_LAT s, REPS_LAT reps
#   co       target d: loadseed open model (arrival_rate CO_RATE/s, max_users CO_MAX_USERS) vs the peers' closed
#            loops at CO_CONNS connections; DUR_CO s, REPS_CO reps
#   memory   loadseed alone, constant CONNS users against b for MEM_DUR s; RSS from /proc every second
#
# Usage: bash bench/run.sh [--install]      (--install: apt-get wrk nginx time if missing, npm install if needed)
# Knobs (env): DUR=10 REPS=3 CONNS=100 (a list works: CONNS="10 100") GENS="loadseed autocannon wrk"
#   TARGETS="a b c d" STAGES="main latency co" DUR_LAT=6 REPS_LAT=2 DUR_CO=$DUR REPS_CO=1 CO_CONNS=10
#   CO_RATE=1000 CO_MAX_USERS=1000 MEM_DUR=300 MEM_BASE=30 WARMUP=2 PORT_BASE=18080 GEN_CPU=1 TGT_CPU=0
#   QUIET_PCT=20 QUIET_MAX=15 CONTAM_PCT=25 OUT=bench/results/<timestamp> LOADSEED_JS=bin/loadseed.js
#   LOADSEED_BEFORE_JS=<other checkout>/bin/loadseed.js (built; needed by GENS containing `before`)
#   SMOKE=1: DUR=2 REPS=1 (and DUR_LAT=DUR_CO=2, REPS_LAT=REPS_CO=1, WARMUP=1, MEM_DUR=40) — a quick check.
# Output: $OUT/runs.tsv (one line per run), $OUT/summary.md (printed at the end), $OUT/env.txt,
#         $OUT/raw/ (raw tool output, /usr/bin/time -v, scenarios, commands), $OUT/build.log
set -uo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
LOADSEED_JS=${LOADSEED_JS:-$REPO/bin/loadseed.js}
LOADSEED_BEFORE_JS=${LOADSEED_BEFORE_JS:-}
AUTOCANNON=$REPO/node_modules/.bin/autocannon

SMOKE=${SMOKE:-0}
DUR=${DUR:-10}; REPS=${REPS:-3}; CONNS=${CONNS:-100}
GENS=${GENS:-"loadseed autocannon wrk"}
TARGETS=${TARGETS:-"a b c d"}
STAGES=${STAGES:-"main latency co"}
DUR_LAT=${DUR_LAT:-6}; REPS_LAT=${REPS_LAT:-2}
DUR_CO=${DUR_CO:-$DUR}; REPS_CO=${REPS_CO:-1}; CO_CONNS=${CO_CONNS:-10}
CO_RATE=${CO_RATE:-1000}; CO_MAX_USERS=${CO_MAX_USERS:-1000}
MEM_DUR=${MEM_DUR:-300}; MEM_BASE=${MEM_BASE:-30}
WARMUP=${WARMUP:-2}
if [[ $SMOKE == 1 ]]; then
  DUR=2; REPS=1; DUR_LAT=2; REPS_LAT=1; DUR_CO=2; REPS_CO=1; WARMUP=1; MEM_DUR=40
fi
PORT_BASE=${PORT_BASE:-18080}
GEN_CPU=${GEN_CPU:-1}; TGT_CPU=${TGT_CPU:-0}
QUIET_PCT=${QUIET_PCT:-20}; QUIET_MAX=${QUIET_MAX:-15}; CONTAM_PCT=${CONTAM_PCT:-25}
OUT=${OUT:-$BENCH/results/$(date +%Y%m%d-%H%M%S)}
CLK_TCK=$(getconf CLK_TCK)

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
has() { [[ " $1 " == *" $2 "* ]]; }             # has "list" word
drop() { local w out=""; for w in $1; do [[ $w == "$2" ]] || out+="$w "; done; echo "${out% }"; }
SKIPPED=()                                       # notes for env.txt / summary.md

# ---------------------------------------------------------------- install / checks
install_tools() {
  local missing=() p
  for p in wrk nginx; do command -v "$p" >/dev/null || missing+=("$p"); done
  [[ -x /usr/bin/time ]] || missing+=(time)
  if (( ${#missing[@]} )); then
    log "apt-get install ${missing[*]}"
    local SUDO=""; (( EUID == 0 )) || SUDO=sudo
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null \
      || die "apt-get install ${missing[*]} failed"
  else
    log "wrk, nginx and /usr/bin/time already installed"
  fi
  if [[ ! -x $AUTOCANNON ]]; then
    log "npm install (autocannon is a devDependency)"
    (cd "$REPO" && npm install --no-audit --no-fund) || die "npm install failed"
  fi
}
[[ "${1:-}" == "--install" ]] && install_tools

[[ -x /usr/bin/time ]] || die "/usr/bin/time missing (bash bench/run.sh --install)"
command -v taskset >/dev/null || die "taskset missing (util-linux)"
if has "$GENS" wrk && ! command -v wrk >/dev/null; then die "wrk missing (bash bench/run.sh --install, or GENS without wrk)"; fi
if has "$GENS" autocannon && [[ ! -x $AUTOCANNON ]]; then die "$AUTOCANNON missing (npm install, or bash bench/run.sh --install)"; fi
if has "$TARGETS" a && ! command -v nginx >/dev/null; then
  TARGETS=$(drop "$TARGETS" a); SKIPPED+=("target a skipped: nginx is not installed (bash bench/run.sh --install)")
  log "${SKIPPED[-1]}"
fi

mkdir -p "$OUT/raw" || die "cannot create $OUT"
WORK=$(mktemp -d /tmp/loadseed-bench.XXXXXX) || die "mktemp failed"
mkdir -p "$WORK/tmp"
RUNS=$OUT/runs.tsv
node "$BENCH/parse.mjs" --header > "$RUNS" || die "parse.mjs --header failed"

# ---------------------------------------------------------------- processes we start, stopped by PID
declare -A TPID=() TPORT=([a]=$((PORT_BASE + 1)) [b]=$((PORT_BASE + 2)) [c]=$((PORT_BASE + 3)) [d]=$((PORT_BASE + 4)))
GEN_PID=""
url_of() { echo "http://127.0.0.1:${TPORT[$1]}/"; }

stop_pid() { # pid signal
  kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return 0; }
  kill "-$2" "$1" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$1" 2>/dev/null && kill -KILL "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}
stop_targets() {
  local k
  for k in "${!TPID[@]}"; do
    if [[ $k == a ]]; then stop_pid "${TPID[$k]}" QUIT; else stop_pid "${TPID[$k]}" TERM; fi
    unset "TPID[$k]"
  done
}
cleanup() {
  if [[ -n $GEN_PID ]]; then stop_pid "$GEN_PID" TERM; GEN_PID=""; fi   # timeout forwards TERM to its group
  stop_targets
  [[ -n ${WORK:-} && -d $WORK ]] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'log "interrupted: stopping what this script started"; exit 130' INT TERM

# Runs "$@" in the background from $WORK and waits for it, so that Ctrl-C is handled at once
# (the INT trap interrupts `wait`, then cleanup stops GEN_PID). Sets RC.
bg_run() { # stdout stderr cmd...
  local o=$1 e=$2; shift 2
  (cd "$WORK" && exec "$@") > "$o" 2> "$e" &
  GEN_PID=$!
  [[ -n ${ON_START:-} ]] && $ON_START "$GEN_PID"
  wait "$GEN_PID"; RC=$?
  GEN_PID=""
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { # port pid
  for _ in $(seq 1 100); do
    port_open "$1" && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done; return 1
}
start_target() { # key
  local k=$1 port=${TPORT[$1]}
  port_open "$port" && die "port $port already in use; not starting target $k (set PORT_BASE, or stop what runs there)"
  case $k in
    a) sed "s/__PORT__/$port/" "$BENCH/nginx.conf" > "$WORK/nginx.conf"
       taskset -c "$TGT_CPU" nginx -p "$WORK/" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf" -g 'daemon off;' \
         > "$OUT/raw/target-a.log" 2>&1 & ;;
    b) taskset -c "$TGT_CPU" node "$BENCH/target-node.mjs" "$port" 0 > "$OUT/raw/target-b.log" 2>&1 & ;;
    c) taskset -c "$TGT_CPU" node "$BENCH/target-node.mjs" "$port" 50 > "$OUT/raw/target-c.log" 2>&1 & ;;
    d) taskset -c "$TGT_CPU" node "$BENCH/target-stall.mjs" "$port" 1 1000 500 > "$OUT/raw/target-d.log" 2>&1 & ;;
  esac
  TPID[$k]=$!
  wait_port "$port" "${TPID[$k]}" || die "target $k did not come up (see $OUT/raw/target-$k.log)"
  log "target $k up: $(url_of "$k") pid ${TPID[$k]}"
}

# ---------------------------------------------------------------- CPU accounting, quiet-box guard
busy_ticks() { local _c u n s i w q sq st _r; read -r _c u n s i w q sq st _r < /proc/stat; echo $((u + n + s + q + sq + st)); }
proc_ticks() { # utime+stime of pid (all threads)
  local st; st=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
  st=${st##*) }; set -- $st; echo $(( ${12} + ${13} ))
}
tgt_ticks() { # target pid + its direct children (nginx worker)
  local p=${TPID[$1]:-} sum c; [[ -n $p ]] || { echo 0; return; }
  sum=$(proc_ticks "$p")
  for c in $(pgrep -P "$p"); do sum=$((sum + $(proc_ticks "$c"))); done
  echo "$sum"
}
wait_quiet() { # wait until other processes use < QUIET_PCT of a core; echo seconds waited
  local t0=$SECONDS b0 b1 pct
  while :; do
    b0=$(busy_ticks); sleep 0.2; b1=$(busy_ticks)
    pct=$(( (b1 - b0) * 100 * 5 / CLK_TCK ))        # % of one core over 0.2 s
    (( pct < QUIET_PCT )) && break
    (( SECONDS - t0 >= QUIET_MAX )) && { log "  box not quiet (${pct}% of a core busy), running anyway"; break; }
  done
  echo $((SECONDS - t0))
}

# ---------------------------------------------------------------- generators
scenario() { # target conns dur model(closed|open) -> path of a loadseed scenario
  local t=$1 c=$2 d=$3 m=$4 y="$WORK/scenario-$1-$4-c$2-d$3.yml"
  {
    printf 'name: bench-%s\ntarget: http://127.0.0.1:%s\n' "$t" "${TPORT[$t]}"
    printf 'requests:\n  - name: get\n    path: /\n'
    if [[ $m == open ]]; then
      printf 'load:\n  profile: arrival_rate\n  rate: %s\n  duration: %ss\n  max_users: %s\n' "$CO_RATE" "$d" "$CO_MAX_USERS"
    else
      printf 'load:\n  profile: constant\n  users: %s\n  duration: %ss\n' "$c" "$d"
    fi
    printf 'report:\n  html: false   # no HTML rendering inside the measured CPU; results come from --out\n'
  } > "$y"
  echo "$y"
}
gen_cmd() { # gen target conns dur file model -> fills CMD
  local g=$1 t=$2 c=$3 d=$4 f=$5 m=$6 url y; url=$(url_of "$t")
  case $g in
    loadseed)   y=$(scenario "$t" "$c" "$d" "$m"); cp "$y" "$f.yml"
                CMD=(node "$LOADSEED_JS" run "$y" --out "$f.json" --quiet) ;;
    before)     y=$(scenario "$t" "$c" "$d" "$m"); cp "$y" "$f.yml"
                CMD=(node "$LOADSEED_BEFORE_JS" run "$y" --out "$f.json" --quiet) ;;
    autocannon) CMD=("$AUTOCANNON" -c "$c" -d "$d" -j "$url") ;;
    wrk)        CMD=(wrk -t1 -c"$c" -d"${d}s" --latency --timeout 10s "$url") ;;
    *) die "unknown generator $g" ;;
  esac
}

# memory stage: sample the RSS of the generator's node process (timeout -> time -> node) every second
RSS_FILE=""
sample_rss() { # gen_pid (called by bg_run right after the start)
  local np="" p1 t0 line k v _
  for _ in $(seq 1 50); do
    p1=$(pgrep -P "$1" | head -1); [[ -n $p1 ]] && np=$(pgrep -P "$p1" | head -1)
    [[ -n $np && $(cat "/proc/$np/comm" 2>/dev/null) == node ]] && break
    np=""; sleep 0.1
  done
  [[ -n $np ]] || { log "  memory: could not find the node process"; return; }
  t0=${EPOCHREALTIME/./}
  while [[ -r /proc/$np/status ]]; do
    v=""
    while read -r k v _; do [[ $k == VmRSS: ]] && break; v=""; done < "/proc/$np/status" 2>/dev/null
    [[ -n $v ]] && printf '%s\t%s\n' "$(( (${EPOCHREALTIME/./} - t0) / 1000000 ))" "$v" >> "$RSS_FILE"
    sleep 1
  done
}

COL_RPS=$(( $(head -1 "$RUNS" | tr '\t' '\n' | grep -nx rps | cut -d: -f1) ))
COL_P99=$(( $(head -1 "$RUNS" | tr '\t' '\n' | grep -nx p99_ms | cut -d: -f1) ))
COL_NOTE=$(( $(head -1 "$RUNS" | tr '\t' '\n' | grep -nx note | cut -d: -f1) ))

run_one() { # stage gen target conns rep dur [model]
  local stage=$1 g=$2 t=$3 c=$4 rep=$5 d=$6 m=${7:-closed} attempt
  for attempt in 1 2; do
    local f="$OUT/raw/${stage}_${g}_${t}_c${c}_r${rep}_a${attempt}"
    local -a CMD; gen_cmd "$g" "$t" "$c" "$d" "$f" "$m"
    local qw; qw=$(wait_quiet)
    printf '%q ' timeout -k 5 $((d + 45)) /usr/bin/time -v -o "$f.time" taskset -c "$GEN_CPU" "${CMD[@]}" > "$f.cmd"
    echo >> "$f.cmd"
    local b0 t0 s0 b1 t1 s1
    b0=$(busy_ticks); t0=$(tgt_ticks "$t"); s0=$EPOCHREALTIME
    if [[ $stage == memory ]]; then RSS_FILE=$f.rss; : > "$RSS_FILE"; ON_START=sample_rss; else ON_START=""; fi
    bg_run "$f.out" "$f.err" timeout -k 5 $((d + 45)) /usr/bin/time -v -o "$f.time" taskset -c "$GEN_CPU" "${CMD[@]}"
    ON_START=""
    b1=$(busy_ticks); t1=$(tgt_ticks "$t"); s1=$EPOCHREALTIME
    local wall other tgt
    wall=$(awk -v a="$s0" -v b="$s1" 'BEGIN{printf "%.3f", b-a}')
    # foreign CPU = all busy ticks - generator (time -v) - target, as % of one core
    local gen_ticks
    gen_ticks=$(awk -F': ' -v hz="$CLK_TCK" '/User time|System time/{s+=$2} END{printf "%d", s*hz}' "$f.time" 2>/dev/null)
    other=$(awk -v b=$((b1 - b0)) -v g="${gen_ticks:-0}" -v t=$((t1 - t0)) -v w="$wall" -v hz="$CLK_TCK" \
      'BEGIN{printf "%d", (b-g-t)*100/(w*hz)}')
    tgt=$(awk -v t=$((t1 - t0)) -v w="$wall" -v hz="$CLK_TCK" 'BEGIN{printf "%d", t*100/(w*hz)}')
    local row
    row=$(node "$BENCH/parse.mjs" stage="$stage" gen="$g" target="$t" conns="$c" rep="$rep" attempt="$attempt" \
      dur_s="$d" rc="$RC" wall_s="$wall" quiet_wait_s="$qw" other_cpu_pct="$other" tgt_cpu_pct="$tgt" \
      mem_base_s="$MEM_BASE" file="$f")
    [[ -n $row ]] && printf '%s\n' "$row" >> "$RUNS"
    local rps p99 note
    rps=$(cut -f"$COL_RPS" <<< "$row"); p99=$(cut -f"$COL_P99" <<< "$row"); note=$(cut -f"$COL_NOTE" <<< "$row")
    log "  $stage $g -> $t c=$c rep=$rep: rc=$RC wall=${wall}s req/s=${rps:-n/a} p99=${p99:-n/a}${p99:+ ms} other-cpu=${other}%${note:+ [$note]}"
    (( RC == 0 && other > CONTAM_PCT && attempt == 1 )) || break
    log "  other processes were busy during that run: re-running it once"
  done
}

warmup() { # JIT-warm the targets; not recorded
  local t; local -a W
  for t in "$@"; do
    if command -v wrk >/dev/null; then W=(wrk -t1 -c10 -d"${WARMUP}s" "$(url_of "$t")")
    elif [[ -x $AUTOCANNON ]]; then W=("$AUTOCANNON" -c 10 -d "$WARMUP" "$(url_of "$t")")
    else return; fi
    bg_run /dev/null /dev/null timeout 30 taskset -c "$GEN_CPU" "${W[@]}"
  done
}

# ---------------------------------------------------------------- build loadseed
T_START=$SECONDS
log "results -> $OUT"
log "building loadseed (npm run build) -> $OUT/build.log"
if (cd "$REPO" && npm run build) > "$OUT/build.log" 2>&1; then
  LS_STATE="built"
else
  LS_STATE="BUILD FAILED"
  if has "$GENS" loadseed || has "$STAGES" memory; then
    SKIPPED+=("loadseed skipped: npm run build failed (see build.log); no stale dist/ is benchmarked")
    log "${SKIPPED[-1]}"
    GENS=$(drop "$GENS" loadseed); STAGES=$(drop "$STAGES" memory)
  fi
fi
if has "$GENS" before && [[ ! -f $LOADSEED_BEFORE_JS ]]; then
  SKIPPED+=("before skipped: LOADSEED_BEFORE_JS ($LOADSEED_BEFORE_JS) not found"); log "${SKIPPED[-1]}"
  GENS=$(drop "$GENS" before)
fi
if { has "$GENS" loadseed || has "$STAGES" memory; } && [[ ! -f $LOADSEED_JS ]]; then
  SKIPPED+=("loadseed skipped: $LOADSEED_JS not found"); log "${SKIPPED[-1]}"
  GENS=$(drop "$GENS" loadseed); STAGES=$(drop "$STAGES" memory)
fi

{
  echo "date: $(date -Is)   host: $(uname -srm), $(nproc) cpus   node: $(node -v)"
  echo "loadseed: $(node -p "require('$REPO/package.json').version" 2>/dev/null) ($LS_STATE; git $(git -C "$REPO" describe --always --dirty 2>/dev/null || echo n/a); $LOADSEED_JS)"
  [[ -x $AUTOCANNON ]] && echo "autocannon: $(node -p "require('$REPO/node_modules/autocannon/package.json').version")"
  command -v wrk >/dev/null && echo "wrk: $(dpkg-query -W -f='${Version}' wrk 2>/dev/null || echo '?')"
  command -v nginx >/dev/null && echo "nginx: $(nginx -v 2>&1 | sed 's/^nginx version: //')"
  echo "knobs: SMOKE=$SMOKE DUR=$DUR REPS=$REPS CONNS='$CONNS' GENS='$GENS' TARGETS='$TARGETS' STAGES='$STAGES'"
  echo "       DUR_LAT=$DUR_LAT REPS_LAT=$REPS_LAT DUR_CO=$DUR_CO REPS_CO=$REPS_CO CO_CONNS=$CO_CONNS CO_RATE=$CO_RATE CO_MAX_USERS=$CO_MAX_USERS"
  has "$STAGES" memory && echo "       MEM_DUR=$MEM_DUR MEM_BASE=$MEM_BASE"
  echo "       GEN_CPU=$GEN_CPU TGT_CPU=$TGT_CPU PORT_BASE=$PORT_BASE QUIET_PCT=$QUIET_PCT CONTAM_PCT=$CONTAM_PCT"
  for s in "${SKIPPED[@]}"; do echo "NOTE: $s"; done
} > "$OUT/env.txt"

# ---------------------------------------------------------------- stage: main (targets a, b)
MAIN_T=""; for t in a b; do has "$TARGETS" "$t" && MAIN_T+="${MAIN_T:+ }$t"; done
if has "$STAGES" main && [[ -n $MAIN_T && -n $GENS ]]; then
  log "stage main: targets $MAIN_T conns $CONNS gens $GENS, ${DUR}s x $REPS reps"
  for t in $MAIN_T; do start_target "$t"; done
  warmup $MAIN_T
  for rep in $(seq 1 "$REPS"); do            # interleaved: A B C ... A B C ...
    for t in $MAIN_T; do for c in $CONNS; do for g in $GENS; do
      run_one main "$g" "$t" "$c" "$rep" "$DUR"
    done; done; done
  done
  stop_targets
fi

# ---------------------------------------------------------------- stage: latency (target c, 50 ms)
if has "$STAGES" latency && has "$TARGETS" c && [[ -n $GENS ]]; then
  log "stage latency: target c, conns $CONNS, ${DUR_LAT}s x $REPS_LAT reps"
  start_target c; warmup c
  for rep in $(seq 1 "$REPS_LAT"); do for c in $CONNS; do for g in $GENS; do
    run_one latency "$g" c "$c" "$rep" "$DUR_LAT"
  done; done; done
  stop_targets
fi

# ---------------------------------------------------------------- stage: coordinated omission (target d)
if has "$STAGES" co && has "$TARGETS" d && [[ -n $GENS ]]; then
  log "stage co: target d, loadseed open ${CO_RATE}/s, peers closed at $CO_CONNS conns, ${DUR_CO}s x $REPS_CO reps"
  start_target d
  for rep in $(seq 1 "$REPS_CO"); do for g in $GENS; do
    if [[ $g == loadseed || $g == before ]]; then run_one co "$g" d "$CO_CONNS" "$rep" "$DUR_CO" open
    else run_one co "$g" d "$CO_CONNS" "$rep" "$DUR_CO"; fi
  done; done
  stop_targets
fi

# ---------------------------------------------------------------- stage: memory (loadseed alone, target b)
if has "$STAGES" memory; then
  c=${CONNS%% *}
  log "stage memory: loadseed alone, ${c} users against b for ${MEM_DUR}s, RSS every second"
  start_target b; warmup b
  run_one memory loadseed b "$c" 1 "$MEM_DUR"
  stop_targets
fi

log "all runs done in $((SECONDS - T_START)) s; summarizing"
node "$BENCH/summarize.mjs" "$OUT" > "$OUT/summary.md" || die "summarize failed (runs are in $RUNS)"
cat "$OUT/summary.md"
log "total $((SECONDS - T_START)) s; results in $OUT"
