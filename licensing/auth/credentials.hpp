// The account rdwarm authenticates with when a session host requires NLA. The password is a Secret:
// it has no operator<<, no formatter and no JSON conversion, so it cannot reach a log or a dump by
// accident, and its memory is wiped when it goes away.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace rdwarm::auth {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret& other) = default;
  Secret& operator=(const Secret& other);
  Secret(Secret&& other) noexcept;
  Secret& operator=(Secret&& other) noexcept;
  ~Secret();

  // The only way to read it; call sites are few and reviewed.
  [[nodiscard]] std::string_view reveal() const { return value_; }
  [[nodiscard]] bool empty() const { return value_.empty(); }
  // What every dump shows in its place.
  static constexpr std::string_view kRedacted = "<redacted>";

 private:
  void wipe();
  std::string value_;
};

struct Credentials {
  std::string user;    // "probe" or "probe@corp.example"
  std::string domain;  // NetBIOS domain or "." / host name for a local account; may be empty
  Secret password;
  std::string source;  // where the password came from, e.g. "file /etc/rdwarm/nla-password"

  [[nodiscard]] bool empty() const { return user.empty(); }
};

}  // namespace rdwarm::auth
