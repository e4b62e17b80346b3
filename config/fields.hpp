// Internal to rdwarm_config: one Field per key of rdwarm.toml, with the reader that validates and
// stores its value and the writer that renders it back. known_keys(), the loader and to_toml()
// all come from this one table, so a key cannot be parsed without being known or vice versa.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/agent_config.hpp"
#include "config/toml.hpp"

namespace rdwarm::config::detail {

// A value as written to rdwarm.toml.
using FieldValue = std::variant<bool, std::int64_t, double, std::string, std::vector<std::string>>;

struct FieldProblem {
  const toml::node* at;  // where the problem is: the value, or an element of an array
  std::string what;      // without the key: "70000 is out of range; accepted 1 to 65535"
};

struct Field {
  std::string_view table;
  std::string_view key;
  std::string expect;
  std::function<std::optional<FieldProblem>(const toml::node&, AgentConfig&)> read;
  std::function<FieldValue(const AgentConfig&)> write;
};

const std::vector<Field>& fields();
const Field* find_field(std::string_view table, std::string_view key);

// "a string (\"abc\")", "an integer (5)", "a table": how a value of the wrong type is named.
std::string describe_found(const toml::node& node);
// Quoted for a message, cut short when long.
std::string in_quotes(std::string_view text);

}  // namespace rdwarm::config::detail
