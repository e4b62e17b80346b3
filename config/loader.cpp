#include "config/loader.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <tuple>
#include <vector>

#include "config/default_paths.hpp"
#include "config/duration.hpp"
#include "config/fields.hpp"
#include "config/listen_address.hpp"
#include "config/schema.hpp"

namespace rdwarm::config {

namespace {

using detail::describe_found;
using detail::in_quotes;

struct Position {
  std::uint32_t line = 0;  // 0: unknown
  std::uint32_t column = 0;
  friend bool operator<(const Position& a, const Position& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  }
};

Position position_of(const toml::source_region& region) {
  return Position{region.begin.line, region.begin.column};
}

struct Problem {
  Position at;
  std::string what;  // starts with the key
};

Error to_error(std::string_view source, const Problem& p) {
  std::string where(source);
  if (p.at.line != 0) {
    where += ':' + std::to_string(p.at.line) + ':' + std::to_string(p.at.column);
  }
  return make_error(std::move(where), "", p.what);
}

// Optimal string alignment distance: a swapped pair of letters counts as one edit.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// The closest candidate, when it is close enough to be a typo.
std::optional<std::string_view> nearest(std::string_view word,
                                        const std::vector<std::string_view>& candidates) {
  std::optional<std::string_view> best;
  std::size_t best_distance = 0;
  for (std::string_view c : candidates) {
    const std::size_t distance = edit_distance(word, c);
    if (!best || distance < best_distance) {
      best = c;
      best_distance = distance;
    }
  }
  const std::size_t limit = word.size() >= 6 ? 2 : 1;
  if (best && best_distance <= limit) return best;
  return std::nullopt;
}

std::vector<std::string_view> keys_of(std::string_view table) {
  std::vector<std::string_view> out;
  for (const auto& k : known_keys()) {
    if (k.table == table) out.push_back(k.key);
  }
  return out;
}

// The tables that have a key of this name.
std::vector<std::string_view> tables_with_key(std::string_view key) {
  std::vector<std::string_view> out;
  for (const auto& k : known_keys()) {
    if (k.key == key) out.push_back(k.table);
  }
  return out;
}

std::string list_tables() {
  std::string out;
  for (std::string_view t : known_tables()) {
    if (!out.empty()) out += ", ";
    out += "[" + std::string(t) + "]";
  }
  return out;
}

std::string list_quoted(const std::vector<std::string_view>& words) {
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) out += ", ";
    out += "\"" + std::string(w) + "\"";
  }
  return out;
}

std::string unknown_table(std::string_view table) {
  const auto tables = known_tables();
  std::string what = std::string(table) + ": unknown table [" + std::string(table) + "]; ";
  if (auto close = nearest(table, tables)) {
    return what + "did you mean [" + std::string(*close) + "]?";
  }
  return what + "the tables are " + list_tables();
}

// A key that would hold a password: refused wherever it is written, with where the password goes
// instead. The message never repeats the value.
bool names_a_password(std::string_view key) {
  std::string lower;
  for (char c : key) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view k : {"password", "passwd", "pass", "pwd", "secret", "nla_password"}) {
    if (lower == k) return true;
  }
  return false;
}

std::string password_refused(std::string_view full_key) {
  return std::string(full_key) +
         ": rdwarm.toml never holds the password (the file is copied into images, read by "
         "many and shown by configuration dumps); remove this line and store the password "
         "with `rdwarm credentials set` (DPAPI on Windows, a file only its owner can read "
         "elsewhere), or set [nla] password_source = \"file\" with password_file, or "
         "password_source = \"env\" with password_env (docs/credentials.md)";
}

std::string unknown_top_level_key(std::string_view key) {
  if (names_a_password(key)) return password_refused(key);
  std::string what = std::string(key) + ": unknown key at the top level; ";
  const auto homes = tables_with_key(key);
  if (!homes.empty()) {
    return what + "\"" + std::string(key) + "\" belongs in [" + std::string(homes.front()) + "]";
  }
  return what + "every setting belongs in one of the tables " + list_tables();
}

std::string unknown_key(std::string_view table, std::string_view key) {
  if (names_a_password(key)) return password_refused(std::string(table) + "." + std::string(key));
  std::string what = std::string(table) + "." + std::string(key) + ": unknown key; ";
  const auto keys = keys_of(table);
  if (auto close = nearest(key, keys)) {
    return what + "did you mean \"" + std::string(*close) + "\"?";
  }
  const auto homes = tables_with_key(key);
  if (!homes.empty()) {
    return what + "\"" + std::string(key) + "\" belongs in [" + std::string(homes.front()) + "]";
  }
  return what + "[" + std::string(table) + "] accepts " + list_quoted(keys);
}

// Where each key was written, for rules that involve several keys.
using Seen = std::map<std::string, Position, std::less<>>;

