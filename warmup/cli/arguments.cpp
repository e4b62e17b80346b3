#include "warmup/cli/arguments.hpp"

#include <charconv>

#include "config/duration.hpp"

namespace rdwarm::cli {

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  // The command line also takes a bare number as seconds ("--timeout 20"); rdwarm.toml does not.
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
    return config::parse_duration(std::string(text) + "s");
  }
  return config::parse_duration(text);
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
