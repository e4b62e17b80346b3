// `rdwarm boot`: the boot warm-up (DESIGN.md, The agent), wired from rdwarm.toml: platform, gate,
// logs, status file, health server, progress line, signals.
#pragma once

#include <string>

namespace rdwarm::cli {

struct BootArgs {
  std::string config_file;    // --config; empty: $RDWARM_CONFIG or the default path
  std::string platform;       // overrides [platform] kind
  std::string lab_state_dir;  // overrides [platform] lab_state_dir
  std::string target;         // overrides [target] host:port
  std::string deadline;       // overrides [warmup] deadline
  std::string health_listen;  // overrides [health] listen
  std::string status_file;    // overrides [status] file
  std::string journal_file;   // overrides [gate] journal
  bool serve = false;         // keep serving health after the warm-up
  bool no_progress = false;
  // `rdwarm image prewarm`: the same warm-up once in the image being built, with the gate forced
  // to `none` (no broker routes users to an image) and no health endpoint.
  bool prewarm = false;
};

int run_boot(const BootArgs& args);

}  // namespace rdwarm::cli
