// One fact about the host and where it came from, the way an admin would check it by hand: the
// registry path or lab state key it was read from, or why it could not be read.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace rdwarm::host {

template <class T>
struct Fact {
  std::optional<T> value;  // empty: not set on this host, or unreadable (then `problem` says why)
  std::string
      source;  // e.g. "HKLM\\SOFTWARE\\Policies\\...\\LicensingMode" or "lab:licensing_mode"
  std::string problem;  // empty unless reading failed: "access denied", "not a REG_DWORD", ...

  [[nodiscard]] bool has_value() const { return value.has_value(); }
  [[nodiscard]] bool unreadable() const { return !problem.empty(); }

  static Fact found(T v, std::string from) { return Fact{std::move(v), std::move(from), {}}; }
  static Fact absent(std::string from) { return Fact{std::nullopt, std::move(from), {}}; }
  static Fact failed(std::string from, std::string why) {
    return Fact{std::nullopt, std::move(from), std::move(why)};
  }
};

}  // namespace rdwarm::host
