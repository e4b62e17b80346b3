#!/usr/bin/env bash
# Load test of the agent's health endpoint: wrk against GET /readyz on rdwarm_health_bench_server
# (the real HealthServer serving a fixed status board on 127.0.0.1, free port).
#
# Runs wrk RUNS times (after one 1-second warm-up run) and reports the median requests/s and the
# median p99 latency, against the project target: >= 10,000 requests/s with p99 <= 5 ms.
# Results go to OUT/readyz_wrk.{md,json} and the raw wrk outputs to OUT/readyz_wrk_run<N>.txt.
#
# Usage: bench/readyz_wrk.sh [options]
#   --runs N           timed wrk runs (default 5)
#   --duration S       seconds per run (default 5)
#   --threads T        wrk threads (default 2)
#   --connections C    wrk connections, kept alive (default 32)
#   --path P           endpoint to load (default /readyz; /status and /metrics work too)
#   --not-ready        serve a board that is not ready (/readyz answers 503)
#   --build-dir DIR    configure (Release) and build the server in DIR instead of the release preset
#   --server PATH      use this rdwarm_health_bench_server binary (no build)
#   --no-build         use build/release/bench/rdwarm_health_bench_server as it is
#   --out DIR          where results go (default build/bench)
#   -h, --help
# Needs: cmake, ninja, wrk, timeout (scripts/setup). Talks only to 127.0.0.1; the server it starts
# is stopped on exit.
set -euo pipefail

runs=5
duration=5
threads=2
connections=32
path=/readyz
ready=1
build=1
build_dir=
server=
out_dir=

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; }

while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --path) path=$2; shift 2 ;;
    --not-ready) ready=0; shift ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --server) server=$2; build=0; shift 2 ;;
    --no-build) build=0; shift ;;
    --out) out_dir=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
for n in "$runs" "$duration" "$threads" "$connections"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "counts and durations must be positive integers" >&2; exit 2; }
done
((connections >= threads)) || { echo "--connections must be >= --threads" >&2; exit 2; }
[[ $path == /* ]] || { echo "--path must start with /" >&2; exit 2; }

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out_dir=${out_dir:-$repo_root/build/bench}
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
cd "$repo_root" # cmake --preset reads CMakePresets.json from the current directory

log() { printf '[readyz] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

need=(wrk timeout awk sort)
((build)) && need+=(cmake)
for tool in "${need[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found (run scripts/setup)"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/rdwarm-readyz.XXXXXX")
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build ------------------------------------------------------------------------------------
target=rdwarm_health_bench_server
if [[ -n $server ]]; then
  server=$(realpath "$server")
elif [[ -n $build_dir ]]; then
  server=$build_dir/bench/$target
  if ((build)); then
    log "building $target in $build_dir (Release)"
    cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRDWARM_TESTS=OFF \
      >"$work/configure.log" 2>&1 || { cat "$work/configure.log" >&2; die "configure failed"; }
    cmake --build "$build_dir" --target "$target" >"$work/build.log" 2>&1 ||
      { tail -40 "$work/build.log" >&2; die "build failed"; }
  fi
else
  server=$repo_root/build/release/bench/$target
  if ((build)); then
    log "building the release preset ($target)"
    cmake --preset release >"$work/configure.log" 2>&1 ||
      { cat "$work/configure.log" >&2; die "configure failed"; }
    cmake --build --preset release --target "$target" >"$work/build.log" 2>&1 ||
      { tail -40 "$work/build.log" >&2; die "build failed"; }
  fi
fi
[[ -x $server ]] || die "$server not found (build it, or pass --server)"

# --- server -----------------------------------------------------------------------------------
"$server" --port 0 --ready "$ready" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
port=
for _ in $(seq 1 100); do
  port=$(sed -n 's/^port=\([0-9][0-9]*\)$/\1/p' "$work/server.out")
  [[ -n $port ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; die "server exited"; }
  sleep 0.1
done
[[ -n $port ]] || die "server did not report its port"
url=http://127.0.0.1:$port$path
log "server pid $server_pid on 127.0.0.1:$port"

# Correctness before timing: the endpoint answers with the status the board implies.
expected=200
[[ $path == /readyz && $ready == 0 ]] && expected=503
answer=$(timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port
  printf 'GET $path HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
  cat <&3") || die "no answer from $url"
status_line=${answer%%$'\r'*}
[[ $status_line == "HTTP/1.1 $expected "* ]] || die "$url answered '$status_line', expected $expected"
log "check: $status_line"

# --- load -------------------------------------------------------------------------------------
wrk_cmd=(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "$url")
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log "warm-up: ${wrk_cmd[*]/-d${duration}s/-d1s}"
timeout 30 wrk -t"$threads" -c"$connections" -d1s "$url" >/dev/null

# wrk prints latencies as 812.00us, 1.20ms or 1.02s: convert to milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.3f", n }'
}

rps_list=()
p99_list=()
p50_list=()
for i in $(seq 1 "$runs"); do
  raw=$out_dir/readyz_wrk_run$i.txt
  log "run $i/$runs: ${wrk_cmd[*]}"
  timeout $((duration + 30)) "${wrk_cmd[@]}" >"$raw"
  if grep -q 'Non-2xx or 3xx responses' "$raw" && [[ $expected == 200 ]]; then
    die "run $i: non-2xx responses (see $raw)"
  fi
  if grep -q 'Socket errors' "$raw"; then
    log "run $i: $(grep 'Socket errors' "$raw" | sed 's/^ *//')"
  fi
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$raw")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$raw")")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$raw")")
  [[ -n $rps && -n $p99 ]] || die "run $i: cannot read wrk's output (see $raw)"
  log "run $i: $rps requests/s, p50 $p50 ms, p99 $p99 ms"
  rps_list+=("$rps")
  p99_list+=("$p99")
  p50_list+=("$p50")
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {
  if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
rps_median=$(median "${rps_list[@]}")
p99_median=$(median "${p99_list[@]}")
p50_median=$(median "${p50_list[@]}")
rps_ok=$(awk -v r="$rps_median" 'BEGIN {print (r >= 10000) ? "yes" : "no"}')
p99_ok=$(awk -v p="$p99_median" 'BEGIN {print (p <= 5) ? "yes" : "no"}')

join() { local IFS=,; echo "$*"; }
cat >"$out_dir/readyz_wrk.json" <<EOF
{"command": "${wrk_cmd[*]}", "path": "$path", "ready": $ready, "runs": $runs,
 "requests_per_second": [$(join "${rps_list[@]}")], "p50_ms": [$(join "${p50_list[@]}")],
 "p99_ms": [$(join "${p99_list[@]}")],
 "median_requests_per_second": $rps_median, "median_p50_ms": $p50_median,
 "median_p99_ms": $p99_median, "target_requests_per_second_met": "$rps_ok",
 "target_p99_met": "$p99_ok", "loadavg_before": "$load_before", "loadavg_after": "$load_after",
 "nproc": $(nproc)}
EOF
{
  echo "| runs | median requests/s | median p50 | median p99 | target ≥ 10,000 req/s | target p99 ≤ 5 ms |"
  echo "|---|---|---|---|---|---|"
  echo "| $runs × ${duration}s | $rps_median | $p50_median ms | $p99_median ms | $rps_ok | $p99_ok |"
  echo
  echo "Command: \`${wrk_cmd[*]/$port/PORT}\`; per run requests/s: ${rps_list[*]}; p99 ms: ${p99_list[*]}."
  echo "Load average before: $load_before; after: $load_after; nproc $(nproc)."
} >"$out_dir/readyz_wrk.md"
cat "$out_dir/readyz_wrk.md"
