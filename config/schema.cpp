#include "config/schema.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <span>
#include <system_error>

#include "config/default_paths.hpp"
#include "config/duration.hpp"
#include "config/fields.hpp"
#include "config/listen_address.hpp"

namespace rdwarm::config {

namespace detail {

std::string in_quotes(std::string_view text) {
  constexpr std::size_t kMax = 60;
  constexpr const char* kHex = "0123456789abcdef";
  std::string out = "\"";
  for (char c : text.substr(0, kMax)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {  // a message must not carry terminal control characters
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  if (text.size() > kMax) out += "...";
  out += '"';
  return out;
}

namespace {

std::string format_double(double v) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  if (ec != std::errc()) return "?";
  std::string out(buffer, end);
  // TOML needs a '.' or an exponent to read the number back as a float.
  if (out.find_first_of(".eEn") == std::string::npos) out += ".0";
  return out;
}

}  // namespace

std::string describe_found(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string (" + in_quotes(node.as_string()->get()) + ")";
    case toml::node_type::integer:
      return "an integer (" + std::to_string(node.as_integer()->get()) + ")";
    case toml::node_type::floating_point:
      return "a floating-point number (" + format_double(node.as_floating_point()->get()) + ")";
    case toml::node_type::boolean:
      return std::string("a boolean (") + (node.as_boolean()->get() ? "true" : "false") + ")";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

namespace {

using Problem = std::optional<FieldProblem>;

Problem wrong_type(const toml::node& node, const std::string& expect) {
  return FieldProblem{&node, "expected " + expect + "; found " + describe_found(node)};
}

// Tab is allowed, as TOML allows it unescaped in strings.
bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  });
}

bool printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7f;
  });
}

// A string check: nullopt when the value is fine, else what is wrong with it.
using StringCheck = std::function<std::optional<std::string>(const std::string&)>;

std::optional<std::string> no_control(const std::string& s) {
  if (has_control(s)) return in_quotes(s) + " contains a control character";
  return std::nullopt;
}

template <class Access>
Field string_field(std::string_view table, std::string_view key, const std::string& expect,
                   Access access, const StringCheck& check = no_control) {
  Field f{table, key, expect, {}, {}};
  f.read = [access, expect, check](const toml::node& n, AgentConfig& c) -> Problem {
    const auto* s = n.as_string();
    if (s == nullptr) return wrong_type(n, expect);
    if (auto bad = no_control(s->get())) return FieldProblem{&n, *bad};
    if (auto bad = check(s->get())) return FieldProblem{&n, *bad};
    access(c) = s->get();
    return std::nullopt;
  };
  f.write = [access](const AgentConfig& c) -> FieldValue { return access(c); };
  return f;
}

// An empty string selects the per-platform default.
template <class Access>
Field path_field(std::string_view table, std::string_view key, Access access,
                 std::filesystem::path (*fallback)()) {
  const std::string expect = "a path (\"\" for the default)";
  Field f{table, key, expect, {}, {}};
  f.read = [access, expect, fallback](const toml::node& n, AgentConfig& c) -> Problem {
    const auto* s = n.as_string();
    if (s == nullptr) return wrong_type(n, expect);
    if (auto bad = no_control(s->get())) return FieldProblem{&n, *bad};
    access(c) = s->get().empty() ? fallback() : path_from_utf8(s->get());
    return std::nullopt;
  };
  f.write = [access](const AgentConfig& c) -> FieldValue { return path_to_utf8(access(c)); };
  return f;
}

template <class Access>
Field bool_field(std::string_view table, std::string_view key, Access access) {
  const std::string expect = "true or false";
  Field f{table, key, expect, {}, {}};
  f.read = [access, expect](const toml::node& n, AgentConfig& c) -> Problem {
    const auto* b = n.as_boolean();
    if (b == nullptr) return wrong_type(n, expect);
    access(c) = b->get();
    return std::nullopt;
  };
  f.write = [access](const AgentConfig& c) -> FieldValue { return access(c); };
  return f;
}

template <class Int, class Access>
Field integer_field(std::string_view table, std::string_view key, Access access, std::int64_t min,
                    std::int64_t max, std::string_view note = {}) {
  std::string range = std::to_string(min) + std::string(note) + " to " + std::to_string(max);
  const std::string expect = "an integer from " + range;
  Field f{table, key, expect, {}, {}};
  f.read = [access, expect, range, min, max](const toml::node& n, AgentConfig& c) -> Problem {
    const auto* i = n.as_integer();
    if (i == nullptr) return wrong_type(n, expect);
    const std::int64_t v = i->get();
    if (v < min || v > max) {
      return FieldProblem{&n, std::to_string(v) + " is out of range; accepted " + range};
    }
    access(c) = static_cast<Int>(v);
    return std::nullopt;
  };
  f.write = [access](const AgentConfig& c) -> FieldValue {
    return static_cast<std::int64_t>(access(c));
  };
  return f;
}

