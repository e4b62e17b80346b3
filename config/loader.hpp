// Reads rdwarm.toml into an AgentConfig. Every mistake is one Error whose message names the file,
// line, column, key and what is accepted, e.g.
//   config/rdwarm.toml:12:8: gate.kind: "drian" is not accepted; expected one of "drain",
//   "service", "command", "none"
// (Error.where is "file:line:column", Error.what starts with the key.) Unknown tables and keys are
// errors: a misspelt key silently left at its default is how a gate stays open. When a file has
// several mistakes, the first one in the file is reported.
#pragma once

#include <filesystem>
#include <string_view>

#include "config/agent_config.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::config {

// Larger files are refused before parsing.
inline constexpr std::size_t kMaxConfigFileBytes = 1024 * 1024;

// source_name names the text in error messages (normally the file's path). Empty text: defaults.
Result<AgentConfig> load_config_text(std::string_view text, std::string_view source_name);
// A missing or unreadable file is an error that names the path.
Result<AgentConfig> load_config_file(const std::filesystem::path& file);

// The checks load_config_text makes of [nla], for values that come from the command line
// (`rdwarm credentials set --user`, `rdwarm probe --user`). The error is under the key
// ("nla.user") without a file position.
Status check_nla(const NlaConfig& nla);

struct LoadedConfig {
  AgentConfig config;
  std::filesystem::path file;  // empty: no file, built-in defaults
};

// The file the agent reads (docs/configuration.md): explicit_file when not empty (--config),
// else $RDWARM_CONFIG when set, else default_config_path() when it exists, else the defaults.
// A file named by --config or $RDWARM_CONFIG must exist.
Result<LoadedConfig> load_effective_config(const std::filesystem::path& explicit_file);

}  // namespace rdwarm::config
