#include "warmup/service/service_command.hpp"

#include <iostream>

#include "config/default_paths.hpp"
#include "warmup/agent/exit_codes.hpp"
#ifdef _WIN32
#include "warmup/service/windows/service_main.hpp"
#endif

namespace rdwarm::service {

ServiceCommand::ServiceCommand(CLI::App& app) {
  command_ = app.add_subcommand(
      "service", "Run as the Windows service (started by the service control manager)");
  command_->group("");  // hidden: not a command people type
  command_->add_option("--config", config_file_,
                       "rdwarm.toml (default: $RDWARM_CONFIG, then the platform's default path)");
}

bool ServiceCommand::selected() const {
  return command_ != nullptr && command_->parsed();
}

int ServiceCommand::run() const {
#ifdef _WIN32
  return windows::run_service_dispatcher(config::path_from_utf8(config_file_));
#else
  std::cerr << "rdwarm service: runs only under the Windows service control manager; here, run "
               "`rdwarm boot --serve` from the init system (e.g. a systemd unit)\n";
  return agent::kExitUsage;
#endif
}

}  // namespace rdwarm::service
