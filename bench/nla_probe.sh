#!/usr/bin/env bash
# What NLA adds to a probe: `rdwarm probe --json` against the same kind of host with and without
# Network Level Authentication, on loopback, N runs each, medians of the probe's own timings
# (total_ms and the `nla` phase from phases[]; process start-up is left out).
#   lab:    rdwarm-lab `warm` (TLS only)  vs  `nla-required` with the scenario's account (SPNEGO +
#           NTLMv2, CredSSP 6, HYBRID_EX), both holding a certificate, so both end Licensed.
#   shadow: freerdp-shadow-cli /sec:tls   vs  /sec:nla with a winpr-hash SAM file (bare NTLM,
#           FreeRDP 2's own CredSSP server); an Xvfb is started for it.
# Results: build/bench/nla_probe.json and a table on standard output.
#
# Usage: bench/nla_probe.sh [--runs N] [--no-build] [--no-shadow] [--out DIR]
# Needs: cmake, ninja, jq, Xvfb, freerdp-shadow-cli, winpr-hash (scripts/setup).
# Talks only to 127.0.0.1. Every process it starts is stopped on exit.
set -euo pipefail

runs=30
build=1
with_shadow=1
out_dir=
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --no-shadow) with_shadow=0; shift ;;
    --out) out_dir=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "--runs must be a positive integer" >&2; exit 2; }

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/agent_common.sh
source "$repo_root/bench/agent_common.sh"
out_dir=${out_dir:-$repo_root/build/bench}
mkdir -p "$out_dir"
dir=$repo_root/build/release
((build)) && build_release "$dir" rdwarm rdwarm-lab
rdwarm=$dir/warmup/rdwarm
lab=$dir/lab/rdwarm-lab
[[ -x $rdwarm && -x $lab ]] || die "$rdwarm or $lab missing (drop --no-build)"
for tool in jq; do command -v "$tool" >/dev/null || die "$tool not found (run scripts/setup)"; done
bench_init
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# The lab's NLA account: the nla-required scenario's own (lab/scenarios/nla-required.toml).
lab_password=$(sed -n 's/^password *= *"\(.*\)"/\1/p' "$repo_root/lab/scenarios/nla-required.toml" | head -1)
[[ -n $lab_password ]] || die "no [nla] password in lab/scenarios/nla-required.toml"
export RDWARM_BENCH_NLA_PASSWORD=$lab_password

# measure NAME ARGS...: N probes; appends {name, total_ms, nla_ms} summaries to $results.
results=$bench_work/results.jsonl
measure() {
  local name=$1 i
  shift
  local totals=$bench_work/$name.total nla=$bench_work/$name.nla
  : >"$totals"
  : >"$nla"
  # The first run must succeed and end Licensed: a benchmark of a failing probe measures nothing.
  timeout 30 "$rdwarm" probe "$@" --json >"$bench_work/$name.first.json" ||
    die "$name: probe failed: $(jq -r '.verdict.headline' "$bench_work/$name.first.json" 2>/dev/null)"
  [[ $(jq -r .outcome "$bench_work/$name.first.json") == Licensed ]] ||
    die "$name: outcome $(jq -r .outcome "$bench_work/$name.first.json")"
  for ((i = 0; i < runs; i++)); do
    timeout 30 "$rdwarm" probe "$@" --json >"$bench_work/$name.json" || die "$name: run $i failed"
    jq -r .total_ms "$bench_work/$name.json" >>"$totals"
    jq -r '[.phases[] | select(.phase == "nla") | .ms] | add // 0' "$bench_work/$name.json" >>"$nla"
  done
  jq -n --arg name "$name" --argjson total "$(summarize <"$totals")" \
    --argjson nla "$(summarize <"$nla")" '{name: $name, total_ms: $total, nla_ms: $nla}' >>"$results"
  log "$name: median $(summarize <"$totals" | jq .median) ms (nla phase $(summarize <"$nla" | jq .median) ms)"
}

