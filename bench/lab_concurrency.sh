#!/usr/bin/env bash
# Concurrency benchmark of rdwarm-lab: one lab process, N probes in flight at once
# (bench/lab_load.cpp: rdwarm's own probe, many sessions on one io_context), repeated with a fresh
# lab per run. Reports per run and as medians: wall time, probes per second, probe latency
# (p50/p95/max), the lab's CPU time and its peak RSS (`/usr/bin/time -f %M` around the lab).
# Results go to build/bench/lab_concurrency.{json,md}.
#
# Usage: bench/lab_concurrency.sh [options]
#   --runs N          runs, each with a fresh lab (default 3; the medians need >= 3)
#   --probes N        probes per run (default 500)
#   --concurrency N   probes in flight at once (default 500: all at once)
#   --scenario NAME   lab scenario (default warm: every probe licensed with an X.509 chain)
#   --build-dir DIR   where rdwarm-lab and rdwarm_lab_load are built (default build/release,
#                     configured with the release preset)
#   --no-build        use the binaries already in the build directory
#   --out DIR         where results go (default build/bench)
#   -h, --help
# Needs: cmake, ninja, /usr/bin/time, jq (scripts/setup). Talks only to 127.0.0.1. The lab it
# starts is stopped on exit.
set -euo pipefail

runs=3
probes=500
concurrency=500
scenario=warm
build=1
build_dir=
out_dir=

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; }

while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --probes) probes=$2; shift 2 ;;
    --concurrency) concurrency=$2; shift 2 ;;
    --scenario) scenario=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --out) out_dir=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
for n in "$runs" "$probes" "$concurrency"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "--runs, --probes, --concurrency must be positive integers" >&2; exit 2; }
done

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=$(realpath -m "${build_dir:-$repo_root/build/release}")
out_dir=$(realpath -m "${out_dir:-$repo_root/build/bench}")
lab=$build_dir/lab/rdwarm-lab
load=$build_dir/bench/rdwarm_lab_load
mkdir -p "$out_dir"
work=$(mktemp -d "${TMPDIR:-/tmp}/rdwarm-lab-bench.XXXXXX")
lab_pid=

cleanup() {
  if [[ -n $lab_pid ]] && kill -0 "$lab_pid" 2>/dev/null; then
    kill -TERM -- "-$lab_pid" 2>/dev/null || true
    sleep 0.5
    kill -KILL -- "-$lab_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if ((build)); then
  if [[ $build_dir == "$repo_root/build/release" ]]; then
    (cd "$repo_root" && cmake --preset release >/dev/null)
  fi
  cmake --build "$build_dir" --target rdwarm-lab rdwarm_lab_load
fi
[[ -x $lab && -x $load ]] || { echo "missing $lab or $load (build them, or drop --no-build)" >&2; exit 1; }

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

results=$work/runs.jsonl
: >"$results"
for ((run = 1; run <= runs; run++)); do
  state=$work/state-$run
  # setsid: the lab (and /usr/bin/time around it) get their own process group, stopped on exit.
  setsid /usr/bin/time -f '%M %U %S' -o "$work/time-$run" \
    "$lab" --scenario "$scenario" --port 0 --state-dir "$state" --log-level quiet \
    >"$work/lab-$run.out" 2>"$work/lab-$run.err" &
  lab_pid=$!
  port=
  for _ in $(seq 1 300); do
    port=$(grep -o 'listening on 127\.0\.0\.1:[0-9]*' "$work/lab-$run.out" 2>/dev/null | cut -d: -f2 || true)
    [[ -n $port ]] && break
    sleep 0.05
  done
  [[ -n $port ]] || { echo "rdwarm-lab did not start:" >&2; cat "$work/lab-$run".{out,err} >&2; exit 1; }
  child=$(pgrep -P "$lab_pid" -n || true)
  idle_rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$child/status" 2>/dev/null || echo 0)
  # CPU the lab spent starting (key generation, certificates) before the first probe, in seconds.
  ticks=$(getconf CLK_TCK)
  start_cpu=$(awk -v t="$ticks" '{ print ($14 + $15) / t }' "/proc/$child/stat" 2>/dev/null || echo 0)
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  set +e
  timeout 300 "$load" --port "$port" --probes "$probes" --concurrency "$concurrency" >"$work/load-$run.json"
  load_rc=$?
  set -e
  kill -INT "$child" 2>/dev/null || true
  wait "$lab_pid" || true
  lab_pid=
  read -r peak_rss user_s sys_s <"$work/time-$run"
  summary=$(grep -o 'licensed [0-9]*' "$work/lab-$run.out" | head -1 | cut -d' ' -f2)
  jq -c --argjson run "$run" --argjson rc "$load_rc" --argjson idle "${idle_rss:-0}" \
    --argjson peak "$peak_rss" --argjson cpu "$(awk -v u="$user_s" -v s="$sys_s" 'BEGIN { print u + s }')" \
    --argjson start_cpu "$start_cpu" \
    --argjson lab_licensed "${summary:-0}" --argjson loadavg "$load_before" \
    '{run: $run, load_exit: $rc, probes, concurrency, licensed, outcomes, seconds,
      probes_per_second, latency_ms, lab_licensed: $lab_licensed, lab_idle_rss_kb: $idle,
      lab_peak_rss_kb: $peak, lab_cpu_s: $cpu, lab_start_cpu_s: $start_cpu,
      lab_cpu_per_probe_ms: ((($cpu - $start_cpu) * 1000 / .probes) * 1000 | round / 1000),
      load_average_before: $loadavg}
     + (if .first_failure then {first_failure} else {} end)' \
    "$work/load-$run.json" >>"$results"
  tail -1 "$results" | jq -r '"run \(.run): \(.licensed)/\(.probes) licensed in \(.seconds * 100 | round / 100) s = \(.probes_per_second | round) probes/s, p50 \(.latency_ms.p50 | round) ms, p95 \(.latency_ms.p95 | round) ms; lab peak RSS \(.lab_peak_rss_kb) KB (idle \(.lab_idle_rss_kb) KB), lab CPU \(.lab_cpu_s) s (\(.lab_cpu_per_probe_ms) ms per probe after start-up)"'
  if ((load_rc != 0)); then
    echo "run $run: not every probe was licensed: $(jq -r '.first_failure // "see outcomes"' "$work/load-$run.json")" >&2
  fi