// A number in (min, max]: the retry multiplier must grow the delay.
template <class Access>
Field multiplier_field(std::string_view table, std::string_view key, Access access, double min,
                       double max) {
  const std::string range =
      "a number greater than " + format_double(min) + " and at most " + format_double(max);
  Field f{table, key, range, {}, {}};
  f.read = [access, range, min, max](const toml::node& n, AgentConfig& c) -> Problem {
    double v = 0;
    std::string shown;
    if (const auto* d = n.as_floating_point()) {
      v = d->get();
      shown = format_double(v);
    } else if (const auto* i = n.as_integer()) {
      v = static_cast<double>(i->get());
      shown = std::to_string(i->get());
    } else {
      return wrong_type(n, range);
    }
    if (!(v > min && v <= max)) {  // also refuses nan
      return FieldProblem{&n, shown + " is out of range; accepted " + range};
    }
    access(c) = v;
    return std::nullopt;
  };
  f.write = [access](const AgentConfig& c) -> FieldValue { return access(c); };
  return f;
}

template <class Access>
Field duration_field(std::string_view table, std::string_view key, Access access, Duration min,
                     Duration max) {
  const std::string range = format_duration(min) + " to " + format_duration(max);
  const AgentConfig defaults;
  const std::string expect =
      "a duration from " + range + ", such as \"" + format_duration(access(defaults)) + "\"";
  Field f{table, key, expect, {}, {}};
  f.read = [access, expect, range, min, max](const toml::node& n, AgentConfig& c) -> Problem {
    const auto* s = n.as_string();
    if (s == nullptr) return wrong_type(n, expect);
    auto d = parse_duration(s->get());
    if (!d) return FieldProblem{&n, d.error().what};
    if (*d < min || *d > max) {
      return FieldProblem{&n, in_quotes(s->get()) + " is out of range; accepted " + range};
    }
    access(c) = *d;
    return std::nullopt;
  };
  f.write = [access](const AgentConfig& c) -> FieldValue { return format_duration(access(c)); };
  return f;
}

template <class Enum, std::size_t N>
std::string one_of(const std::array<Enum, N>& values) {
  std::string out = "one of ";
  for (std::size_t i = 0; i < N; ++i) {
    if (i != 0) out += ", ";
    out += "\"" + std::string(to_string(values[i])) + "\"";
  }
  return out;
}

template <class Enum, std::size_t N, class Access>
Field enum_field(std::string_view table, std::string_view key, Access access,
                 const std::array<Enum, N>& values) {
  const std::string choices = one_of(values);
  Field f{table, key, choices, {}, {}};
  f.read = [access, choices, values](const toml::node& n, AgentConfig& c) -> Problem {
    const auto* s = n.as_string();
    if (s == nullptr) return wrong_type(n, "a string, " + choices);
    for (Enum v : values) {
      if (to_string(v) == s->get()) {
        access(c) = v;
        return std::nullopt;
      }
    }
    return FieldProblem{&n, in_quotes(s->get()) + " is not accepted; expected " + choices};
  };
  f.write = [access](const AgentConfig& c) -> FieldValue {
    return std::string(to_string(access(c)));
  };
  return f;
}

template <class Access>
Field string_list_field(std::string_view table, std::string_view key, const std::string& expect,
                        Access access, const StringCheck& check) {
  Field f{table, key, expect, {}, {}};
  f.read = [access, expect, check](const toml::node& n, AgentConfig& c) -> Problem {
    const auto* a = n.as_array();
    if (a == nullptr) return wrong_type(n, expect);
    std::vector<std::string> out;
    for (const toml::node& item : *a) {
      const auto* s = item.as_string();
      if (s == nullptr) return wrong_type(item, expect);
      if (auto bad = no_control(s->get())) return FieldProblem{&item, *bad};
      if (auto bad = check(s->get())) return FieldProblem{&item, *bad};
      if (std::find(out.begin(), out.end(), s->get()) != out.end()) {
        return FieldProblem{&item, in_quotes(s->get()) + " is listed twice"};
      }
      out.push_back(s->get());
    }
    access(c) = std::move(out);
    return std::nullopt;
  };
  f.write = [access](const AgentConfig& c) -> FieldValue { return access(c); };
  return f;
}

