#include "imagebuild/install/install_layout.hpp"

#include <cstdlib>

#include "config/default_paths.hpp"
#include "imagebuild/install/command_line.hpp"

namespace rdwarm::imagebuild::install {

namespace {

std::chrono::milliseconds gate_allowance(const config::GateConfig& gate) {
  switch (gate.kind) {
    case config::GateKind::Command:
      return 2 * gate.command_timeout;  // close and open
    case config::GateKind::Service: {
      const auto services = static_cast<long>(gate.services.empty() ? 1 : gate.services.size());
      return 2 * services * gate.service_timeout;  // each stopped, then started
    }
    case config::GateKind::Drain:
    case config::GateKind::None:
      break;
  }
  return std::chrono::milliseconds(0);
}

std::filesystem::path program_files() {
#ifdef _WIN32
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read once, at the start of the command
  if (const char* dir = std::getenv("ProgramFiles"); dir != nullptr && *dir != '\0') {
    return config::path_from_utf8(dir);
  }
#endif
  return std::filesystem::path("C:\\Program Files");
}

}  // namespace

std::string_view to_string(InstallMode mode) {
  return mode == InstallMode::kService ? "service" : "task";
}

InstallLayout default_install_layout() {
  InstallLayout layout;
  layout.install_dir = program_files() / "rdwarm";
  layout.data_dir = config::default_data_dir();
  layout.config_file = config::default_config_path();
  return layout;
}

std::chrono::seconds task_execution_time_limit(const config::AgentConfig& config) {
  if (config.health.enabled && config.health.serve_after_warmup) return std::chrono::seconds(0);
  const auto total = config.warmup.deadline + config.probe.attempt_timeout +
                     gate_allowance(config.gate) + std::chrono::minutes(5);
  return std::chrono::ceil<std::chrono::minutes>(total);
}

std::chrono::milliseconds service_stop_timeout(const config::AgentConfig& config) {
  return config.probe.attempt_timeout + gate_allowance(config.gate) / 2 + std::chrono::seconds(30);
}

std::string boot_task_arguments(const InstallLayout& layout) {
  return join_windows_arguments(
      {"boot", "--config", config::path_to_utf8(layout.config_file), "--no-progress"});
}

BootTaskSpec boot_task_spec(const InstallLayout& layout, const config::AgentConfig& config,
                            std::string_view version) {
  BootTaskSpec spec;
  spec.uri = std::string(kTaskPath);
  spec.author = "rdwarm";
  spec.version = std::string(version);
  spec.description =
      "Warms up Remote Desktop licensing at boot: keeps the admission gate closed until this "
      "session host has its license server certificate, then opens it (rdwarm boot). Registered "
      "by `rdwarm image install`; remove it with `rdwarm image uninstall`.";
  spec.command = config::path_to_utf8(layout.executable());
  spec.arguments = boot_task_arguments(layout);
  spec.working_directory = config::path_to_utf8(layout.data_dir);
  spec.execution_time_limit = task_execution_time_limit(config);
  return spec;
}

std::string service_command_line(const InstallLayout& layout) {
  return join_windows_arguments({config::path_to_utf8(layout.executable()), "service", "--config",
                                 config::path_to_utf8(layout.config_file)});
}

}  // namespace rdwarm::imagebuild::install
