#!/usr/bin/env python3
"""A discrete-event model of the boot storm of bench/agent_boot_storm.sh: N agents, one host each,
one license server with a service rate, a bounded queue (queue_limit) and an optional requester
timeout, as the lab implements them (lab/license_server/license_server.cpp). It is a model, not a
measurement: it leaves out CPU, TLS and process start-up, and it answers one question the 2-vCPU
benchmark machine cannot: how the outcome depends on how closely the agents' first attempts arrive
together (--spread), and what "equal" jitter would do (the agent offers only "full" and "none").

Agent: probe (its host asks the license server unless a request is outstanding); then wait for the
backoff delay (initial x multiplier^k, capped; full jitter U(0, d), equal jitter d/2 + U(0, d/2))
or until its host's certificate arrives (certificate_wait), then probe again; ready on the first
probe that finds the certificate. License server: FIFO, one request enters service every
1/capacity s and is answered `latency` later; a request arriving while queue_limit wait is refused
at once; a request its host gave up on (timeout) is still served, for nobody (wasted).

Usage: bench/storm_model.py [--agents 200] [--capacity 20] [--queue-limit 40] [--spread 0 1 2 4]
                            [--seeds 21] [--timeout 0]
Prints a Markdown table: medians over the seeds of all-ready time and requests per agent.
"""
import argparse
import heapq
import random
import statistics


def run(jitter, agents, capacity, latency, queue_limit, timeout, spread, seed, initial=1.0,
        multiplier=2.0, max_delay=30.0, probe=0.05):
    rng = random.Random(seed)
    events, order = [], [0]

    def at(t, kind, *args):
        order[0] += 1
        heapq.heappush(events, (t, order[0], kind, args))

    queue, next_slot, slot_armed = [], [-1e9], [False]
    stats = {"requests": 0, "busy": 0, "timed_out": 0, "wasted": 0}
    outstanding = [None] * agents  # request id of the host's outstanding request
    abandoned = set()
    has_cert, ready = [False] * agents, [None] * agents
    attempts, waiting = [0] * agents, [None] * agents
    ids = [0]

    def serve_slots(t):
        if slot_armed[0]:
            return
        while queue:
            if t < next_slot[0]:
                slot_armed[0] = True
                at(next_slot[0], "slot")
                return
            base = t if t - next_slot[0] > 1 / capacity else next_slot[0]
            next_slot[0] = base + 1 / capacity
            host, rid = queue.pop(0)
            at(t + latency, "served", host, rid)

    def request(t, host):
        stats["requests"] += 1
        if queue_limit and len(queue) >= queue_limit:
            stats["busy"] += 1
            at(t, "refused", host)
            return -1
        ids[0] += 1
        if timeout:
            at(t + timeout, "timeout", host, ids[0])
        queue.append((host, ids[0]))
        serve_slots(t)
        return ids[0]

    def delay(host):
        d = min(initial * multiplier ** (attempts[host] - 1), max_delay)
        if jitter == "full":
            return rng.uniform(0, d)
        if jitter == "equal":
            return d / 2 + rng.uniform(0, d / 2)
        return d

    for host in range(agents):
        at(rng.uniform(0, spread), "probe", host)
    while events:
        t, _, kind, args = heapq.heappop(events)
        if kind == "probe":
            host = args[0]
            if ready[host] is not None:
                continue
            attempts[host] += 1
            if has_cert[host]:
                ready[host] = t + probe
                continue
            if outstanding[host] is None:
                outstanding[host] = request(t + probe / 2, host)
            token = object()
            waiting[host] = token
            at(t + probe + delay(host), "wake", host, token)
        elif kind == "wake":
            host, token = args
            if waiting[host] is token:
                waiting[host] = None
                at(t, "probe", host)
        elif kind == "slot":
            slot_armed[0] = False
            serve_slots(t)
        elif kind == "refused":
            outstanding[args[0]] = None
        elif kind == "timeout":
            host, rid = args
            if outstanding[host] == rid:
                stats["timed_out"] += 1
                abandoned.add(rid)
                outstanding[host] = None
        elif kind == "served":
            host, rid = args
            if rid in abandoned:
                stats["wasted"] += 1
            elif outstanding[host] == rid:
                outstanding[host] = None
                has_cert[host] = True
                if waiting[host] is not None:  # certificate_wait: the agent probes at once
                    waiting[host] = None
                    at(t + 0.02, "probe", host)
    return max(ready), stats["requests"] / agents, stats


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--agents", type=int, default=200)
    p.add_argument("--capacity", type=float, default=20)
    p.add_argument("--latency", type=float, default=0.2)
    p.add_argument("--queue-limit", type=int, default=40)
    p.add_argument("--timeout", type=float, default=0, help="request_timeout in s, 0 = off")
    p.add_argument("--spread", type=float, nargs="+", default=[0, 1, 2, 4],
                   help="first attempts uniform over this many seconds")
    p.add_argument("--seeds", type=int, default=21)
    a = p.parse_args()
    ideal = a.agents / a.capacity
    print(f"model: {a.agents} agents, {a.capacity:g} certificates/s, queue_limit {a.queue_limit}, "
          f"request_timeout {a.timeout:g} s; medians of {a.seeds} seeds; ideal {ideal:g} s\n")
    print("| first attempts within | jitter | all ready after | × ideal | requests / agent |")
    print("|---|---|---|---|---|")
    for spread in a.spread:
        for jitter in ("none", "full", "equal"):
            runs = [run(jitter, a.agents, a.capacity, a.latency, a.queue_limit, a.timeout,
                        spread, seed) for seed in range(a.seeds)]
            done = statistics.median(r[0] for r in runs)
            per_agent = statistics.median(r[1] for r in runs)
            print(f"| {spread:g} s | {jitter} | {done:.1f} s | {done / ideal:.2f}× "
                  f"| {per_agent:.2f} |")


if __name__ == "__main__":
    main()