Field listen_field() {
  const std::string expect = "a string host:port, such as \"127.0.0.1:9181\"";
  Field f{"health", "listen", expect, {}, {}};
  f.read = [expect](const toml::node& n, AgentConfig& c) -> Problem {
    const auto* s = n.as_string();
    if (s == nullptr) return wrong_type(n, expect);
    auto a = parse_listen_address(s->get());
    if (!a) return FieldProblem{&n, a.error().what};
    c.health.listen_host = a->host;
    c.health.listen_port = a->port;
    return std::nullopt;
  };
  f.write = [](const AgentConfig& c) -> FieldValue {
    return format_listen_address(c.health.listen_host, c.health.listen_port);
  };
  return f;
}

std::optional<std::string> host_check(const std::string& s) {
  if (s.empty() || s.size() > 255 || !printable_ascii(s) || s.find(' ') != std::string::npos) {
    return in_quotes(s) + " is not accepted; expected a host name or IP address, such as " +
           "\"127.0.0.1\"";
  }
  return std::nullopt;
}

// The client name travels in the 32-byte CS_CORE clientName field (MS-RDPBCGR 2.2.1.3.2: at most
// 15 characters and a terminator) and as the licensing ClientMachineName.
std::optional<std::string> client_name_check(const std::string& s) {
  if (s.empty() || s.size() > 15 || !printable_ascii(s)) {
    return in_quotes(s) + " is not accepted; expected 1 to 15 printable ASCII characters";
  }
  return std::nullopt;
}

std::optional<std::string> user_name_check(const std::string& s) {
  if (s.empty() || s.size() > 64 || !printable_ascii(s)) {
    return in_quotes(s) + " is not accepted; expected 1 to 64 printable ASCII characters";
  }
  return std::nullopt;
}

// Service key names: at most 256 characters, and '/' and '\' are not allowed (CreateService).
std::optional<std::string> service_name_check(const std::string& s) {
  if (s.empty() || s.size() > 256 || s.find_first_of("/\\") != std::string::npos) {
    return in_quotes(s) + " is not accepted; expected a Windows service name such as " +
           "\"BrokerAgent\" (1 to 256 characters, no / or \\)";
  }
  return std::nullopt;
}

// cmd.exe refuses command lines longer than 8191 characters.
std::optional<std::string> command_check(const std::string& s) {
  if (s.size() > 8191) return "the command is longer than 8191 characters";
  return std::nullopt;
}

// A Windows account name, without its domain ([MS-NLMP] sends user and domain separately); a user
// principal name (user@domain) is accepted whole.
std::optional<std::string> nla_user_check(const std::string& s) {
  if (s.size() > 256) return "the user name is longer than 256 characters";
  if (s.find('\\') != std::string::npos) {
    return in_quotes(s) +
           " is not accepted; write the domain in nla.domain and the user name alone, such as "
           "domain = \"CORP\" and user = \"rdwarm-probe\"";
  }
  if (s.find_first_of("\"/[]:;|=,+*?<>") != std::string::npos) {
    return in_quotes(s) + " is not accepted; a Windows user name cannot contain any of " +
           "\" / \\ [ ] : ; | = , + * ? < >";
  }
  return std::nullopt;
}

std::optional<std::string> nla_domain_check(const std::string& s) {
  if (s.size() > 255 || s.find_first_of("\\/@:*?\"<>| ") != std::string::npos) {
    return in_quotes(s) + " is not accepted; expected \"\" (no domain), \".\" (an account of " +
           "the session host itself) or a domain name such as \"CORP\" or \"corp.example\"";
  }
  return std::nullopt;
}

std::optional<std::string> env_name_check(const std::string& s) {
  const bool ok = !s.empty() && s.size() <= 255 &&
                  (std::isalpha(static_cast<unsigned char>(s[0])) != 0 || s[0] == '_') &&
                  std::all_of(s.begin(), s.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
                  });
  if (!ok) {
    return in_quotes(s) + " is not accepted; expected an environment variable name (letters, " +
           "digits and _), such as \"RDWARM_NLA_PASSWORD\"";
  }
  return std::nullopt;
}

// "dpapi" is refused where there is no DPAPI, at the line that asks for it.
Field password_source_field() {
  Field f = enum_field(
      "nla", "password_source", [](auto& c) -> auto& { return c.nla.password_source; },
      kPasswordSources);
  f.read = [read = f.read](const toml::node& n, AgentConfig& c) -> Problem {
    if (auto bad = read(n, c)) return bad;
    if (!password_source_available(c.nla.password_source)) {
      return FieldProblem{&n,
                          "\"dpapi\" is available only in rdwarm.exe on Windows (the password is "
                          "protected with Windows' DPAPI); here use \"file\" (a file only its "
                          "owner can read, written by `rdwarm credentials set`) or \"env\""};
    }
    return std::nullopt;
  };
  return f;
}

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

