// The boot warm-up that `rdwarm boot` runs (DESIGN.md, The agent), with an explicit stop instead
// of signals, so the Windows service can run exactly the same path: platform, gate, the check for
// another agent, status board and file, health server, orchestrator, then (with serve) the health
// endpoint until stopped. A stop during the warm-up ends it as SIGTERM does for `rdwarm boot`: the
// current attempt finishes and the deadline policy decides the gate.
#pragma once

#include <filesystem>
#include <functional>
#include <stop_token>
#include <string>

#include "config/agent_config.hpp"
#include "warmup/agent/agent_status.hpp"
#include "warmup/agent/logger.hpp"

namespace rdwarm::service {

struct BootRunOptions {
  config::AgentConfig config;         // effective configuration, overrides applied
  std::filesystem::path config_file;  // named in the log; empty: built-in defaults
  // Keep serving the health endpoint after the warm-up until stopped ([health] enabled only).
  bool serve = false;
  agent::LogFunction log;                                    // empty: a logger from [logging]
  std::function<void(const agent::AgentStatus&)> on_status;  // every status change
  // Once, when the warm-up ended (before serving), with its exit code and headline.
  std::function<void(int, const std::string&)> on_warmup_end;
  // A platform, gate or health address that cannot be set up from the configuration; empty:
  // logged. run_boot_warmup then returns kExitUsage.
  std::function<void(const std::string&)> on_setup_error;
  std::string how_to_stop;  // told while serving, e.g. "SIGTERM or Ctrl+C"
};

// Returns the warm-up's exit code (warmup/agent/exit_codes.hpp); kExitUsage when the platform, the
// gate or the health endpoint address cannot be set up from the configuration.
int run_boot_warmup(const BootRunOptions& options, const std::stop_token& stop);

// The logger `rdwarm boot` uses for a configuration ([logging] level, format, file).
agent::LogFunction logger_for(const config::AgentConfig& config);

}  // namespace rdwarm::service
