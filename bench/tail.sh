#!/usr/bin/env bash
# bench/tail.sh — the figures of issue 17 §3 ("the generator adds nothing to the tail") in one interleaved,
# pinned run of bench/run.sh, this build against another (`before`) and the peers:
#   main     nginx (target a), 100 connections: req/s, CPU µs/req, max RSS — loadseed ÷ wrk, ÷ autocannon, ÷ before
#   latency  the 50 ms node target (c), 100 connections ≈ 2,000 req/s: p50/p99 − 50 ms, CPU µs/req of the whole
#            process and of the measured run alone (start-up and pre-t=0 warm-up apart), max RSS at 100 users
# About 5 minutes on a quiet 2-core machine: 12 runs of 10 s (main) and 12 of 6 s (latency, as run.sh's default
# and the issue), interleaved loadseed, before, autocannon, wrk.
#
#   git worktree add --detach /tmp/ls-before <ref> && ln -s "$PWD/node_modules" /tmp/ls-before/node_modules \
#     && (cd /tmp/ls-before && npm run build)
#   LOADSEED_BEFORE_JS=/tmp/ls-before/bin/loadseed.js bash bench/tail.sh
#
# Without LOADSEED_BEFORE_JS, `before` is left out. Every knob of run.sh still applies (REPS, DUR, DUR_LAT,
# REPS_LAT, GENS, OUT, ...); SMOKE=1 is a quick check of the harness (2 s runs, one rep).
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
default_gens="loadseed before autocannon wrk"
[[ -n ${LOADSEED_BEFORE_JS:-} ]] || default_gens="loadseed autocannon wrk"
export STAGES=${STAGES:-"main latency"} TARGETS=${TARGETS:-"a c"} GENS=${GENS:-$default_gens} CONNS=${CONNS:-100}
export DUR=${DUR:-10} REPS=${REPS:-3} DUR_LAT=${DUR_LAT:-6} REPS_LAT=${REPS_LAT:-3}
exec bash "$BENCH/run.sh" "$@"