std::vector<Field> make_fields() {
  std::vector<Field> f;
  // [target]
  f.push_back(string_field(
      "target", "host", "a string, a host name or IP address",
      [](auto& c) -> auto& { return c.target.host; }, host_check));
  f.push_back(integer_field<std::uint16_t>(
      "target", "port", [](auto& c) -> auto& { return c.target.port; }, 1, 65535));
  f.push_back(string_field(
      "target", "client_name", "a string of 1 to 15 printable ASCII characters",
      [](auto& c) -> auto& { return c.target.client_name; }, client_name_check));
  f.push_back(string_field(
      "target", "user_name", "a string of 1 to 64 printable ASCII characters",
      [](auto& c) -> auto& { return c.target.user_name; }, user_name_check));
  // [probe]
  f.push_back(duration_field(
      "probe", "connect_timeout", [](auto& c) -> auto& { return c.probe.connect_timeout; },
      milliseconds(100), minutes(5)));
  f.push_back(duration_field(
      "probe", "phase_timeout", [](auto& c) -> auto& { return c.probe.phase_timeout; },
      milliseconds(100), minutes(5)));
  f.push_back(duration_field(
      "probe", "attempt_timeout", [](auto& c) -> auto& { return c.probe.attempt_timeout; },
      seconds(1), minutes(30)));
  // [warmup]
  f.push_back(duration_field(
      "warmup", "deadline", [](auto& c) -> auto& { return c.warmup.deadline; }, seconds(1),
      hours(24)));
  f.push_back(enum_field(
      "warmup", "on_deadline", [](auto& c) -> auto& { return c.warmup.on_deadline; },
      kOnDeadlines));
  f.push_back(bool_field(
      "warmup", "certificate_wait", [](auto& c) -> auto& { return c.warmup.certificate_wait; }));
  // [retry]
  f.push_back(duration_field(
      "retry", "initial_delay", [](auto& c) -> auto& { return c.retry.initial_delay; },
      milliseconds(100), hours(1)));
  f.push_back(duration_field(
      "retry", "max_delay", [](auto& c) -> auto& { return c.retry.max_delay; }, milliseconds(100),
      hours(1)));
  f.push_back(multiplier_field(
      "retry", "multiplier", [](auto& c) -> auto& { return c.retry.multiplier; }, 1.0, 10.0));
  f.push_back(enum_field(
      "retry", "jitter", [](auto& c) -> auto& { return c.retry.jitter; }, kJitters));
  f.push_back(integer_field<std::uint32_t>(
      "retry", "max_attempts", [](auto& c) -> auto& { return c.retry.max_attempts; }, 0, 100000,
      " (until the deadline)"));
  // [gate]
  f.push_back(enum_field(
      "gate", "kind", [](auto& c) -> auto& { return c.gate.kind; }, kGateKinds));
  f.push_back(string_list_field(
      "gate", "services", "an array of Windows service names, such as [\"BrokerAgent\"]",
      [](auto& c) -> auto& { return c.gate.services; }, service_name_check));
  f.push_back(duration_field(
      "gate", "service_timeout", [](auto& c) -> auto& { return c.gate.service_timeout; },
      seconds(1), hours(1)));
  f.push_back(string_field(
      "gate", "close_command", "a string, a command line",
      [](auto& c) -> auto& { return c.gate.close_command; }, command_check));
  f.push_back(string_field(
      "gate", "open_command", "a string, a command line",
      [](auto& c) -> auto& { return c.gate.open_command; }, command_check));
  f.push_back(duration_field(
      "gate", "command_timeout", [](auto& c) -> auto& { return c.gate.command_timeout; },
      seconds(1), hours(1)));
  f.push_back(path_field(
      "gate", "journal", [](auto& c) -> auto& { return c.gate.journal; },
      default_gate_journal_path));
  // [health]
  f.push_back(bool_field(
      "health", "enabled", [](auto& c) -> auto& { return c.health.enabled; }));
  f.push_back(listen_field());
  f.push_back(bool_field(
      "health", "allow_remote", [](auto& c) -> auto& { return c.health.allow_remote; }));
  f.push_back(bool_field(
      "health", "serve_after_warmup",
      [](auto& c) -> auto& { return c.health.serve_after_warmup; }));
  // [status]
  f.push_back(path_field(
      "status", "file", [](auto& c) -> auto& { return c.status.file; }, default_status_path));
  // [logging]
  f.push_back(enum_field(
      "logging", "level", [](auto& c) -> auto& { return c.logging.level; }, kLogLevels));
  f.push_back(enum_field(
      "logging", "format", [](auto& c) -> auto& { return c.logging.format; }, kLogFormats));
  f.push_back(bool_field(
      "logging", "event_log", [](auto& c) -> auto& { return c.logging.event_log; }));
  f.push_back(path_field(
      "logging", "file", [](auto& c) -> auto& { return c.logging.file; },
      [] { return std::filesystem::path(); }));
  // [platform]
  f.push_back(enum_field(
      "platform", "kind", [](auto& c) -> auto& { return c.platform.kind; }, kPlatformKinds));
  f.push_back(path_field(
      "platform", "lab_state_dir", [](auto& c) -> auto& { return c.platform.lab_state_dir; },
      default_lab_state_dir));
  // [image]
  f.push_back(path_field(
      "image", "manifest", [](auto& c) -> auto& { return c.image.manifest; },
      default_manifest_path));
  f.push_back(duration_field(
      "image", "planned_lifetime", [](auto& c) -> auto& { return c.image.planned_lifetime; },
      hours(1), days(3650)));
  // [nla]
  f.push_back(string_field(
      "nla", "user", "a string, the account name (\"\" for no NLA credentials)",
      [](auto& c) -> auto& { return c.nla.user; }, nla_user_check));
  f.push_back(string_field(
      "nla", "domain", "a string, \"\", \".\" or a domain name",
      [](auto& c) -> auto& { return c.nla.domain; }, nla_domain_check));
  f.push_back(password_source_field());
  f.push_back(path_field(
      "nla", "password_file", [](auto& c) -> auto& { return c.nla.password_file; },
      default_password_file_path));
  f.push_back(string_field(
      "nla", "password_env", "a string, an environment variable name",
      [](auto& c) -> auto& { return c.nla.password_env; }, env_name_check));
  f.push_back(enum_field(
      "nla", "tokens", [](auto& c) -> auto& { return c.nla.tokens; }, kNlaTokens));
  return f;
}

}  // namespace

