#!/usr/bin/env bash
# Boot agent benchmark: a boot storm. N agents (default 200), one per emulated session host, all
# start at once; the hosts share ONE emulated license server that issues 20 certificates per second
# (bench/scenarios/bench-storm.toml). Targets: every agent is ready within 1.3 x the ideal time
# (N / capacity), and the license server sees at most 1.5 requests per agent. Run with jitter
# "full" (the default) and "none" ([retry] jitter in rdwarm.toml) on the same N.
#
# rdwarm-lab emulates one session host; the pool is served by bench's rdwarm-lab-pool, which builds
# N lab session hosts around one lab license server (same code, rdwarm_lab_core). Each agent runs
# `rdwarm boot --platform lab` against its own host (its own port and state directory) with the
# drain gate and no health endpoint.
#
# Measured per variant: time from the first agent's launch to each agent's "Ready" log line (the
# gate is open), the license server's requests (the pool's --stats-file), RDP connections per host
# (probes), attempts per agent, and with an overloaded license server
# (bench/scenarios/bench-storm-overload.toml) the requests it refused as busy and the ones it served
# after their host had given up (wasted).
#
# Usage: bench/agent_boot_storm.sh [options]
#   --agents N              agents and hosts (default 200; env AGENTS)
#   --jitter full|none|both retry jitter of the agents (default both)
#   --certificate-wait true|false
#                           [warmup] certificate_wait of the agents (default true, the shipped
#                           default: an agent probes as soon as its host's certificate changes)
#   --scenario FILE         host and license server (default bench/scenarios/bench-storm.toml)
#   --start-together        launch the agents first, hold them at a barrier, then release them
#                           all at once (the clock starts at the release); default: start each
#                           as it is launched, which spreads the starts over the launch time
#   --nice N                run the agents, and the pool once it listens, at niceness N
#                           (default 0; N < 0 needs root): on a shared machine this keeps other
#                           work from deciding how fast the fleet starts
#   --pool PATH             the pool server: `PATH --scenario F --hosts N --state-dir D
#                           --stats-file S` (default: rdwarm-lab-pool of the build directory)
#   --build-dir DIR         build here (default build/release; Release + static runtime)
#   --no-build              use the binaries already in the build directory
#   --rdwarm PATH           this rdwarm
#   --rounds R              repeat the variants R times, alternating (default 1; env ROUNDS)
#   --deadline D            each agent's --deadline (default 180s)
#   --out DIR               results (default build/bench)
#   -h, --help
# Needs: cmake, ninja, jq, timeout, setsid (scripts/setup). About 2 min per variant for N = 200
# on 2 vCPUs (most of it the pool generating 2 RSA keys per host). Talks only to 127.0.0.1.
# Every process it starts is stopped on exit.
set -euo pipefail

agents=${AGENTS:-200}
jitters=(full none)
certificate_wait=true
scenario=
pool=
build=1
build_dir=
rdwarm=
deadline=180s
rounds=${ROUNDS:-1}
out_dir=
start_together=false
niceness=0

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; }
while (($#)); do
  case $1 in
    --agents) agents=$2; shift 2 ;;
    --jitter)
      case $2 in
        full | none) jitters=("$2") ;;
        both) jitters=(full none) ;;
        *) echo "--jitter: full, none or both" >&2; exit 2 ;;
      esac
      shift 2 ;;
    --certificate-wait)
      [[ $2 == true || $2 == false ]] || { echo "--certificate-wait: true or false" >&2; exit 2; }
      certificate_wait=$2; shift 2 ;;
    --scenario) scenario=$(realpath "$2"); shift 2 ;;
    --start-together) start_together=true; shift ;;
    --nice) niceness=$2; shift 2 ;;
    --pool) pool=$(realpath "$2"); shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --rdwarm) rdwarm=$(realpath "$2"); shift 2 ;;
    --deadline) deadline=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --out) out_dir=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $agents =~ ^[1-9][0-9]*$ ]] || { echo "--agents must be a positive integer" >&2; exit 2; }
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "--rounds must be a positive integer" >&2; exit 2; }
[[ $niceness =~ ^-?[0-9]+$ ]] || { echo "--nice must be an integer" >&2; exit 2; }

