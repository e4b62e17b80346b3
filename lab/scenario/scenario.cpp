#include "lab/scenario/scenario.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "config/duration.hpp"
#include "lab/scenario/embedded_scenarios.hpp"

namespace rdwarm::lab {

using std::chrono::milliseconds;

std::string_view licensing_mode_name(LicensingMode mode) {
  switch (mode) {
    case LicensingMode::PerDevice:
      return "per-device";
    case LicensingMode::PerUser:
      return "per-user";
    case LicensingMode::NotConfigured:
      return "not-configured";
  }
  return "unknown";
}

std::string_view fault_kind_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::None:
      return "none";
    case FaultKind::ResetAfterLicenseRequest:
      return "reset-after-license-request";
    case FaultKind::Stall:
      return "stall";
    case FaultKind::Malformed:
      return "malformed";
  }
  return "unknown";
}

std::string_view stall_point_name(StallPoint point) {
  switch (point) {
    case StallPoint::X224:
      return "x224";
    case StallPoint::Tls:
      return "tls";
    case StallPoint::Mcs:
      return "mcs";
    case StallPoint::Channels:
      return "channels";
    case StallPoint::Licensing:
      return "licensing";
    case StallPoint::PlatformChallenge:
      return "platform-challenge";
    case StallPoint::LicenseVerdict:
      return "license-verdict";
    case StallPoint::DemandActive:
      return "demand-active";
    case StallPoint::Nla:
      return "nla";
  }
  return "unknown";
}

std::string_view malformed_pdu_name(MalformedPdu pdu) {
  switch (pdu) {
    case MalformedPdu::ConnectResponse:
      return "connect-response";
    case MalformedPdu::LicenseRequest:
      return "license-request";
    case MalformedPdu::PlatformChallenge:
      return "platform-challenge";
  }
  return "unknown";
}

namespace {

// Reads one TOML table, remembering which keys were used; every key left over is an error.
// Errors name the file, the line and the dotted key.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string source, std::string prefix)
      : table_(table), source_(std::move(source)), prefix_(std::move(prefix)) {}

  [[nodiscard]] const Error* error() const { return error_ ? &*error_ : nullptr; }

  const toml::node* node(std::string_view key) {
    used_.insert(std::string(key));
    return table_.get(key);
  }

  void fail(const toml::node* at, std::string_view key, std::string what) {
    if (error_) return;
    const auto line = at != nullptr ? at->source().begin.line : table_.source().begin.line;
    error_ =
        Error{source_ + ":" + std::to_string(line), prefix_ + std::string(key), std::move(what)};
  }

  void string(std::string_view key, std::string& out) {
    const auto* n = node(key);
    if (n == nullptr) return;
    if (const auto* s = n->as_string()) {
      out = s->get();
    } else {
      fail(n, key, "must be a string");
    }
  }

  void boolean(std::string_view key, bool& out) {
    const auto* n = node(key);
    if (n == nullptr) return;
    if (const auto* b = n->as_boolean()) {
      out = b->get();
    } else {
      fail(n, key, "must be true or false");
    }
  }

