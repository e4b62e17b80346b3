// Command-line values: durations ("20s", "1500ms", "2m") and targets ("host", "host:port",
// "[::1]:3390").
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "licensing/wire/result.hpp"

namespace rdwarm::cli {

Result<std::chrono::milliseconds> parse_duration(std::string_view text);

struct Target {
  std::string host;
  std::uint16_t port = 3389;
};
Result<Target> parse_target(std::string_view text);

}  // namespace rdwarm::cli
