#!/usr/bin/env bash
# Runs a loadseed scenario as n shards over plain SSH, one host per shard, every shard's load starting at one
# instant (`loadseed run --shard i/n --start-at T`); collects the results with scp and merges them.
#
#   deploy/ssh/run-shards.sh -s scenario.yml [options] HOST... [-- more flags for loadseed run]
#
# Options:
#   -s, --scenario FILE       the scenario, copied to each host (its data files are not: give them the same path there)
#   -o, --out FILE            the merged results (default merged.json); the shards' files go beside it
#   --start-in SECONDS        from now to the common start (default 60): every host must be connected by then
#   --max-duration DURATION   each shard's kill switch (default 30m; s, m or h), the wait included; `timeout`
#                             on each host kills the shard 60 s after it if it has not stopped by itself
#   --env NAME=VALUE          set in each shard's environment (repeatable), e.g. TARGET_URL=https://…
#   --remote-dir DIR          where the scenario and results go on each host (default /tmp/loadseed-shards-TIME)
#   --loadseed CMD            how to run loadseed on the hosts (default: loadseed)
#   --local-loadseed CMD      how to run loadseed here, for the merge (default: loadseed)
# Each shard also gets LOADSEED_SHARD=i. The hosts' clocks must agree (NTP): the shards start at T by their own.
# Kill switches: --max-duration, `timeout` on each host, and Ctrl-C (or SIGTERM) here, which stops every
# remote shard (it writes its reports and exits 143) before collecting what there is.
# Exit code: merge's (0 merged SLA met, 1 violated, 2 a shard missing), or 130/143 when interrupted.
# SSH and SCP (environment) replace the ssh and scp commands, e.g. SSH="ssh -i key.pem".
set -euo pipefail

SSH=${SSH:-ssh}
SCP=${SCP:-scp}
scenario=""
out="merged.json"
start_in=60
max_duration="30m"
remote_dir="/tmp/loadseed-shards-$(date -u +%Y%m%dT%H%M%S)"
loadseed="loadseed"
local_loadseed="loadseed"
envs=()
hosts=()
extra=()

# The comment at the top of this file, as help; exits with $1.
usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  exit "$1"
}

while [ $# -gt 0 ]; do
  case "$1" in
    -s | --scenario) scenario=$2; shift 2 ;;
    -o | --out) out=$2; shift 2 ;;
    --start-in) start_in=$2; shift 2 ;;
    --max-duration) max_duration=$2; shift 2 ;;
    --env) envs+=("$2"); shift 2 ;;
    --remote-dir) remote_dir=$2; shift 2 ;;
    --loadseed) loadseed=$2; shift 2 ;;
    --local-loadseed) local_loadseed=$2; shift 2 ;;
    -h | --help) usage 0 ;;
    --) shift; extra=("$@"); break ;;
    -*) echo "run-shards: unknown option $1" >&2; usage 2 ;;
    *) hosts+=("$1"); shift ;;
  esac
done

if [ -z "$scenario" ] || [ ! -f "$scenario" ]; then
  echo "run-shards: --scenario FILE is required (and must exist)" >&2
  exit 2
fi
[ ${#hosts[@]} -gt 0 ] || { echo "run-shards: give at least one HOST" >&2; exit 2; }
[[ "$start_in" =~ ^[0-9]+$ ]] || { echo "run-shards: --start-in takes whole seconds, not $start_in" >&2; exit 2; }
if [[ "$max_duration" =~ ^([0-9]+)(s|m|h)$ ]]; then
  case "${BASH_REMATCH[2]}" in s) unit=1 ;; m) unit=60 ;; h) unit=3600 ;; esac
  timeout_s=$((BASH_REMATCH[1] * unit + 60))
else
  echo "run-shards: --max-duration takes a whole number of s, m or h (say 30m), not $max_duration" >&2
  exit 2
fi

count=${#hosts[@]}
start_at=$(date -u -d "+${start_in} seconds" +%Y-%m-%dT%H:%M:%SZ)
name=$(basename "$scenario")
out_dir=$(dirname "$out")
echo "run-shards: ${count} shards of ${name}, starting at ${start_at}" >&2

# The command a host runs for shard $1: its PID recorded (the trap stops it), then loadseed under `timeout`.
remote_command() {
  local index=$1 args
  args=$(printf ' %q' "$name" --shard "${index}/${count}" --start-at "$start_at" --max-duration "$max_duration" \
    --out "shard-${index}.json" ${extra[@]+"${extra[@]}"})
  printf 'cd %q && echo $$ > shard-%s.pid && exec env LOADSEED_SHARD=%s%s timeout --kill-after=30s %ss %s run%s' \
    "$remote_dir" "$index" "$index" "$(printf ' %q' ${envs[@]+"${envs[@]}"})" "$timeout_s" "$loadseed" "$args"
}

# Ctrl-C / SIGTERM here: stop every remote shard by the PID it recorded (each writes its reports), then collect.
interrupted=0
# shellcheck disable=SC2317 # called by the traps
stop_shards() {
  interrupted=$1
  echo "run-shards: stopping every shard" >&2
  for index in $(seq 1 "$count"); do
    $SSH "${hosts[index - 1]}" "kill -TERM \$(cat $(printf %q "$remote_dir")/shard-${index}.pid) 2>/dev/null || true" || true
  done
}
trap 'stop_shards 130' INT
trap 'stop_shards 143' TERM

# Each line of a shard's output, as it comes, marked with the shard's number.
prefix() {
  local line
  while IFS= read -r line; do printf '[%s] %s\n' "$1" "$line"; done
}

pids=()
for index in $(seq 1 "$count"); do
  host=${hosts[index - 1]}
  $SSH "$host" "mkdir -p $(printf %q "$remote_dir")"
  $SCP "$scenario" "${host}:${remote_dir}/${name}"
  $SSH "$host" "$(remote_command "$index")" > >(prefix "$index") 2> >(prefix "$index" >&2) &
  pids+=($!)
done

# Every shard's own exit code: 0 or 1 (its share over the SLA) is a shard that ran; the merge decides.
for index in $(seq 1 "$count"); do
  code=0
  while true; do
    wait "${pids[index - 1]}" && code=0 || code=$?
    # A trap interrupts `wait` (exit > 128 while the shard still runs): wait for it again.
    kill -0 "${pids[index - 1]}" 2>/dev/null || break
  done
  [ "$code" -le 1 ] || echo "run-shards: shard ${index} on ${hosts[index - 1]} exited ${code}" >&2
done

files=()
for index in $(seq 1 "$count"); do
  file="${out_dir}/shard-${index}.json"
  if $SCP "${hosts[index - 1]}:${remote_dir}/shard-${index}.json" "$file"; then files+=("$file"); fi
done
[ ${#files[@]} -gt 0 ] || { echo "run-shards: no shard's results to merge" >&2; exit 3; }

code=0
$local_loadseed merge "${files[@]}" -o "$out" || code=$?
[ "$interrupted" -eq 0 ] || exit "$interrupted"
exit "$code"
