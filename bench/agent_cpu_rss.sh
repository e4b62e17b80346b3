#!/usr/bin/env bash
# Boot agent benchmark: CPU time and peak RSS of one full first-boot warm-up by `rdwarm boot`.
# Targets: <= 100 ms CPU (user + sys) and <= 15 MB peak RSS.
#
# Each run starts a fresh rdwarm-lab on bench/scenarios/bench-first-boot-1s.toml and runs the whole
# warm-up under /usr/bin/time: load the configuration, read the host state, close the drain gate,
# probe (LicensingFailed, the host asks its license server), wait for the certificate (1 s),
# probe again (Licensed), open the gate, write the status file, exit. Once with the health
# endpoint (its own thread and HTTP listener on a free port) and once without.
#
# /usr/bin/time reports user and system time in 10 ms steps, so when `perf stat` works here each
# variant also runs once more per round under `perf stat -e task-clock` (all threads, in
# microseconds; a separate run, since under perf /usr/bin/time would report perf's RSS).
#
# Usage: bench/agent_cpu_rss.sh [options]
#   --runs N            runs per variant (default 7; env RUNS)
#   --perf / --no-perf  require / skip the perf stat runs (default: when perf works)
#   --build-dir DIR     build here (default build/release; Release + static runtime)
#   --no-build          use the binaries already in the build directory
#   --rdwarm PATH       this rdwarm        --lab PATH    this rdwarm-lab
#   --out DIR           results (default build/bench)
#   -h, --help
# Needs: cmake, ninja, /usr/bin/time, jq, timeout, setsid; perf (optional). Talks only to
# 127.0.0.1. Every process it starts is stopped on exit.
set -euo pipefail

runs=${RUNS:-7}
with_perf=auto
build=1
build_dir=
rdwarm=
lab=
out_dir=

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; }
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --perf) with_perf=1; shift ;;
    --no-perf) with_perf=0; shift ;;
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
for tool in /usr/bin/time jq timeout setsid; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found (run scripts/setup)"
done
if [[ $with_perf != 0 ]]; then
  if perf stat -e task-clock -x, -o /dev/null true 2>/dev/null; then
    with_perf=1
  elif [[ $with_perf == 1 ]]; then
    die "perf stat does not work here (not installed, or perf_event_paranoid); use --no-perf"
  else
    log "perf stat does not work here: CPU time from /usr/bin/time only (10 ms steps)"
    with_perf=0
  fi
fi
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

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
results=$out_dir/agent_cpu_rss.jsonl
: >"$results"
for ((i = 1; i <= runs; i++)); do
  # Alternate the variants so that a change in the machine's load hits both alike.
  for health in true false; do
    run=$bench_work/run-$i-$health
    state=$run/state
    mkdir -p "$state"
    write_agent_config "$run/rdwarm.toml" "$health" full true
    health_args=()
    [[ $health == true ]] && health_args=(--health-listen 127.0.0.1:0)
    agent_cmd() { # after start_lab: the warm-up against that lab
      cmd=("$rdwarm" boot --config "$run/rdwarm.toml" --platform lab --lab-state-dir "$state"
        --target "127.0.0.1:$lab_port" --deadline 60s --status-file "$run/status.json"
        --journal "$run/journal.json" --no-progress "${health_args[@]}")
    }
    start_lab "$lab" "$scenario" "$state" "$run/lab"
    agent_cmd
    rc=0
    timeout 90 /usr/bin/time -f '%U %S %M %e' -o "$run/time.txt" "${cmd[@]}" \
      >"$run/agent.out" 2>"$run/agent.err" || rc=$?
    stop_lab
    if ((rc != 0)); then
      cat "$run/agent.out" "$run/agent.err" "$run/time.txt" >&2
      die "run $i (health $health): rdwarm boot exited $rc (expected 0, ready)"
    fi
    if ((with_perf)); then
      # A separate warm-up on a fresh lab: under perf, /usr/bin/time would report perf's RSS.
      rm -rf "$state" "$run/status.json" "$run/journal.json"
      mkdir -p "$state"
      start_lab "$lab" "$scenario" "$state" "$run/lab-perf"
      agent_cmd
      rc=0
      timeout 90 perf stat -e task-clock -x, -o "$run/perf.txt" "${cmd[@]}" \
        >"$run/agent-perf.out" 2>"$run/agent-perf.err" || rc=$?
      stop_lab
      ((rc == 0)) || die "run $i (health $health, perf): rdwarm boot exited $rc"
    fi
    if [[ $health == true ]]; then
      grep -q 'health endpoint: http://' "$run/agent.err" || die "run $i: no health endpoint started"
    fi
    read -r user sys rss_kb wall <"$run/time.txt"
    task_ms=null
    if ((with_perf)); then
      task_ms=$(awk -F, '$3 == "task-clock" { printf "%.2f", $1 }' "$run/perf.txt")
    fi
    attempts=$(jq -r '.attempts.total' "$run/status.json")
    jq -nc --argjson run "$i" --argjson health "$health" --argjson user "$user" \
      --argjson sys "$sys" --argjson rss "$rss_kb" --argjson wall "$wall" \
      --argjson task "${task_ms:-null}" --argjson attempts "$attempts" \
      '{run: $run, health: $health, attempts: $attempts, user_ms: ($user * 1000),
        sys_ms: ($sys * 1000), cpu_ms: (($user + $sys) * 1000 | round), task_clock_ms: $task,
        peak_rss_kb: $rss, wall_s: $wall}' >>"$results"
    log "run $i (health $health): $(tail -1 "$results")"
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