done

field() { jq -r "$1" "$results" | median; }
jq -s --arg scenario "$scenario" --arg machine "$(nproc) vCPU, $(uname -r)" \
  --argjson m_pps "$(field .probes_per_second)" --argjson m_s "$(field .seconds)" \
  --argjson m_p50 "$(field .latency_ms.p50)" --argjson m_p95 "$(field .latency_ms.p95)" \
  --argjson m_rss "$(field .lab_peak_rss_kb)" --argjson m_idle "$(field .lab_idle_rss_kb)" \
  --argjson m_cpu "$(field .lab_cpu_s)" --argjson m_cpp "$(field .lab_cpu_per_probe_ms)" \
  '{schema: "rdwarm.bench.lab-concurrency/1", scenario: $scenario, machine: $machine, runs: .,
    median: {seconds: $m_s, probes_per_second: $m_pps, latency_p50_ms: $m_p50,
             latency_p95_ms: $m_p95, lab_peak_rss_kb: $m_rss, lab_idle_rss_kb: $m_idle,
             lab_cpu_s: $m_cpu, lab_cpu_per_probe_ms: $m_cpp},
    all_licensed: (map(.licensed == .probes and .lab_licensed == .probes) | all)}' \
  "$results" >"$out_dir/lab_concurrency.json"

{
  echo "| run | licensed | wall | probes/s | p50 | p95 | lab CPU per probe | lab peak RSS | lab idle RSS | load avg |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  jq -r '"| \(.run) | \(.licensed)/\(.probes) | \(.seconds * 100 | round / 100) s | \(.probes_per_second | round) | \(.latency_ms.p50 | round) ms | \(.latency_ms.p95 | round) ms | \(.lab_cpu_per_probe_ms) ms | \(.lab_peak_rss_kb / 1024 * 10 | round / 10) MB | \(.lab_idle_rss_kb / 1024 * 10 | round / 10) MB | \(.load_average_before) |"' "$results"
  jq -r '.median | "| **median** | | **\(.seconds * 100 | round / 100) s** | **\(.probes_per_second | round)** | \(.latency_p50_ms | round) ms | \(.latency_p95_ms | round) ms | \(.lab_cpu_per_probe_ms) ms | **\(.lab_peak_rss_kb / 1024 * 10 | round / 10) MB** | \(.lab_idle_rss_kb / 1024 * 10 | round / 10) MB | |"' "$out_dir/lab_concurrency.json"
} >"$out_dir/lab_concurrency.md"
cat "$out_dir/lab_concurrency.md"
jq -e .all_licensed "$out_dir/lab_concurrency.json" >/dev/null || { echo "not every probe was licensed" >&2; exit 1; }