# shellcheck source=bench/agent_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/agent_common.sh"
for tool in jq timeout setsid /usr/bin/time getconf; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found (run scripts/setup)"
done
scenario=${scenario:-$repo_root/bench/scenarios/bench-storm.toml}
build_dir=${build_dir:-$repo_root/build/release}
targets=()
[[ -z $rdwarm ]] && targets+=(rdwarm)
[[ -z $pool ]] && targets+=(rdwarm-lab-pool)
if ((build && ${#targets[@]})); then build_release "$build_dir" "${targets[@]}"; fi
rdwarm=${rdwarm:-$build_dir/warmup/rdwarm}
pool=${pool:-$build_dir/bench/rdwarm-lab-pool}
[[ -x $rdwarm ]] || die "$rdwarm missing (build it or drop --no-build)"
[[ -x $pool ]] || die "$pool missing (build it or drop --no-build)"
out_dir=${out_dir:-$repo_root/build/bench}
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
((agents + 64 < $(ulimit -n))) || die "raise the open-file limit (ulimit -n) above $((agents + 64))"
# Each waiting agent holds one inotify instance; past fs.inotify.max_user_instances the lab
# backend falls back to reading the state file every 20 ms (same result, more CPU).
inotify_max=$(cat /proc/sys/fs/inotify/max_user_instances 2>/dev/null || echo 0)
if ((agents > inotify_max)); then
  log "note: fs.inotify.max_user_instances is $inotify_max < $agents agents: the agents past it"
  log "      poll their state file every 20 ms instead of waiting on inotify"
fi
# Results: agent_boot_storm[_poll]_<jitter>_r<round>.json and the summary
# agent_boot_storm[_poll].{json,md}; _poll when certificate_wait = false.
suffix=
[[ $certificate_wait == false ]] && suffix=_poll
bench_init
ticks=$(getconf CLK_TCK)
cpu_ticks() { # pid -> utime + stime in clock ticks (fields 14 and 15 of /proc/PID/stat)
  local stat
  stat=$(<"/proc/$1/stat")
  stat=${stat##*) } # the command name may contain spaces; fields resume after ") "
  read -r -a f <<<"$stat"
  echo $((f[11] + f[12]))
}

# --- one variant: pool up, N agents at once, pool down ---------------------------------------------
run_variant() { # jitter round
  local jitter=$1 round=$2 dir i t0_us t1_us pool_pid pool_cpu0 pool_cpu1 load_before load_after
  local result=$out_dir/agent_boot_storm${suffix}_${jitter}_r$round.json
  dir=$bench_work/$jitter-r$round
  mkdir -p "$dir/agents"
  log "[$jitter, round $round] starting the pool: $agents hosts (2 RSA keys each; a minute or two)"
  : >"$dir/pool.out"
  setsid "$pool" --scenario "$scenario" --hosts "$agents" --state-dir "$dir/hosts" \
    --stats-file "$dir/pool-stats.json" --log-level info >"$dir/pool.out" 2>"$dir/pool.err" &
  pool_pid=$!
  bench_pids+=("$pool_pid")
  for _ in $(seq 1 6000); do
    grep -q '^ready ' "$dir/pool.out" && break
    kill -0 "$pool_pid" 2>/dev/null || { cat "$dir/pool.err" >&2; die "the pool exited"; }
    sleep 0.1
  done
  grep -q '^ready ' "$dir/pool.out" || die "the pool did not come up within 10 min"
  mapfile -t hosts < <(awk '$1 == "host" { print $3, $4 }' "$dir/pool.out")
  ((${#hosts[@]} == agents)) || die "the pool lists ${#hosts[@]} hosts, expected $agents"
  write_agent_config "$dir/rdwarm.toml" false "$jitter" "$certificate_wait"
  if ((niceness != 0)); then
    renice -n "$niceness" -p "$pool_pid" >/dev/null || die "cannot renice the pool to $niceness"
  fi

  sleep 2 # let the load of the pool's start-up settle
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  pool_cpu0=$(cpu_ticks "$pool_pid")
  log "[$jitter, round $round] launching $agents agents"
  local agent_pids=() barrier=$dir/barrier armed
  if [[ $start_together == true ]]; then
    # The barrier: a FIFO this shell holds open read-write. Each agent's shell opens it for
    # reading, drops its inherited copy of the write end and blocks in read; closing the last
    # write end here gives every reader EOF at the same moment.
    mkfifo "$barrier"
    exec 9<>"$barrier"
  fi
  t0_us=${EPOCHREALTIME/./}
  for ((i = 0; i < agents; i++)); do
    local target=${hosts[i]% *} state=${hosts[i]#* } a=$dir/agents/$i
    (
      if [[ $start_together == true ]]; then
        exec 8<"$barrier" 9>&-
        : >"$a.armed"
        read -r -u 8 _ || true
        exec 8<&-
      fi
      rc=0
      nice -n "$niceness" timeout 600 /usr/bin/time -f '%U %S %M' -o "$a.time" "$rdwarm" boot \
        --config "$dir/rdwarm.toml" --platform lab --lab-state-dir "$state" --target "$target" \
        --deadline "$deadline" --status-file "$a.status.json" --journal "$a.journal.json" \
        --no-progress >"$a.out" 2>"$a.err" || rc=$?
      echo "$rc" >"$a.rc"
    ) &
    agent_pids+=("$!")
  done
  t1_us=${EPOCHREALTIME/./}
  if [[ $start_together == true ]]; then
    for _ in $(seq 1 600); do
      armed=$(find "$dir/agents" -name '*.armed' | wc -l)
      ((armed == agents)) && break
      sleep 0.1
    done
    ((armed == agents)) || die "only $armed of $agents agents reached the start barrier in 60 s"
    log "[$jitter, round $round] all $agents agents at the barrier after" \
      "$(((t1_us - t0_us) / 1000)) ms of launching; releasing them"
    t0_us=${EPOCHREALTIME/./}
    exec 9>&-
    t1_us=$t0_us
  fi
  for i in "${agent_pids[@]}"; do wait "$i" || true; done
  load_after=$(cut -d' ' -f1-3 /proc/loadavg)
  pool_cpu1=$(cpu_ticks "$pool_pid")
  stop_group "$pool_pid"
  forget_pid "$pool_pid"
  [[ -s $dir/pool-stats.json ]] || die "the pool wrote no statistics"

  # Per agent: exit code, ready time (s after t0), attempts, CPU, and the time its host received
  # its certificate (agent i runs against host i).
  : >"$dir/agents.jsonl"
  for ((i = 0; i < agents; i++)); do
    local a=$dir/agents/$i ready_ms started_ms attempts user=0 sys=0 rss=0
    ready_ms=$(log_time_ms "$a.err" ' Ready: ')
    started_ms=$(log_time_ms "$a.err" ' warming up RD licensing on ')
    attempts=$(jq -r '.attempts.total // empty' "$a.status.json" 2>/dev/null || true)
    [[ -s $a.time ]] && read -r user sys rss < <(tail -1 "$a.time")
    jq -nc --argjson i "$i" --argjson rc "$(cat "$a.rc")" --argjson t0 "$t0_us" \
      --argjson ready "${ready_ms:-null}" --argjson attempts "${attempts:-null}" \
      --argjson started "${started_ms:-null}" \
      --argjson cpu "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" \
      --argjson rss "$rss" \
      '{agent: $i, rc: $rc, attempts: $attempts, cpu_s: $cpu, peak_rss_kb: $rss,
        ready_ms: $ready,
        started_s: (if $started then ($started * 1000 - $t0) / 1e6 else null end),
        ready_s: (if $ready then ($ready * 1000 - $t0) / 1e6 else null end)}'
  done >>"$dir/agents.jsonl"
  jq -s --slurpfile pool "$dir/pool-stats.json" --arg jitter "$jitter" --argjson round "$round" \
    --argjson t0_ms "$((t0_us / 1000))" --argjson launch_s "$(((t1_us - t0_us) / 1000))e-3" \
    --argjson pool_cpu_s "$(((pool_cpu1 - pool_cpu0) * 1000 / ticks))e-3" \
    --argjson machine "$(machine_json "$load_before" "$load_after")" \
    --arg certificate_wait "$certificate_wait" --arg start_together "$start_together" \
    --argjson niceness "$niceness" '
    def stats: sort as $v | ($v | length) as $n | if $n == 0 then null else {
      min: $v[0], max: $v[$n - 1],
      median: (if $n % 2 == 1 then $v[($n - 1) / 2] else ($v[$n / 2 - 1] + $v[$n / 2]) / 2 end),
      p90: $v[((0.9 * $n) | ceil) - 1] } end;
    $pool[0] as $p | length as $n
    | ($n / $p.license_server.capacity_per_second) as $ideal
    | (map(select(.rc == 0 and .ready_s != null)) | length) as $ready
    | (map(.ready_s | select(. != null)) | max) as $all
    | ($p.per_host | map(.certificate_at_unix_ms | select(. != null))) as $certs
    | { jitter: $jitter, round: $round, certificate_wait: ($certificate_wait == "true"),
        agents: $n, machine: $machine, launch_spread_s: $launch_s,
        start_together: ($start_together == "true"), niceness: $niceness,
        # When the agents actually started (their first log line), after the clock started.
        agent_start_s: (map(.started_s | select(. != null)) | stats),
        capacity_per_second: $p.license_server.capacity_per_second,
        license_server_latency_ms: $p.license_server.latency_ms,
        ideal_s: $ideal, ready_agents: $ready,
        exit_codes: (group_by(.rc) | map({key: (.[0].rc | tostring), value: length}) | from_entries),
        all_ready_s: $all, ratio_to_ideal: (if $all then $all / $ideal else null end),
        ready_s: (map(.ready_s | select(. != null)) | stats),
        # After its host stored the certificate, how long until the agent had opened the gate.
        reaction_ms: ([range(0; $n) as $i | .[$i].ready_ms as $r
                       | $p.per_host[$i].certificate_at_unix_ms as $c
                       | select($r != null and $c != null) | $r - $c] | stats),
        certificates_issued_s: { first: ((($certs | min) - $t0_ms) / 1000),
                                 last: ((($certs | max) - $t0_ms) / 1000),
                                 span: ((($certs | max) - ($certs | min)) / 1000),
                                 span_at_capacity: (($n - 1) / $p.license_server.capacity_per_second) },
        license_server: $p.license_server,
        requests_per_agent: ($p.license_server.requests / $n),
        # Requests the license server took on (not refused as busy), per agent.
        accepted_requests_per_agent:
          (($p.license_server.requests - ($p.license_server.failed_busy // 0)) / $n),
        host_requests_max: ($p.per_host | map(.certificate_requests) | max),
        probes_per_agent: (($p.per_host | map(.connections) | add) / $n),
        attempts: (map(.attempts | select(. != null)) | stats),
        agent_cpu_s: { total: (map(.cpu_s) | add), per_agent: (map(.cpu_s) | stats) },
        agent_peak_rss_kb: (map(.peak_rss_kb) | stats),
        pool_cpu_s: $pool_cpu_s,
        targets: { all_ready_within_1_3x_ideal: ($ready == $n and $all != null
                                                   and $all <= 1.3 * $ideal),
                   requests_per_agent_le_1_5: ($p.license_server.requests / $n <= 1.5) } }' \
    "$dir/agents.jsonl" >"$result"
  log "[$jitter, round $round] $(jq -c '{ready_agents, all_ready_s, ratio_to_ideal,
    requests_per_agent, probes_per_agent, reaction_ms: .reaction_ms.median,
    load: .machine.loadavg_after}' "$result")"
}

files=()
for ((r = 1; r <= rounds; r++)); do
  for j in "${jitters[@]}"; do
    run_variant "$j" "$r"
    files+=("$out_dir/agent_boot_storm${suffix}_${j}_r$r.json")
  done
done

jq -s '
  def median: sort as $v | ($v | length) as $n
    | if $n % 2 == 1 then $v[($n - 1) / 2] else ($v[$n / 2 - 1] + $v[$n / 2]) / 2 end;
  { schema: "rdwarm.bench.agent-boot-storm/1", runs: .,
    by_jitter: (group_by(.jitter) | map({
      jitter: .[0].jitter, rounds: length,
      all_ready_s_median: (map(.all_ready_s) | median),
      ratio_to_ideal_median: (map(.ratio_to_ideal) | median),
      requests_per_agent_median: (map(.requests_per_agent) | median),
      accepted_requests_per_agent_median: (map(.accepted_requests_per_agent) | median),
      failed_busy_median: (map(.license_server.failed_busy // 0) | median),
      timed_out_median: (map(.license_server.timed_out // 0) | median),
      wasted_median: (map(.license_server.wasted // 0) | median),
      agent_start_spread_s_median: (map(.agent_start_s.max // 0) | median),
      reaction_ms_median: (map(.reaction_ms.median) | median),
      probes_per_agent_median: (map(.probes_per_agent) | median),
      all_rounds_met: (map(.targets.all_ready_within_1_3x_ideal
                           and .targets.requests_per_agent_le_1_5) | all) })) }' "${files[@]}" \
  >"$out_dir/agent_boot_storm${suffix}.json"
jq -r '
  def yn: if . then "met" else "MISSED" end;
  def r2: . * 100 | round / 100;
  "# rdwarm boot: boot storm\n",
  (.runs[0] | "\(.agents) agents, license server \(.capacity_per_second) certificates/s (latency \(.license_server_latency_ms) ms, queue_limit \(.license_server.queue_limit // 0), request_timeout \(.license_server.request_timeout_ms // 0) ms), ideal \(.ideal_s) s; certificate_wait = \(.certificate_wait); start together = \(.start_together); niceness \(.niceness); \(.machine.nproc) vCPU, \(.machine.cpu)\n"),
  "| jitter | round | ready | all ready after | × ideal | agents started within | ready median / p90 | certificates issued (first … last) | agent reaction median / max | LS requests per agent | refused busy | timed out / wasted | queue peak | probes per agent | attempts median / max | agents CPU total | pool CPU | load before → after | ≤ 1.3× ideal | ≤ 1.5 requests/agent |",
  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  (.runs[] |
    "| \(.jitter) | \(.round) | \(.ready_agents)/\(.agents) | **\(.all_ready_s | r2) s** | **\(.ratio_to_ideal | r2)×** | \(.agent_start_s.max // null | if . then r2 else "?" end) s | \(.ready_s.median | r2) / \(.ready_s.p90 | r2) s | \(.certificates_issued_s.first | r2) … \(.certificates_issued_s.last | r2) s | \(.reaction_ms.median) / \(.reaction_ms.max) ms | **\(.requests_per_agent | r2)** | \(.license_server.failed_busy // 0) | \(.license_server.timed_out // 0) / \(.license_server.wasted // 0) | \(.license_server.queued_peak) | \(.probes_per_agent | r2) | \(.attempts.median) / \(.attempts.max) | \(.agent_cpu_s.total | r2) s | \(.pool_cpu_s | r2) s | \(.machine.loadavg_before) → \(.machine.loadavg_after) | \(.targets.all_ready_within_1_3x_ideal | yn) | \(.targets.requests_per_agent_le_1_5 | yn) |"),
  "",
  "| jitter | rounds | median all ready | median × ideal | median requests/agent | median accepted requests/agent | median refused busy | median wasted | median agent reaction | median probes/agent | every round met both targets |",
  "|---|---|---|---|---|---|---|---|---|---|---|",
  (.by_jitter[] | "| \(.jitter) | \(.rounds) | \(.all_ready_s_median | r2) s | \(.ratio_to_ideal_median | r2)× | \(.requests_per_agent_median | r2) | \(.accepted_requests_per_agent_median | r2) | \(.failed_busy_median) | \(.wasted_median) | \(.reaction_ms_median) ms | \(.probes_per_agent_median | r2) | \(.all_rounds_met | yn) |")
' "$out_dir/agent_boot_storm${suffix}.json" | tee "$out_dir/agent_boot_storm${suffix}.md"
log "wrote $out_dir/agent_boot_storm${suffix}{.json,.md,_*_r*.json}"
