#!/usr/bin/env bash
# Boot agent benchmark: time from the moment the (emulated) license server's certificate lands in
# the session host's state to the moment `rdwarm boot` opens the gate. Target: median <= 100 ms.
#
# Each run starts a fresh rdwarm-lab on bench/scenarios/bench-first-boot-1s.toml (first boot, the
# license server answers after 1 s) and runs `rdwarm boot --platform lab` against it with the drain
# gate. Two independent clocks, both in UTC on this machine:
#   * the state file: an inotifywait watcher stamps every rename of host-state.json and reads it;
#     "certificate" is the first write with x509_certificate2 set, "gate open" the first later
#     write with drain_mode 0. This is the primary measurement (what a broker would observe).
#   * the logs: the lab's "received an X.509 chain" line (written right after the state file) and
#     the agent's "OpeningGate" and "Ready" lines (around its drain_mode write), millisecond stamps.
# The agent's log also splits the interval: certificate -> agent woken ("the license-server
# certificate changed; probing now") -> licensed probe done ("attempt N: ...") -> gate open.
#
# Usage: bench/agent_cert_to_gate.sh [options]
#   --runs N            runs (default 15; env RUNS)
#   --build-dir DIR     build here (default build/release; Release + static runtime, as the
#                       release preset)
#   --no-build          use the binaries already in the build directory
#   --rdwarm PATH       this rdwarm (implies --no-build for it)
#   --lab PATH          this rdwarm-lab (implies --no-build for it)
#   --out DIR           results (default build/bench)
#   -h, --help
# Needs: cmake, ninja, inotifywait (inotify-tools), jq, timeout, setsid (scripts/setup).
# Talks only to 127.0.0.1. Every process it starts is stopped on exit.
set -euo pipefail

runs=${RUNS:-15}
build=1
build_dir=
rdwarm=
lab=
out_dir=

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; }
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --rdwarm) rdwarm=$(realpath "$2"); shift 2 ;;
    --lab) lab=$(realpath "$2"); shift 2 ;;
    --out) out_dir=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "--runs must be a positive integer" >&2; exit 2; }

