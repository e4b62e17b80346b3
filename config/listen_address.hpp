// The health listener's address, written "host:port" in rdwarm.toml: "127.0.0.1:9181",
// "[::1]:9181", "localhost:9181".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "licensing/wire/result.hpp"

namespace rdwarm::config {

struct ListenAddress {
  std::string host;  // without brackets
  std::uint16_t port = 0;
};

// The port is required (1-65535). Errors: Error{"listen address", "", "<what was wrong>"}.
Result<ListenAddress> parse_listen_address(std::string_view text);
// "host:port", with brackets around an IPv6 host.
std::string format_listen_address(std::string_view host, std::uint16_t port);

// 127.0.0.0/8, ::1 and "localhost": addresses no other machine can reach. A host name other than
// localhost counts as remote, since it may resolve to anything.
bool is_loopback_host(std::string_view host);

}  // namespace rdwarm::config