const std::vector<Field>& fields() {
  static const std::vector<Field> all = make_fields();
  return all;
}

const Field* find_field(std::string_view table, std::string_view key) {
  for (const Field& f : fields()) {
    if (f.table == table && f.key == key) return &f;
  }
  return nullptr;
}

}  // namespace detail

const std::vector<KnownKey>& known_keys() {
  static const std::vector<KnownKey> keys = [] {
    std::vector<KnownKey> out;
    for (const auto& f : detail::fields()) out.push_back({f.table, f.key, f.expect});
    return out;
  }();
  return keys;
}

std::vector<std::string_view> known_tables() {
  std::vector<std::string_view> out;
  for (const auto& f : detail::fields()) {
    if (std::find(out.begin(), out.end(), f.table) == out.end()) out.push_back(f.table);
  }
  return out;
}

namespace {

// A TOML basic string: escapes quote, backslash and control characters; UTF-8 passes through.
std::string toml_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          constexpr const char* kHex = "0123456789ABCDEF";
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

struct TomlValue {
  std::string operator()(bool v) const { return v ? "true" : "false"; }
  std::string operator()(std::int64_t v) const { return std::to_string(v); }
  std::string operator()(double v) const { return detail::format_double(v); }
  std::string operator()(const std::string& v) const { return toml_string(v); }
  std::string operator()(const std::vector<std::string>& v) const {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i != 0) out += ", ";
      out += toml_string(v[i]);
    }
    return out + "]";
  }
};

}  // namespace

std::string to_toml(const AgentConfig& config, std::string_view only) {
  std::string out;
  std::string_view table;
  for (const auto& f : detail::fields()) {
    if (!only.empty() && f.table != only) continue;
    if (f.table != table) {
      if (!out.empty()) out += '\n';
      out += "[" + std::string(f.table) + "]\n";
      table = f.table;
    }
    out += std::string(f.key) + " = " + std::visit(TomlValue{}, f.write(config)) + "\n";
  }
  return out;
}

std::string to_toml(const AgentConfig& config) {
  return to_toml(config, {});
}

nlohmann::ordered_json to_json(const AgentConfig& config) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& f : detail::fields()) {
    auto& slot = out[std::string(f.table)][std::string(f.key)];
    std::visit([&slot](const auto& v) { slot = v; }, f.write(config));
  }
  return out;
}

}  // namespace rdwarm::config