class Rules {
 public:
  Rules(const AgentConfig& c, const Seen& seen) : c_(c), seen_(seen) {}

  std::optional<Problem> check() const {
    if (auto p = gate()) return p;
    if (auto p = retry()) return p;
    if (auto p = probe()) return p;
    if (auto p = health()) return p;
    if (auto p = nla()) return p;
    return std::nullopt;
  }

 private:
  // The position of the first of these keys that the file sets.
  Position at(std::initializer_list<std::string_view> keys) const {
    for (std::string_view k : keys) {
      if (auto it = seen_.find(k); it != seen_.end()) return it->second;
    }
    return {};
  }

  static std::string d(Duration v) { return in_quotes(format_duration(v)); }

  std::optional<Problem> gate() const {
    const GateConfig& g = c_.gate;
    if (g.kind == GateKind::Service && g.services.empty()) {
      return Problem{at({"gate.services", "gate.kind"}),
                     "gate.services: the service gate needs at least one service; list the "
                     "broker agent services to hold stopped until the host is ready, such as "
                     "services = [\"BrokerAgent\"]"};
    }
    if (g.kind == GateKind::Command) {
      for (const auto& [key, value] : {std::pair{"close_command", &g.close_command},
                                       std::pair{"open_command", &g.open_command}}) {
        if (!value->empty()) continue;
        const std::string full = std::string("gate.") + key;
        return Problem{at({full, "gate.kind"}),
                       full + ": the command gate needs both close_command and open_command; set " +
                           key + " to the command line that " +
                           (value == &g.close_command ? "keeps users out" : "lets users in")};
      }
    }
    return std::nullopt;
  }

  std::optional<Problem> retry() const {
    const RetryConfig& r = c_.retry;
    if (r.max_delay < r.initial_delay) {
      return Problem{at({"retry.max_delay", "retry.initial_delay"}),
                     "retry.max_delay: " + d(r.max_delay) +
                         " is shorter than retry.initial_delay (" + d(r.initial_delay) +
                         "); max_delay caps the delay between attempts, so it must be at least "
                         "initial_delay"};
    }
    return std::nullopt;
  }

  std::optional<Problem> probe() const {
    const ProbeConfig& p = c_.probe;
    for (const auto& [name, value] : {std::pair{"probe.connect_timeout", p.connect_timeout},
                                      std::pair{"probe.phase_timeout", p.phase_timeout}}) {
      if (p.attempt_timeout >= value) continue;
      return Problem{at({"probe.attempt_timeout", name}),
                     "probe.attempt_timeout: " + d(p.attempt_timeout) + " is shorter than " + name +
                         " (" + d(value) + "); an attempt must have time for each of its phases"};
    }
    if (c_.warmup.deadline < p.attempt_timeout) {
      return Problem{at({"warmup.deadline", "probe.attempt_timeout"}),
                     "warmup.deadline: " + d(c_.warmup.deadline) +
                         " is shorter than probe.attempt_timeout (" + d(p.attempt_timeout) +
                         "); the deadline must leave time for at least one whole attempt"};
    }
    return std::nullopt;
  }

  std::optional<Problem> health() const {
    const HealthConfig& h = c_.health;
    if (h.enabled && !h.allow_remote && !is_loopback_host(h.listen_host)) {
      return Problem{
          at({"health.listen", "health.allow_remote"}),
          "health.listen: " + in_quotes(format_listen_address(h.listen_host, h.listen_port)) +
              " is not a loopback address; set allow_remote = true if a broker "
              "probes this host from another machine (the health server is "
              "read-only, but then reachable from the network), or listen on "
              "127.0.0.1"};
    }
    return std::nullopt;
  }

  std::optional<Problem> nla() const {
    const NlaConfig& n = c_.nla;
    if (n.user.empty() && !n.domain.empty()) {
      return Problem{at({"nla.domain"}),
                     "nla.domain: " + in_quotes(n.domain) +
                         " is set but nla.user is empty; set user to the account the probe "
                         "authenticates with, or remove domain"};
    }
    if (n.user.find('@') != std::string::npos && !n.domain.empty()) {
      return Problem{at({"nla.domain", "nla.user"}),
                     "nla.domain: " + in_quotes(n.user) +
                         " is a user principal name, which names its domain itself; leave "
                         "domain empty, or write the user name without @"};
    }
    return std::nullopt;
  }

  const AgentConfig& c_;
  const Seen& seen_;
};

