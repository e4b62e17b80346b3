// Where the agent keeps its files when rdwarm.toml leaves a path empty. On Windows everything lives
// under %ProgramData%\rdwarm (normally C:\ProgramData\rdwarm); elsewhere (the lab) under the
// temporary directory, so tests and rehearsals never need root.
#pragma once

#include <filesystem>
#include <string>

namespace rdwarm::config {

// %ProgramData%\rdwarm on Windows, <temp>/rdwarm elsewhere.
std::filesystem::path default_data_dir();
// The file `rdwarm boot` reads when no --config is given and $RDWARM_CONFIG is not set:
// %ProgramData%\rdwarm\rdwarm.toml on Windows, /etc/rdwarm/rdwarm.toml elsewhere.
std::filesystem::path default_config_path();
std::filesystem::path default_status_path();        // <data dir>/status.json
std::filesystem::path default_gate_journal_path();  // <data dir>/gate-journal.json
std::filesystem::path default_manifest_path();      // <data dir>/seal-manifest.json
// The NLA password file, next to the default configuration file: %ProgramData%\rdwarm\nla-password
// on Windows, /etc/rdwarm/nla-password elsewhere (docs/credentials.md).
std::filesystem::path default_password_file_path();
// $RDWARM_LAB_STATE_DIR, else <temp>/rdwarm-lab: the same default as rdwarm-lab and the CLI.
std::filesystem::path default_lab_state_dir();

// rdwarm.toml is UTF-8; on Windows a path built from a narrow string would use the ANSI code page.
std::filesystem::path path_from_utf8(const std::string& text);
std::string path_to_utf8(const std::filesystem::path& path);

}  // namespace rdwarm::config