  template <class Int>
  void integer(std::string_view key, Int& out, std::int64_t min, std::int64_t max) {
    const auto* n = node(key);
    if (n == nullptr) return;
    const auto* i = n->as_integer();
    if (i == nullptr || i->get() < min || i->get() > max) {
      fail(n, key,
           "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
      return;
    }
    out = static_cast<Int>(i->get());
  }

  void number(std::string_view key, double& out, double min, double max) {
    const auto* n = node(key);
    if (n == nullptr) return;
    std::optional<double> v;
    if (const auto* f = n->as_floating_point()) v = f->get();
    if (const auto* i = n->as_integer()) v = static_cast<double>(i->get());
    if (!v || *v < min || *v > max) {
      std::ostringstream range;
      range << "must be a number from " << min << " to " << max;
      fail(n, key, range.str());
      return;
    }
    out = *v;
  }

  void duration(std::string_view key, milliseconds& out) {
    const auto* n = node(key);
    if (n == nullptr) return;
    duration_value(n, key, out);
  }

  void duration_value(const toml::node* n, std::string_view key, milliseconds& out) {
    const auto* s = n->as_string();
    if (s == nullptr) {
      fail(n, key, "must be a duration string such as \"500ms\", \"3s\" or \"120d\"");
      return;
    }
    auto d = config::parse_duration(s->get());
    if (!d) {
      fail(n, key, d.error().what + " (got \"" + s->get() + "\")");
      return;
    }
    out = *d;
  }

  void string_list(std::string_view key, std::vector<std::string>& out) {
    const auto* n = node(key);
    if (n == nullptr) return;
    const auto* a = n->as_array();
    if (a == nullptr) {
      fail(n, key, "must be an array of strings");
      return;
    }
    out.clear();
    for (const auto& item : *a) {
      const auto* s = item.as_string();
      if (s == nullptr) {
        fail(&item, key, "must be an array of strings");
        return;
      }
      out.push_back(s->get());
    }
  }

  // A string that must be one of `choices`; returns its index.
  template <class Enum, std::size_t N>
  void choice(std::string_view key, Enum& out,
              const std::array<std::pair<std::string_view, Enum>, N>& choices) {
    const auto* n = node(key);
    if (n == nullptr) return;
    const auto* s = n->as_string();
    if (s != nullptr) {
      for (const auto& [name, value] : choices) {
        if (s->get() == name) {
          out = value;
          return;
        }
      }
    }
    std::string names;
    for (const auto& [name, value] : choices) {
      if (!names.empty()) names += ", ";
      names += '"' + std::string(name) + '"';
    }
    fail(n, key, "must be one of " + names);
  }

  // A sub-table; nullptr when absent (or not a table, which is an error).
  const toml::table* table(std::string_view key) {
    const auto* n = node(key);
    if (n == nullptr) return nullptr;
    if (const auto* t = n->as_table()) return t;
    fail(n, key, "must be a table ([" + prefix_ + std::string(key) + "])");
    return nullptr;
  }

  // Every key the reader did not ask for is a typo or a key of another version.
  void check_unknown() {
    for (const auto& [key, value] : table_) {
      if (used_.count(std::string(key.str())) == 0) {
        fail(&value, key.str(), "is not a known key (see the comments in lab/scenarios/*.toml)");
      }
    }
  }

  const std::string& source() const { return source_; }
  const std::string& prefix() const { return prefix_; }
  void take_error(const Error* e) {
    if (e != nullptr && !error_) error_ = *e;
  }

 private:
  const toml::table& table_;
  std::string source_;
  std::string prefix_;
  std::set<std::string> used_;
  std::optional<Error> error_;
};

constexpr std::array<std::pair<std::string_view, LicensingMode>, 3> kModes{{
    {"per-user", LicensingMode::PerUser},
    {"per-device", LicensingMode::PerDevice},
    {"not-configured", LicensingMode::NotConfigured},
}};
constexpr std::array<std::pair<std::string_view, ModeSource>, 2> kSources{{
    {"policy", ModeSource::Policy},
    {"local", ModeSource::Local},
}};
constexpr std::array<std::pair<std::string_view, FaultKind>, 4> kFaults{{
    {"none", FaultKind::None},
    {"reset-after-license-request", FaultKind::ResetAfterLicenseRequest},
    {"stall", FaultKind::Stall},
    {"malformed", FaultKind::Malformed},
}};
constexpr std::array<std::pair<std::string_view, StallPoint>, 9> kStalls{{
    {"x224", StallPoint::X224},
    {"tls", StallPoint::Tls},
    {"nla", StallPoint::Nla},
    {"mcs", StallPoint::Mcs},
    {"channels", StallPoint::Channels},
    {"licensing", StallPoint::Licensing},
    {"platform-challenge", StallPoint::PlatformChallenge},
    {"license-verdict", StallPoint::LicenseVerdict},
    {"demand-active", StallPoint::DemandActive},
}};
constexpr std::array<std::pair<std::string_view, MalformedPdu>, 3> kMalformed{{
    {"connect-response", MalformedPdu::ConnectResponse},
    {"license-request", MalformedPdu::LicenseRequest},
    {"platform-challenge", MalformedPdu::PlatformChallenge},
}};

void read_grace(TableReader& r, HostScenario& host) {
  const auto* n = r.node("grace");
  if (n == nullptr) return;
  const auto* s = n->as_string();
  if (s != nullptr && s->get() == "over") {
    host.grace_left = -std::chrono::hours(24);
  } else if (s != nullptr && s->get() == "active") {
    host.grace_left = std::chrono::hours(24 * 90);
  } else if (s != nullptr && s->get() == "absent") {
    host.grace_left = std::nullopt;
  } else if (s != nullptr && s->get().starts_with("ended ")) {
    milliseconds ago{};
    auto d = config::parse_duration(std::string_view(s->get()).substr(6));
    if (!d) {
      r.fail(n, "grace", d.error().what);
      return;
    }
    ago = *d;
    host.grace_left = -ago;
  } else {
    milliseconds left{};
    r.duration_value(n, "grace", left);
    if (!r.error()) host.grace_left = left;
  }
}

// Service names as the service control manager accepts them (1 to 256 characters, no / or \),
// each once; names compare without regard to case, as on Windows.
void read_services(TableReader& r, std::vector<std::string>& services) {
  r.string_list("services", services);
  if (r.error()) return;
  std::set<std::string> seen;
  for (const auto& name : services) {
    if (name.empty() || name.size() > 256 || name.find_first_of("/\\") != std::string::npos) {
      r.fail(r.node("services"), "services",
             "\"" + name + "\" is not a Windows service name (1 to 256 characters, no / or \\)");
      return;
    }
    std::string folded = name;
    std::transform(folded.begin(), folded.end(), folded.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!seen.insert(folded).second) {
      r.fail(r.node("services"), "services", "lists \"" + name + "\" twice");
      return;
    }
  }
}

void read_host(TableReader& r, HostScenario& host) {
  r.string("name", host.name);
  if (!r.error() && (host.name.empty() || host.name.size() > 15)) {
    r.fail(r.node("name"), "name", "must be 1 to 15 characters (a NetBIOS computer name)");
  }
  r.boolean("rdsh_role", host.rdsh_role);
  r.string("edition_id", host.edition_id);
  r.choice("licensing_mode", host.licensing_mode, kModes);
  r.choice("mode_source", host.mode_source, kSources);
  r.string_list("license_servers", host.license_servers);
  read_grace(r, host);
  r.boolean("certificate", host.certificate);
  r.boolean("nla_required", host.nla_required);
  r.boolean("error_info_before_alert", host.error_info_before_alert);
  r.integer("drain_mode", host.drain_mode, 0, 2);
  r.integer("winstations_disabled", host.winstations_disabled, 0, 1);
  read_services(r, host.services);
}

void read_outages(TableReader& r, std::vector<OutageWindow>& out) {
  const auto* n = r.node("outages");
  if (n == nullptr) return;
  const auto* a = n->as_array();
  if (a == nullptr) {
    r.fail(n, "outages", "must be an array of { from = \"..\", to = \"..\" } tables");
    return;
  }
  for (const auto& item : *a) {
    const auto* t = item.as_table();
    if (t == nullptr) {
      r.fail(&item, "outages", "must be an array of { from = \"..\", to = \"..\" } tables");
      return;
    }
    TableReader w(*t, r.source(), r.prefix() + "outages.");
    OutageWindow window;
    w.duration("from", window.from);
    w.duration("to", window.to);
    w.check_unknown();
    if (!w.error() && window.to <= window.from) w.fail(&item, "to", "must be later than `from`");
    r.take_error(w.error());
    out.push_back(window);
  }
}

void read_license_server(TableReader& r, LicenseServerConfig& ls, std::uint32_t& competing) {
  r.string("name", ls.name);
  r.duration("latency", ls.latency);
  read_outages(r, ls.outages);
  r.number("capacity_per_second", ls.capacity_per_second, 0, 100000);
  r.integer("queue_limit", ls.queue_limit, 0, 1000000);
  if (!r.error() && ls.queue_limit > 0 && ls.capacity_per_second <= 0) {
    // Without a service rate nothing waits, so a limit would silently do nothing.
    r.fail(r.node("queue_limit"), "queue_limit", "needs capacity_per_second > 0");
  }
  r.duration("request_timeout", ls.request_timeout);
  r.boolean("has_licenses", ls.has_licenses);
  r.number("failure_probability", ls.failure_probability, 0, 1);
  r.integer("seed", ls.seed, 0, std::numeric_limits<std::int64_t>::max());
  milliseconds validity = std::chrono::duration_cast<milliseconds>(ls.certificate_validity);
  r.duration("certificate_validity", validity);
  ls.certificate_validity = std::chrono::duration_cast<std::chrono::seconds>(validity);
  if (!r.error() && ls.certificate_validity.count() == 0) {
    r.fail(r.node("certificate_validity"), "certificate_validity", "must be at least 1s");
  }
  r.integer("competing_hosts", competing, 0, 100000);
}

void read_session(TableReader& r, SessionScenario& s) {
  r.duration("phase_timeout", s.phase_timeout);
  r.duration("hold", s.hold);
  r.integer("max_connections", s.max_connections, 1, 100000);
  if (!r.error() && s.phase_timeout.count() == 0) {
    r.fail(r.node("phase_timeout"), "phase_timeout", "must be longer than 0s");
  }
}

constexpr std::array<std::pair<std::string_view, auth::ntlm::AccountState>, 5> kAccountStates{{
    {"enabled", auth::ntlm::AccountState::Enabled},
    {"disabled", auth::ntlm::AccountState::Disabled},
    {"password-expired", auth::ntlm::AccountState::PasswordExpired},
    {"password-must-change", auth::ntlm::AccountState::PasswordMustChange},
    {"locked-out", auth::ntlm::AccountState::LockedOut},
}};

void read_nla(TableReader& r, NlaScenario& nla) {
  std::string user(kDefaultNlaUser);
  std::string domain(kDefaultNlaDomain);
  std::string password(kDefaultNlaPassword);
  std::string nt_hash;
  auto state = auth::ntlm::AccountState::Enabled;
  r.string("user", user);
  r.string("domain", domain);
  r.string("password", password);
  r.string("nt_hash", nt_hash);
  r.choice("account_state", state, kAccountStates);
  r.boolean("remote_desktop_right", nla.remote_desktop_right);
  r.integer("credssp_version", nla.credssp_version, 2, 6);
  const auth::Secret secret(std::move(password));  // wiped when it goes
  if (r.error()) return;
  if (user.empty() || user.size() > 256) {
    r.fail(r.node("user"), "user", "must be 1 to 256 characters");
    return;
  }
  if (domain.size() > 255) {
    r.fail(r.node("domain"), "domain", "must be at most 255 characters");
    return;
  }
  const auto* hash_node = r.node("nt_hash");
  if (hash_node == nullptr) {
    if (secret.empty()) r.fail(r.node("password"), "password", "must not be empty");
    nla.account =
        auth::ntlm::Account::with_password(std::move(user), std::move(domain), secret, state);
    nla.credential = "password";
    return;
  }
  if (r.node("password") != nullptr) {
    r.fail(hash_node, "nt_hash", "and password both set: give exactly one of the two");
    return;
  }
  auto account =
      auth::ntlm::Account::with_nt_hash(std::move(user), std::move(domain), nt_hash, state);
  if (!account) {
    r.fail(hash_node, "nt_hash",
           "must be 32 hex digits, the NT hash as winpr-hash prints it (" + account.error().what +
               ")");
    return;
  }
  nla.account = std::move(account).value();
  nla.credential = "nt_hash";
}

void read_fault(TableReader& r, FaultScenario& f) {
  r.choice("kind", f.kind, kFaults);
  r.choice("phase", f.stall, kStalls);
  r.choice("pdu", f.malformed, kMalformed);
  r.integer("first_connections", f.first_connections, 0, std::numeric_limits<std::int64_t>::max());
}

std::string base_name(std::string_view source) {
  const auto slash = source.find_last_of("/\\");  // Windows paths separate with either
  std::string_view name = slash == std::string_view::npos ? source : source.substr(slash + 1);
  if (name.ends_with(".toml")) name.remove_suffix(5);
  return std::string(name);
}

}  // namespace

