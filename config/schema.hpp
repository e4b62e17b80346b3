// The keys rdwarm.toml accepts, and the effective configuration written back out: as TOML that
// load_config_text reads back to the same AgentConfig (`rdwarm config show`), or as JSON.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "config/agent_config.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::config {

struct KnownKey {
  std::string_view table;  // "gate"
  std::string_view key;    // "kind"
  std::string expect;      // what the key accepts, as error messages say it
};

// In rdwarm.toml order: tables in the order they are documented, keys within each table.
const std::vector<KnownKey>& known_keys();
std::vector<std::string_view> known_tables();

// The keys a TOML text sets, in file order, as "table.key" with the line of each; a key inside a
// known table is listed whether or not rdwarm knows it. For tooling and for the test that checks
// that rdwarm.toml documents every key. Errors: TOML syntax only, as load_config_text reports them.
struct WrittenKey {
  std::string name;  // "gate.kind"
  std::uint32_t line = 0;
  bool operator==(const WrittenKey&) const = default;
};
Result<std::vector<WrittenKey>> written_keys(std::string_view text, std::string_view source_name);

std::string to_toml(const AgentConfig& config);
// One table of it, with its [header]: what `rdwarm credentials set` tells an admin to paste.
std::string to_toml(const AgentConfig& config, std::string_view table);
nlohmann::ordered_json to_json(const AgentConfig& config);

}  // namespace rdwarm::config
