#include "warmup/cli/image_install_command.hpp"

#include <iostream>

#include "config/default_paths.hpp"
#include "config/loader.hpp"
#include "imagebuild/install/install_report.hpp"
#include "imagebuild/install/installer.hpp"
#include "warmup/agent/exit_codes.hpp"
#include "warmup/agent/gate_journal.hpp"

namespace rdwarm::cli {

namespace {

namespace inst = imagebuild::install;

std::string how_to_open(const std::string& kind) {
  if (kind == "drain") return "run `change logon /enable` (it clears TSServerDrainMode)";
  if (kind == "service") {
    return "start the broker agent services again (sc start <name>) and set them back to "
           "automatic start";
  }
  if (kind == "command") return "run the gate's open_command from the configuration";
  return "open it the way it was closed";
}

// What uninstall asks before it deletes the journal: nothing reopens a gate once rdwarm is gone.
std::optional<std::string> gate_left_closed(const config::AgentConfig& cfg) {
  if (cfg.gate.journal.empty()) return std::nullopt;
  auto entry = agent::read_gate_journal(cfg.gate.journal);
  if (!entry) {
    return "the gate journal " + config::path_to_utf8(cfg.gate.journal) + " cannot be read (" +
           entry.error().message() +
           "), so the gate may be closed; check the host's admission state";
  }
  if (!*entry || (*entry)->gate_state == "open") return std::nullopt;
  return "the gate journal " + config::path_to_utf8(cfg.gate.journal) + " says rdwarm left the " +
         (*entry)->gate_kind + " gate " + (*entry)->gate_state +
         ": users are still kept away from this host and rdwarm will not open the gate any more; " +
         how_to_open((*entry)->gate_kind);
}

int print(const inst::InstallReport& report, bool json) {
  if (json) {
    std::cout << inst::install_report_json(report).dump(2) << "\n";
  } else {
    std::cout << inst::install_report_text(report);
  }
  return report.exit_code();
}

int print_task_xml(const ImageInstallArgs& a, const inst::InstallLayout& layout) {
  config::AgentConfig cfg = config::default_config();
  if (!a.config_file.empty()) {
    auto loaded = config::load_config_file(config::path_from_utf8(a.config_file));
    if (!loaded) {
      std::cerr << "rdwarm image install: " << loaded.error().message() << "\n";
      return agent::kExitUsage;
    }
    cfg = *loaded;
  }
  std::cout << inst::boot_task_xml(inst::boot_task_spec(layout, cfg, RDWARM_VERSION));
  return agent::kExitReady;
}

}  // namespace

int run_image_install(const ImageInstallArgs& a) {
  inst::InstallRequest request;
  request.mode = a.as_service ? inst::InstallMode::kService : inst::InstallMode::kTask;
  request.layout = inst::default_install_layout();
  if (!a.install_dir.empty()) request.layout.install_dir = config::path_from_utf8(a.install_dir);
  if (a.print_task_xml) return print_task_xml(a, request.layout);
  request.source_executable = inst::running_executable();
  request.source_config = config::path_from_utf8(a.config_file);
  request.version = RDWARM_VERSION;
  return print(inst::install(request), a.json);
}

int run_image_uninstall(const ImageUninstallArgs& a) {
  inst::UninstallRequest request;
  request.layout = inst::default_install_layout();
  request.gate_left_closed = gate_left_closed;
  return print(inst::uninstall(request), a.json);
}

ImageInstallCommands::ImageInstallCommands(CLI::App& image) {
  install_ = image.add_subcommand(
      "install",
      "Register the boot task (or, with --as-service, the service), the event source, the "
      "executable and the configuration; idempotent");
  install_->add_flag("--as-service", install_args_.as_service,
                     "A Windows service (automatic start, after TermService, serving health) "
                     "instead of the boot task");
  install_->add_option("--config", install_args_.config_file,
                       "rdwarm.toml to install as " +
                           config::path_to_utf8(config::default_config_path()) +
                           " (default: keep the installed one, or write one with the defaults)");
  install_->add_option("--install-dir", install_args_.install_dir,
                       "Where rdwarm.exe is copied (default: %ProgramFiles%\\rdwarm)");
  install_->add_flag("--print-task-xml", install_args_.print_task_xml,
                     "Print the boot task's Task Scheduler XML and change nothing");
  install_->add_flag("--json", install_args_.json, "Print JSON (schema rdwarm.image-install/1)");

  uninstall_ = image.add_subcommand(
      "uninstall",
      "Remove what install registered: task, service, event source, executable, and the "
      "configuration while it is unchanged");
  uninstall_->add_flag("--json", uninstall_args_.json,
                       "Print JSON (schema rdwarm.image-install/1)");
}

bool ImageInstallCommands::selected() const {
  return install_->parsed() || uninstall_->parsed();
}

int ImageInstallCommands::run() const {
  if (install_->parsed()) return run_image_install(install_args_);
  if (uninstall_->parsed()) return run_image_uninstall(uninstall_args_);
  return agent::kExitUsage;
}

}  // namespace rdwarm::cli