Result<Scenario> parse_scenario(std::string_view toml_text, std::string_view source,
                                std::string name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    return Error{std::string(source) + ":" + std::to_string(e.source().begin.line), "",
                 "not valid TOML: " + std::string(e.description())};
  }
  Scenario s;
  s.name = std::move(name);
  s.source = std::string(source);
  s.text = std::string(toml_text);
  TableReader top(root, std::string(source), "");
  top.string("description", s.description);
  top.string("expect", s.expect);
  auto section = [&](std::string_view key, const std::function<void(TableReader&)>& read) {
    if (top.error()) return;
    const toml::table* t = top.table(key);
    if (t == nullptr) return;
    TableReader r(*t, std::string(source), std::string(key) + ".");
    read(r);
    r.check_unknown();
    top.take_error(r.error());
  };
  section("host", [&](TableReader& r) { read_host(r, s.host); });
  section("license_server",
          [&](TableReader& r) { read_license_server(r, s.license_server, s.competing_hosts); });
  section("session", [&](TableReader& r) { read_session(r, s.session); });
  section("fault", [&](TableReader& r) { read_fault(r, s.fault); });
  section("nla", [&](TableReader& r) { read_nla(r, s.nla); });
  if (!top.error()) top.check_unknown();
  if (const Error* e = top.error()) return *e;
  if (s.description.empty()) {
    return Error{std::string(source), "description", "is missing (one line for --list-scenarios)"};
  }
  s.license_server.per_device = s.host.licensing_mode == LicensingMode::PerDevice;
  s.nla.computer_name = s.host.name;
  return s;
}

