// Durations in scenario files: a whole number and a unit, "500ms", "3s", "2m", "1h", "120d".
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "licensing/wire/result.hpp"

namespace rdwarm::lab {

// At most ten years: grace periods are counted in days, everything else in seconds.
Result<std::chrono::milliseconds> parse_lab_duration(std::string_view text);

// The shortest exact spelling: 3000ms -> "3s", 1500ms -> "1500ms", 172800000ms -> "2d".
std::string format_lab_duration(std::chrono::milliseconds d);

}  // namespace rdwarm::lab