log "lab: warm (TLS) and nla-required (CredSSP), $runs probes each"
start_lab "$lab" warm "$bench_work/lab-warm" "$bench_work/lab-warm"
measure lab-tls "127.0.0.1:$lab_port"
stop_lab
start_lab "$lab" nla-required "$bench_work/lab-nla" "$bench_work/lab-nla"
measure lab-nla "127.0.0.1:$lab_port" --user probe --domain LAB --password-env RDWARM_BENCH_NLA_PASSWORD
stop_lab

if ((with_shadow)); then
  for tool in Xvfb freerdp-shadow-cli winpr-hash; do
    command -v "$tool" >/dev/null || die "$tool not found (run scripts/setup)"
  done
  mkfifo "$bench_work/displayfd"
  exec {display_fd}<>"$bench_work/displayfd"
  setsid Xvfb -displayfd "$display_fd" -screen 0 1280x800x24 -nolisten tcp >"$bench_work/xvfb.log" 2>&1 &
  bench_pids+=("$!")
  display=
  read -r -t 10 -u "$display_fd" display || true
  exec {display_fd}>&-
  [[ $display =~ ^[0-9]+$ ]] || die "Xvfb did not report a display"
  export DISPLAY=:$display
  export HOME=$bench_work/home # shadow writes its generated certificate under ~/.config
  mkdir -p "$HOME"
  shadow_password=rdwarm-bench
  winpr-hash -u rdwarm -p "$shadow_password" -f sam >"$bench_work/sam" 2>/dev/null ||
    winpr-hash -u rdwarm -p "$shadow_password" >"$bench_work/sam"
  start_shadow() { # SECURITY EXTRA...: sets shadow_port
    local sec=$1 _
    shift
    shadow_port=$((20000 + RANDOM % 20000))
    setsid freerdp-shadow-cli "/port:$shadow_port" /bind-address:127.0.0.1 -auth "/sec:$sec" "$@" \
      >"$bench_work/shadow-$sec.log" 2>&1 &
    shadow_pid=$!
    bench_pids+=("$shadow_pid")
    for _ in $(seq 1 100); do
      ss -Htln "sport = :$shadow_port" | grep -q . && return 0
      sleep 0.05
    done
    cat "$bench_work/shadow-$sec.log" >&2
    die "freerdp-shadow-cli /sec:$sec did not listen"
  }
  export RDWARM_BENCH_SHADOW_PASSWORD=$shadow_password
  log "shadow: /sec:tls and /sec:nla, $runs probes each"
  start_shadow tls
  measure shadow-tls "127.0.0.1:$shadow_port"
  stop_group "$shadow_pid"
  forget_pid "$shadow_pid"
  start_shadow nla "/sam-file:$bench_work/sam"
  measure shadow-nla "127.0.0.1:$shadow_port" --user rdwarm --password-env RDWARM_BENCH_SHADOW_PASSWORD \
    --nla-tokens ntlm
  stop_group "$shadow_pid"
  forget_pid "$shadow_pid"
fi

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
jq -s --argjson machine "$(machine_json "$load_before" "$load_after")" --argjson runs "$runs" \
  '{machine: $machine, runs: $runs, results: .}' "$results" >"$out_dir/nla_probe.json"

printf '\n%-12s %10s %10s %12s\n' configuration "median ms" "p90 ms" "nla median"
jq -r '.results[] | [.name, .total_ms.median, .total_ms.p90, .nla_ms.median] | @tsv' \
  "$out_dir/nla_probe.json" | while IFS=$'\t' read -r name median p90 nla; do
  printf '%-12s %10.2f %10.2f %12.2f\n' "$name" "$median" "$p90" "$nla"
done
jq -r '.results | map({(.name): .total_ms.median}) | add
  | "NLA adds: lab \(.["lab-nla"] - .["lab-tls"] | . * 100 | round / 100) ms (x\(.["lab-nla"] / .["lab-tls"] | . * 100 | round / 100))"
    + (if .["shadow-nla"] then ", shadow \(.["shadow-nla"] - .["shadow-tls"] | . * 100 | round / 100) ms (x\(.["shadow-nla"] / .["shadow-tls"] | . * 100 | round / 100))" else "" end)' \
  "$out_dir/nla_probe.json"
log "results in $out_dir/nla_probe.json"
