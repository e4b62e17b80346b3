#include "config/duration.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <utility>

namespace rdwarm::config {

namespace {

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kMax = 3650 * kDay;
// Longest unit first, so format_duration picks the shortest spelling.
constexpr std::array<std::pair<std::string_view, std::int64_t>, 5> kUnits{{
    {"d", kDay},
    {"h", 3'600'000},
    {"m", 60'000},
    {"s", 1000},
    {"ms", 1},
}};

std::string in_quotes(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

}  // namespace

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  // from_chars takes no '+' or leading spaces; a '-' reads as negative and is refused below.
  const auto [p, ec] = std::from_chars(text.data(), end, value);
  if (ec == std::errc::result_out_of_range) {
    return make_error("duration", "", in_quotes(text) + " is longer than ten years");
  }
  if (ec != std::errc() || p == text.data() || value < 0) {
    return make_error("duration", "",
                      in_quotes(text) +
                          " is not a duration; write a whole number and a unit (ms, s, m, h or "
                          "d), such as \"500ms\", \"2s\", \"5m\"");
  }
  const std::string_view unit(p, static_cast<std::size_t>(end - p));
  for (const auto& [name, factor] : kUnits) {
    if (unit != name) continue;
    if (value > kMax / factor) {
      return make_error("duration", "", in_quotes(text) + " is longer than ten years");
    }
    return std::chrono::milliseconds(value * factor);
  }
  if (unit.empty()) {
    return make_error("duration", "",
                      in_quotes(text) +
                          " has no unit; write ms, s, m, h or d after the number, "
                          "such as \"" +
                          std::string(text) + "s\"");
  }
  return make_error("duration", "",
                    in_quotes(text) + " has an unknown unit \"" + std::string(unit) +
                        "\"; use ms, s, m, h or d, such as \"500ms\", \"2s\", \"5m\"");
}

std::string format_duration(std::chrono::milliseconds d) {
  const std::int64_t ms = d.count();
  if (ms == 0) return "0s";
  for (const auto& [name, factor] : kUnits) {
    if (ms % factor == 0) return std::to_string(ms / factor) + std::string(name);
  }
  return std::to_string(ms) + "ms";
}

}  // namespace rdwarm::config