// Reads every table and key, collecting every problem; the caller reports the first in the file.
void read_tables(const toml::table& root, AgentConfig& config, Seen& seen,
                 std::vector<Problem>& problems) {
  const auto tables = known_tables();
  for (auto&& [table_key, table_node] : root) {
    const std::string_view table = table_key.str();
    const Position table_at = position_of(table_key.source());
    if (std::find(tables.begin(), tables.end(), table) == tables.end()) {
      problems.push_back(
          {table_at, table_node.is_table() ? unknown_table(table) : unknown_top_level_key(table)});
      continue;
    }
    const toml::table* entries = table_node.as_table();
    if (entries == nullptr) {
      problems.push_back({table_at, std::string(table) + ": expected the table [" +
                                        std::string(table) + "]; found " +
                                        describe_found(table_node)});
      continue;
    }
    for (auto&& [key_key, value] : *entries) {
      const std::string_view key = key_key.str();
      const detail::Field* field = detail::find_field(table, key);
      if (field == nullptr) {
        problems.push_back({position_of(key_key.source()), unknown_key(table, key)});
        continue;
      }
      const std::string full = std::string(table) + "." + std::string(key);
      seen[full] = position_of(value.source());
      if (auto bad = field->read(value, config)) {
        problems.push_back({position_of(bad->at->source()), full + ": " + bad->what});
      }
    }
  }
}

Error syntax_error(std::string_view source, const toml::parse_error& e) {
  return to_error(source,
                  {position_of(e.source()), "TOML syntax error: " + std::string(e.description())});
}

std::string environment(const char* name) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read at start-up
  return value == nullptr ? std::string() : std::string(value);
}

}  // namespace

Result<AgentConfig> load_config_text(std::string_view text, std::string_view source_name) {
  toml::parse_result parsed = toml::parse(text, source_name);
  if (!parsed) return syntax_error(source_name, parsed.error());
  AgentConfig config = default_config();
  Seen seen;
  std::vector<Problem> problems;
  read_tables(parsed.table(), config, seen, problems);
  if (!problems.empty()) {
    const auto first =
        std::min_element(problems.begin(), problems.end(),
                         [](const Problem& a, const Problem& b) { return a.at < b.at; });
    return to_error(source_name, *first);
  }
  if (auto p = Rules(config, seen).check()) return to_error(source_name, *p);
  return config;
}

Status check_nla(const NlaConfig& nla) {
  AgentConfig config = default_config();
  config.nla = nla;
  auto loaded = load_config_text(to_toml(config, "nla"), "nla");
  if (loaded) return Ok{};
  // what starts with the key: "nla.user: ..."
  const std::string& what = loaded.error().what;
  const auto colon = what.find(": ");
  if (colon == std::string::npos) return make_error("nla", "", what);
  return make_error(what.substr(0, colon), "", what.substr(colon + 2));
}

Result<std::vector<WrittenKey>> written_keys(std::string_view text, std::string_view source_name) {
  toml::parse_result parsed = toml::parse(text, source_name);
  if (!parsed) return syntax_error(source_name, parsed.error());
  std::vector<WrittenKey> out;
  for (auto&& [table_key, table_node] : parsed.table()) {
    const std::string table(table_key.str());
    if (const toml::table* entries = table_node.as_table()) {
      for (auto&& [key, value] : *entries) {
        out.push_back({table + "." + std::string(key.str()), key.source().begin.line});
      }
    } else {
      out.push_back({table, table_key.source().begin.line});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const WrittenKey& a, const WrittenKey& b) { return a.line < b.line; });
  return out;
}

Result<AgentConfig> load_config_file(const std::filesystem::path& file) {
  const std::string name = path_to_utf8(file);
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return make_error(name, "", "the configuration file cannot be read: " + ec.message());
  }
  if (!std::filesystem::exists(status)) {
    return make_error(name, "", "the configuration file does not exist");
  }
  if (std::filesystem::is_directory(status)) {
    return make_error(name, "", "is a directory, not a configuration file");
  }
  const auto size = std::filesystem::file_size(file, ec);
  if (!ec && size > kMaxConfigFileBytes) {
    return make_error(name, "",
                      "the configuration file is " + std::to_string(size) +
                          " bytes; rdwarm reads at most " + std::to_string(kMaxConfigFileBytes));
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  if (!in || !(text << in.rdbuf())) {
    // An empty file also fails `text << rdbuf`; it is not an error: it means the defaults.
    if (in && size == 0) return load_config_text("", name);
    return make_error(name, "", "the configuration file cannot be read (check its permissions)");
  }
  return load_config_text(text.str(), name);
}

Result<LoadedConfig> load_effective_config(const std::filesystem::path& explicit_file) {
  std::filesystem::path file = explicit_file;
  if (file.empty()) file = path_from_utf8(environment("RDWARM_CONFIG"));
  if (file.empty()) {
    std::error_code ec;
    if (std::filesystem::exists(default_config_path(), ec)) file = default_config_path();
  }
  if (file.empty()) return LoadedConfig{default_config(), {}};
  auto config = load_config_file(file);
  if (!config) return config.error();
  return LoadedConfig{std::move(config).value(), file};
}

}  // namespace rdwarm::config
