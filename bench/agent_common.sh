# Shared by bench/agent_*.sh (sourced, not run): build, process bookkeeping, the lab, the agent's
# configuration, timestamps and statistics. Everything talks to 127.0.0.1 only.
# shellcheck shell=bash

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf '[bench] %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# --- build ---------------------------------------------------------------------------------------
# The release preset's settings (static OpenSSL and C++ runtime, no tests), in any build directory.
# GCC 12 at -O3 reports -Wnull-dereference (Boost.Asio's scheduler.ipp) and -Wrestrict
# (std::string operator+, GCC bug 105329) false positives in library headers, which -Werror makes
# fatal; if the build fails only on those, it is reconfigured with them as warnings, which changes
# diagnostics, not code generation.
# build_release DIR TARGET...
build_release() {
  local dir=$1 logs
  shift
  logs=$(mktemp -d "${TMPDIR:-/tmp}/rdwarm-bench-build.XXXXXX")
  configure() {
    cmake -S "$repo_root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRDWARM_TESTS=OFF \
      -DRDWARM_STATIC_RUNTIME=ON "$@" >"$logs/configure.log" 2>&1
  }
  log "building $* in $dir (Release, static runtime)"
  if ! { configure && cmake --build "$dir" --target "$@" >"$logs/build.log" 2>&1; }; then
    if grep -qE 'Werror=(null-dereference|restrict)' "$logs/build.log" &&
      ! grep -E 'error:' "$logs/build.log" | grep -qvE 'Werror=(null-dereference|restrict)'; then
      log "WARNING: GCC 12 false positives (-Wnull-dereference/-Wrestrict in library headers);"
      log "         reconfiguring $dir with them as warnings"
      if ! { configure "-DCMAKE_CXX_FLAGS=-Wno-error=null-dereference -Wno-error=restrict" &&
        cmake --build "$dir" --target "$@" >"$logs/build.log" 2>&1; }; then
        tail -40 "$logs/build.log" >&2
        rm -rf "$logs"
        die "release build failed"
      fi
    else
      cat "$logs/configure.log" >&2
      tail -40 "$logs/build.log" >&2
      rm -rf "$logs"
      die "release build failed"
    fi
  fi
  rm -rf "$logs"
}

# --- processes we start, stopped by the EXIT trap ------------------------------------------------
# Servers run under setsid, so each pid is also a process-group id.
bench_pids=()
bench_work=
stop_group() { # pid: TERM the group, wait up to 3 s, then KILL
  local pid=$1 _
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
bench_cleanup() {
  local pid
  for pid in "${bench_pids[@]}"; do stop_group "$pid"; done
  bench_pids=()
  if [[ -n $bench_work && -z ${KEEP_WORK:-} ]]; then rm -rf "$bench_work"; fi
}
# Work files (state files, journals, status files, logs) go to $BENCH_TMPDIR, else /dev/shm when
# writable, else $TMPDIR: on a disk every rename-over of a small file is a metadata write, which
# the benchmarks would measure as agent time (a Windows host keeps this state in the registry).
# KEEP_WORK=1 keeps them for inspection.
bench_init() {
  local base=${BENCH_TMPDIR:-}
  if [[ -z $base ]]; then
    if [[ -d /dev/shm && -w /dev/shm ]]; then base=/dev/shm; else base=${TMPDIR:-/tmp}; fi
  fi
  bench_work=$(mktemp -d "$base/rdwarm-agent-bench.XXXXXX")
  log "work directory $bench_work ($(stat -f -c %T "$bench_work"))"
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}
forget_pid() { # pid: drop from the cleanup list once it was stopped by hand
  local keep=() p
  for p in "${bench_pids[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  bench_pids=("${keep[@]}")
}

# --- the lab -------------------------------------------------------------------------------------
# start_lab LAB SCENARIO STATE_DIR LOG_PREFIX: sets lab_pid and lab_port. The lab prints
# "listening on 127.0.0.1:PORT" on standard output once it accepts connections.
start_lab() {
  local lab=$1 scenario=$2 state=$3 prefix=$4 _
  mkdir -p "$state"
  : >"$prefix.out" # exists before the background job opens it, so the loop below can read it
  setsid "$lab" --scenario "$scenario" --port 0 --state-dir "$state" --log-level info \
    >"$prefix.out" 2>"$prefix.err" &
  lab_pid=$!
  bench_pids+=("$lab_pid")
  lab_port=
  for _ in $(seq 1 200); do
    if [[ $(<"$prefix.out") =~ listening\ on\ 127\.0\.0\.1:([0-9]+) ]]; then
      # shellcheck disable=SC2034  # read by the scripts that source this file
      lab_port=${BASH_REMATCH[1]}
      return 0
    fi
    kill -0 "$lab_pid" 2>/dev/null || break
    sleep 0.05
  done
  cat "$prefix.out" "$prefix.err" >&2
  die "rdwarm-lab did not start listening"
}
stop_lab() { # stops the lab started last (its exit summary lands in LOG_PREFIX.out)
  stop_group "$lab_pid"
  forget_pid "$lab_pid"
}

# --- the agent's configuration -------------------------------------------------------------------
# write_agent_config FILE HEALTH(true|false) JITTER(full|none) CERTIFICATE_WAIT(true|false):
# the shipped defaults (config/rdwarm.toml) except what a benchmark must pin.
write_agent_config() {
  cat >"$1" <<EOF
# Written by bench/agent_common.sh; every other key keeps its default (config/rdwarm.toml).
[platform]
kind = "lab"
[gate]
kind = "drain"
[warmup]
certificate_wait = $4
[retry]
jitter = "$3"
[health]
enabled = $2
[logging]
level = "info"
event_log = false
EOF
}

# --- time ----------------------------------------------------------------------------------------
# Milliseconds since the epoch of the first "YYYY-MM-DDTHH:MM:SS.mmmZ" on the lines of FILE that
# match the extended regex PATTERN; empty when none matches.
log_time_ms() {
  local line
  line=$(grep -m1 -E -- "$2" "$1" || true)
  [[ $line =~ ^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})\.([0-9]{3})Z ]] || return 0
  printf '%s%s\n' "$(date -u -d "${BASH_REMATCH[1]}Z" +%s)" "${BASH_REMATCH[2]}"
}

# --- statistics (jq) -----------------------------------------------------------------------------
# Numbers, one per line on standard input -> {n, min, median, p90, max, mean}. p90 is the
# nearest-rank value (ceil(0.9 n)).
summarize() {
  jq -s '
    sort as $v | ($v | length) as $n
    | if $n == 0 then {n: 0} else {
        n: $n, min: $v[0], max: $v[$n - 1], mean: (add / $n),
        median: (if $n % 2 == 1 then $v[($n - 1) / 2] else ($v[$n / 2 - 1] + $v[$n / 2]) / 2 end),
        p90: $v[((0.9 * $n) | ceil) - 1] } end'
}

machine_json() { # load_before load_after
  jq -n --arg cpu "$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" \
    --arg nproc "$(nproc)" --arg before "$1" --arg after "$2" \
    --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    '{date: $date, nproc: ($nproc | tonumber), cpu: $cpu, loadavg_before: $before,
      loadavg_after: $after}'
}
