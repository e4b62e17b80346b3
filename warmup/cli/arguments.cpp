#include "warmup/cli/arguments.hpp"

#include <charconv>

namespace rdwarm::cli {

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || p == text.data()) {
    return make_error("duration", std::string(text),
                      "must be a number with a unit: 500ms, 20s, 2m, 1h");
  }
  const std::string_view unit(p, static_cast<std::size_t>(end - p));
  std::uint64_t factor = 0;
  if (unit == "ms")
    factor = 1;
  else if (unit == "s" || unit.empty())
    factor = 1000;
  else if (unit == "m")
    factor = 60'000;
  else if (unit == "h")
    factor = 3'600'000;
  else
    return make_error("duration", std::string(text),
                      "unknown unit '" + std::string(unit) + "' (use ms, s, m or h)");
  if (value > 7ULL * 24 * 3'600'000 / factor)
    return make_error("duration", std::string(text), "is longer than a week");
  return std::chrono::milliseconds(static_cast<std::int64_t>(value * factor));
}

Result<Target> parse_target(std::string_view text) {
  Target t;
  std::string_view port;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos)
      return make_error("target", std::string(text), "has '[' without ']'");
    t.host = std::string(text.substr(1, close - 1));
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':')
        return make_error("target", std::string(text), "expected ':' after ']'");
      port = text.substr(close + 2);
    }
  } else {
    const auto colon = text.rfind(':');
    if (colon != std::string_view::npos && text.find(':') == colon) {
      t.host = std::string(text.substr(0, colon));
      port = text.substr(colon + 1);
    } else {
      t.host = std::string(text);  // a bare IPv6 address or a host name
    }
  }
  if (t.host.empty()) return make_error("target", std::string(text), "has no host");
  if (!port.empty()) {
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535) {
      return make_error("target", std::string(text), "port must be 1-65535");
    }
    t.port = static_cast<std::uint16_t>(value);
  }
  return t;
}

}  // namespace rdwarm::cli