jq -s --argjson machine "$(machine_json "$load_before" "$load_after")" '
  def median: sort as $v | ($v | length) as $n
    | if $n == 0 then null elif $n % 2 == 1 then $v[($n - 1) / 2]
      else ($v[$n / 2 - 1] + $v[$n / 2]) / 2 end;
  def variant($h): map(select(.health == $h)) | {
    runs: length, attempts: (map(.attempts) | median),
    cpu_ms_median: (map(.cpu_ms) | median), cpu_ms_max: (map(.cpu_ms) | max),
    user_ms_median: (map(.user_ms) | median), sys_ms_median: (map(.sys_ms) | median),
    task_clock_ms_median: (map(.task_clock_ms | select(. != null)) | median | if . then . * 100 | round / 100 else . end),
    peak_rss_kb_median: (map(.peak_rss_kb) | median), peak_rss_kb_max: (map(.peak_rss_kb) | max),
    wall_s_median: (map(.wall_s) | median) }
    # perf task-clock when measured (exact), else /usr/bin/time (ticks).
    | . + { cpu_target_le_100ms: ((.task_clock_ms_median // .cpu_ms_median) <= 100),
            rss_target_le_15MB: (.peak_rss_kb_median <= 15360) };
  { schema: "rdwarm.bench.agent-cpu-rss/1", machine: $machine,
    scenario: "bench/scenarios/bench-first-boot-1s.toml",
    health_enabled: variant(true), health_disabled: variant(false) }' \
  "$results" >"$out_dir/agent_cpu_rss.json"
jq -r '
  def yn: if . then "met" else "MISSED" end;
  "# rdwarm boot: one full first-boot warm-up, CPU and peak RSS\n",
  "\(.machine.date), \(.machine.nproc) vCPU, \(.machine.cpu); load \(.machine.loadavg_before) before, \(.machine.loadavg_after) after\n",
  "| variant | runs | attempts | median CPU, perf task-clock | median CPU, /usr/bin/time user+sys (10 ms ticks) | (user / sys) | max | median peak RSS | max RSS | median wall | CPU <= 100 ms | RSS <= 15 MB |",
  "|---|---|---|---|---|---|---|---|---|---|---|---|",
  (["health_enabled", "health_disabled"][] as $k | .[$k] |
    "| \($k | sub("_"; " ")) | \(.runs) | \(.attempts) | **\(.task_clock_ms_median // "–") ms** | \(.cpu_ms_median) ms | \(.user_ms_median) / \(.sys_ms_median) ms | \(.cpu_ms_max) ms | **\(.peak_rss_kb_median / 1024 * 10 | round / 10) MB** (\(.peak_rss_kb_median) KB) | \(.peak_rss_kb_max) KB | \(.wall_s_median) s | \(.cpu_target_le_100ms | yn) | \(.rss_target_le_15MB | yn) |")
' "$out_dir/agent_cpu_rss.json" | tee "$out_dir/agent_cpu_rss.md"
log "wrote $out_dir/agent_cpu_rss.{json,md,jsonl}"