Result<Scenario> load_scenario_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return Error{file.string(), "", "cannot be read: check the path, or use a built-in name"};
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), file.string(), base_name(file.string()));
}

Result<Scenario> find_scenario(std::string_view name_or_path,
                               const std::optional<std::filesystem::path>& directory) {
  if (name_or_path.find('/') != std::string_view::npos || name_or_path.ends_with(".toml")) {
    return load_scenario_file(std::filesystem::path(name_or_path));
  }
  if (directory) {
    return load_scenario_file(*directory / (std::string(name_or_path) + ".toml"));
  }
  for (const auto& e : embedded_scenarios()) {
    if (e.name == name_or_path) {
      return parse_scenario(e.text, "built-in:" + std::string(e.name), std::string(e.name));
    }
  }
  std::string names;
  for (const auto& e : embedded_scenarios()) {
    if (!names.empty()) names += ", ";
    names += e.name;
  }
  return Error{"scenario", std::string(name_or_path), "is not a built-in scenario (" + names + ")"};
}

Result<std::vector<Scenario>> list_scenarios(
    const std::optional<std::filesystem::path>& directory) {
  std::vector<Scenario> out;
  if (directory) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(*directory, ec)) {
      if (entry.path().extension() != ".toml") continue;
      auto s = load_scenario_file(entry.path());
      if (!s) return s.error();
      out.push_back(std::move(s).value());
    }
    if (ec) return Error{directory->string(), "", "cannot be listed: " + ec.message()};
  } else {
    for (const auto& e : embedded_scenarios()) {
      auto s = parse_scenario(e.text, "built-in:" + std::string(e.name), std::string(e.name));
      if (!s) return s.error();
      out.push_back(std::move(s).value());
    }
  }
  std::sort(out.begin(), out.end(),
            [](const Scenario& a, const Scenario& b) { return a.name < b.name; });
  return out;
}

}  // namespace rdwarm::lab
