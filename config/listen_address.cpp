#include "config/listen_address.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace rdwarm::config {

namespace {

constexpr const char* kExample = "write host:port, such as \"127.0.0.1:9181\" or \"[::1]:9181\"";

std::string in_quotes(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

bool parse_ipv4(std::string_view text, unsigned& first_octet) {
  unsigned octets = 0;
  while (true) {
    unsigned value = 0;
    const char* end = text.data() + text.size();
    const auto [p, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || p == text.data() || value > 255 || p - text.data() > 3) return false;
    if (octets == 0) first_octet = value;
    ++octets;
    text.remove_prefix(static_cast<std::size_t>(p - text.data()));
    if (text.empty()) return octets == 4;
    if (text.front() != '.' || octets == 4) return false;
    text.remove_prefix(1);
  }
}

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

Result<ListenAddress> parse_listen_address(std::string_view text) {
  ListenAddress a;
  std::string_view port;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return make_error("listen address", "", in_quotes(text) + " is not an address; " + kExample);
    }
    a.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return make_error("listen address", "", in_quotes(text) + " has no port; " + kExample);
    }
    if (text.find(':') != colon) {
      return make_error("listen address", "",
                        in_quotes(text) +
                            " is ambiguous; put an IPv6 address in brackets, such as "
                            "\"[::1]:9181\"");
    }
    a.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  if (a.host.empty()) {
    return make_error("listen address", "", in_quotes(text) + " has no host; " + kExample);
  }
  if (std::any_of(a.host.begin(), a.host.end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c)) != 0 || c == '/' || c == '[' || c == ']';
      })) {
    return make_error("listen address", "", in_quotes(text) + " is not an address; " + kExample);
  }
  unsigned value = 0;
  const auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || p != port.data() + port.size() || port.empty()) {
    return make_error("listen address", "", in_quotes(text) + " has no valid port; " + kExample);
  }
  if (value < 1 || value > 65535) {
    return make_error("listen address", "",
                      "port " + std::string(port) + " in " + in_quotes(text) +
                          " is out of range; accepted 1 to 65535");
  }
  a.port = static_cast<std::uint16_t>(value);
  return a;
}

std::string format_listen_address(std::string_view host, std::uint16_t port) {
  std::string out;
  if (host.find(':') != std::string_view::npos) {
    out = "[" + std::string(host) + "]";
  } else {
    out = std::string(host);
  }
  return out + ":" + std::to_string(port);
}

bool is_loopback_host(std::string_view host) {
  if (iequals(host, "localhost")) return true;
  if (host == "::1" || host == "0:0:0:0:0:0:0:1") return true;
  unsigned first = 0;
  return parse_ipv4(host, first) && first == 127;
}

}  // namespace rdwarm::config