# shellcheck source=bench/agent_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/agent_common.sh"
for tool in inotifywait jq timeout setsid; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found (run scripts/setup)"
done
build_dir=${build_dir:-$repo_root/build/release}
targets=()
[[ -z $rdwarm ]] && targets+=(rdwarm)
[[ -z $lab ]] && targets+=(rdwarm-lab)
if ((build && ${#targets[@]})); then build_release "$build_dir" "${targets[@]}"; fi
rdwarm=${rdwarm:-$build_dir/warmup/rdwarm}
lab=${lab:-$build_dir/lab/rdwarm-lab}
[[ -x $rdwarm ]] || die "$rdwarm missing (build it or drop --no-build)"
[[ -x $lab ]] || die "$lab missing (build it or drop --no-build)"
out_dir=${out_dir:-$repo_root/build/bench}
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
scenario=$repo_root/bench/scenarios/bench-first-boot-1s.toml
bench_init

# Stamps every host-state.json rename in STATE_DIR: "epoch_us revision certificate(0|1) drain".
# The file is read right after the event; the revision shows whether a write was missed.
start_watcher() { # state_dir out_file
  local state=$1 out=$2
  # shellcheck disable=SC2016  # the inner script expands its own variables
  setsid bash -c '
    state=$1
    inotifywait -m -e moved_to --format "%f" "$state" 2>"$2" | while read -r f; do
      t=${EPOCHREALTIME/./}
      [[ $f == host-state.json ]] || continue
      c=$(<"$state/host-state.json") || continue
      [[ $c =~ \"revision\":\ *([0-9]+) ]] && rev=${BASH_REMATCH[1]} || rev=?
      [[ $c =~ \"drain_mode\":\ *([0-9]+) ]] && drain=${BASH_REMATCH[1]} || drain=?
      [[ $c =~ \"x509_certificate2\":\ *null ]] && cert=0 || cert=1
      echo "$t $rev $cert $drain"
    done' watcher "$state" "$out.err" >"$out" &
  watcher_pid=$!
  bench_pids+=("$watcher_pid")
  for _ in $(seq 1 100); do
    grep -q 'Watches established' "$out.err" 2>/dev/null && return 0
    sleep 0.02
  done
  die "inotifywait did not start"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
results=$out_dir/agent_cert_to_gate.jsonl
: >"$results"
for ((i = 1; i <= runs; i++)); do
  run=$bench_work/run-$i
  state=$run/state
  mkdir -p "$state"
  write_agent_config "$run/rdwarm.toml" false full true
  start_watcher "$state" "$run/watch.txt"
  start_lab "$lab" "$scenario" "$state" "$run/lab"
  rc=0
  timeout 90 "$rdwarm" boot --config "$run/rdwarm.toml" --platform lab --lab-state-dir "$state" \
    --target "127.0.0.1:$lab_port" --deadline 60s --status-file "$run/status.json" \
    --journal "$run/journal.json" --no-progress >"$run/agent.out" 2>"$run/agent.err" || rc=$?
  sleep 0.1 # let the watcher read the last write
  stop_lab
  stop_group "$watcher_pid"
  forget_pid "$watcher_pid"
  if ((rc != 0)); then
    cat "$run/agent.out" "$run/agent.err" >&2
    die "run $i: rdwarm boot exited $rc (expected 0, ready)"
  fi

  # State file: first write with a certificate, then the first write after it with drain_mode 0.
  read -r cert_us cert_rev open_us open_rev < <(awk '
    !c && $3 == 1 { c = $1; cr = $2 }
    c && $3 == 1 && $4 == 0 && !o { o = $1; orv = $2 }
    END { print (c ? c : "-"), (c ? cr : "-"), (o ? o : "-"), (o ? orv : "-") }' "$run/watch.txt")
  [[ $cert_us != - && $open_us != - ]] ||
    { cat "$run/watch.txt" >&2; die "run $i: the watcher saw no certificate write or no gate opening"; }
  # Logs.
  lab_cert_ms=$(log_time_ms "$run/lab.err" 'received an X.509 chain')
  woke_ms=$(log_time_ms "$run/agent.err" 'certificate changed; probing now')
  opening_ms=$(log_time_ms "$run/agent.err" 'OpeningGate')
  ready_ms=$(log_time_ms "$run/agent.err" ' Ready: ')
  attempt_ms=$(grep -E 'attempt [0-9]+: ' "$run/agent.err" | tail -1 |
    sed -E 's/^([0-9-]+T[0-9:]+)\.([0-9]{3})Z.*/\1 \2/' |
    { read -r d f && printf '%s%s\n' "$(date -u -d "${d}Z" +%s)" "$f"; } || true)
  attempts=$(jq -r '.attempts.total // empty' "$run/status.json" 2>/dev/null || true)
  [[ -n $lab_cert_ms && -n $opening_ms && -n $ready_ms ]] ||
    die "run $i: missing log lines (see $run/lab.err, $run/agent.err)"
  jq -nc --argjson run "$i" --argjson cert_us "$cert_us" --argjson open_us "$open_us" \
    --argjson cert_rev "$cert_rev" --argjson open_rev "$open_rev" \
    --argjson lab_cert "$lab_cert_ms" --argjson woke "${woke_ms:-null}" \
    --argjson attempt "${attempt_ms:-null}" --argjson opening "$opening_ms" \
    --argjson ready "$ready_ms" --argjson attempts "${attempts:-null}" '
    { run: $run, attempts: $attempts,
      state_file_ms: (($open_us - $cert_us) / 1000),
      revisions_between: ($open_rev - $cert_rev),
      log_ms: ($ready - $lab_cert),
      split_ms: { woken: (if $woke then $woke - $lab_cert else null end),
                  probe: (if $woke and $attempt then $attempt - $woke else null end),
                  to_opening: (if $attempt then $opening - $attempt else null end),
                  gate_write: ($ready - $opening) } }' >>"$results"
  log "run $i/$runs: $(tail -1 "$results")"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

jq -s --argjson machine "$(machine_json "$load_before" "$load_after")" '
  def stats: sort as $v | ($v | length) as $n | {
    n: $n, min: $v[0], max: $v[$n - 1],
    median: (if $n % 2 == 1 then $v[($n - 1) / 2] else ($v[$n / 2 - 1] + $v[$n / 2]) / 2 end),
    p90: $v[((0.9 * $n) | ceil) - 1] };
  { schema: "rdwarm.bench.agent-cert-to-gate/1", machine: $machine,
    scenario: "bench/scenarios/bench-first-boot-1s.toml", runs: length,
    state_file_ms: (map(.state_file_ms) | stats),
    log_ms: (map(.log_ms) | stats),
    split_median_ms: { woken: (map(.split_ms.woken | select(. != null)) | stats | .median),
                       probe: (map(.split_ms.probe | select(. != null)) | stats | .median),
                       to_opening: (map(.split_ms.to_opening | select(. != null)) | stats | .median),
                       gate_write: (map(.split_ms.gate_write) | stats | .median) },
    target_median_le_100ms: ((map(.state_file_ms) | stats | .median) <= 100) }' \
  "$results" >"$out_dir/agent_cert_to_gate.json"
jq -r '
  "# rdwarm boot: certificate -> gate open (\(.runs) runs)\n",
  "\(.machine.date), \(.machine.nproc) vCPU, \(.machine.cpu); load \(.machine.loadavg_before) before, \(.machine.loadavg_after) after\n",
  "| clock | median | p90 | min … max |", "|---|---|---|---|",
  "| state file (inotify: x509 written -> drain_mode 0 written) | **\(.state_file_ms.median) ms** | \(.state_file_ms.p90) ms | \(.state_file_ms.min) … \(.state_file_ms.max) ms |",
  "| logs (lab \"received an X.509 chain\" -> agent \"Ready\") | \(.log_ms.median) ms | \(.log_ms.p90) ms | \(.log_ms.min) … \(.log_ms.max) ms |",
  "",
  "Median split (logs): woken \(.split_median_ms.woken) ms, licensed probe \(.split_median_ms.probe) ms, to OpeningGate \(.split_median_ms.to_opening) ms, gate write \(.split_median_ms.gate_write) ms",
  "",
  "Target median <= 100 ms: \(if .target_median_le_100ms then "met" else "MISSED" end)"
' "$out_dir/agent_cert_to_gate.json" | tee "$out_dir/agent_cert_to_gate.md"
log "wrote $out_dir/agent_cert_to_gate.{json,md,jsonl}"
