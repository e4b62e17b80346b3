#include "lab/scenario/duration.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <utility>

namespace rdwarm::lab {

namespace {
constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kMax = 3650 * kDay;
// Longest unit first, so format_lab_duration picks the shortest spelling.
constexpr std::array<std::pair<std::string_view, std::int64_t>, 5> kUnits{{
    {"d", kDay},
    {"h", 3'600'000},
    {"m", 60'000},
    {"s", 1000},
    {"ms", 1},
}};
}  // namespace

Result<std::chrono::milliseconds> parse_lab_duration(std::string_view text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || p == text.data() || value < 0) {
    return make_error("duration", std::string(text),
                      "must be a whole number with a unit: 500ms, 3s, 2m, 1h, 120d");
  }
  const std::string_view unit(p, static_cast<std::size_t>(end - p));
  for (const auto& [name, factor] : kUnits) {
    if (unit != name) continue;
    if (value > kMax / factor) {
      return make_error("duration", std::string(text), "is longer than ten years");
    }
    return std::chrono::milliseconds(value * factor);
  }
  return make_error("duration", std::string(text),
                    "has no known unit ('" + std::string(unit) + "'): use ms, s, m, h or d");
}

std::string format_lab_duration(std::chrono::milliseconds d) {
  const std::int64_t ms = d.count();
  if (ms == 0) return "0s";
  for (const auto& [name, factor] : kUnits) {
    if (ms % factor == 0) return std::to_string(ms / factor) + std::string(name);
  }
  return std::to_string(ms) + "ms";
}

}  // namespace rdwarm::lab
