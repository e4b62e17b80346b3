// License-server reachability from the session host (reference/windows-rds-licensing.md 3.1,
// 3.4): for each server a name lookup, then a TCP connect to each port (135, the RPC endpoint
// mapper, and 445, SMB for RPC over named pipes), each with a timeout and its latency. Bounded:
// the whole run takes at most dns_timeout + connect_timeout, whatever the network does.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "licensing/wire/result.hpp"

namespace rdwarm::imagebuild {

enum class PortState {
  kOpen,      // connected (and closed again at once)
  kRefused,   // the host answered with a reset: nothing listens, or a firewall rejects
  kTimeout,   // no answer within connect_timeout: dropped by a firewall, or a dead host
  kError,     // another failure (no route, address family not supported, ...)
  kNotTried,  // the name did not resolve
};
std::string_view port_state_name(PortState state);  // "open", "refused", ...

struct PortProbe {
  std::uint16_t port = 0;
  PortState state = PortState::kNotTried;
  std::string address;      // the address that answered, or the last one tried
  double milliseconds = 0;  // from the start of the connect to its end (or the timeout)
  std::string error;        // the system's words for refused / error
};

enum class DnsState {
  kLiteral,   // the name is an IP address: no lookup
  kResolved,  // at least one address
  kFailed,    // the resolver said no
  kTimeout,   // no answer within dns_timeout
};
std::string_view dns_state_name(DnsState state);  // "literal", "resolved", "failed", "timeout"

struct DnsLookup {
  DnsState state = DnsState::kFailed;
  std::vector<std::string> addresses;
  double milliseconds = 0;
  std::string error;
  [[nodiscard]] bool ok() const {
    return state == DnsState::kLiteral || state == DnsState::kResolved;
  }
};

struct ServerReachability {
  std::string name;
  DnsLookup dns;
  std::vector<PortProbe> ports;
  [[nodiscard]] bool all_open() const;  // resolved and every port open
  [[nodiscard]] bool any_open() const;
};

// A blocking name lookup returning address texts ("10.0.0.5", "fe80::1"). It runs on a thread of
// its own, so one that hangs costs the caller dns_timeout and no more.
using Resolver = std::function<Result<std::vector<std::string>>(const std::string& name)>;
Resolver system_resolver();  // getaddrinfo, A and AAAA, TCP

struct ReachabilityOptions {
  std::vector<std::uint16_t> ports{135, 445};
  std::chrono::milliseconds dns_timeout{std::chrono::seconds(2)};
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(2)};
  Resolver resolver;  // empty: system_resolver()
};

// More servers than this are not probed (the caller says so): the check must stay bounded.
inline constexpr std::size_t kMaxProbedLicenseServers = 16;

// Probes the servers in order (at most kMaxProbedLicenseServers); all lookups run at once, then
// all connects at once.
std::vector<ServerReachability> probe_license_servers(const std::vector<std::string>& servers,
                                                      const ReachabilityOptions& options);

// "135,445" -> {135, 445}; each 1-65535, at least one, no repeats.
Result<std::vector<std::uint16_t>> parse_port_list(std::string_view text);

}  // namespace rdwarm::imagebuild
