// Durations in rdwarm.toml: a whole number and a unit, "500ms", "2s", "5m", "1h", "30d". The unit
// is required (a bare "20" could mean seconds or minutes); the syntax is the command line's
// (warmup/cli/arguments.hpp) plus days, which image lifetimes need.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "licensing/wire/result.hpp"

namespace rdwarm::config {

// At most ten years. Errors: Error{"duration", "", "\"2 sec\" is not a duration; ..."}.
Result<std::chrono::milliseconds> parse_duration(std::string_view text);

// The shortest exact spelling, which parse_duration reads back: 3000ms -> "3s", 1500ms ->
// "1500ms", 2592000000ms -> "30d".
std::string format_duration(std::chrono::milliseconds d);

}  // namespace rdwarm::config
