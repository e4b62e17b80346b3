// What `rdwarm image install` puts where (docs/image-install.md): the names, paths and settings of
// the boot task, the service and the event source, derived from the configuration being
// installed. Platform-free, so it is tested on Linux; imagebuild/install/windows/ applies it.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/agent_config.hpp"
#include "imagebuild/install/task_xml.hpp"

namespace rdwarm::imagebuild::install {

enum class InstallMode { kTask, kService };
std::string_view to_string(InstallMode mode);  // "task", "service"

// The task lives in its own folder so an admin finds it, and uninstall removes the folder.
inline constexpr std::string_view kTaskFolder = "\\rdwarm";
inline constexpr std::string_view kTaskName = "boot-warmup";
inline constexpr std::string_view kTaskPath = "\\rdwarm\\boot-warmup";

inline constexpr std::string_view kServiceName = "rdwarm";
inline constexpr std::string_view kServiceDisplayName = "rdwarm RD Licensing warm-up";
inline constexpr std::string_view kServiceDescription =
    "Warms up Remote Desktop licensing at boot: keeps the admission gate closed until this "
    "session host has its license server certificate, then opens it and reports readiness "
    "(rdwarm boot --serve). Stopping it ends the warm-up as its deadline policy says.";
// The warm-up connects to the session host's own listener, so it starts after Remote Desktop
// Services.
inline constexpr std::string_view kServiceDependency = "TermService";

// The classic event source the agent writes with RegisterEventSource(nullptr, L"rdwarm").
inline constexpr std::string_view kEventSourceKey =
    "SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\rdwarm";
// What install did, for uninstall and for the next install (HKLM).
inline constexpr std::string_view kInstallStateKey = "SOFTWARE\\rdwarm";

inline constexpr std::string_view kExecutableName = "rdwarm.exe";

// Written when install is given no configuration and none exists yet: the agent then runs on the
// documented defaults, and the admin knows which file to edit.
inline constexpr std::string_view kDefaultConfigText =
    "# rdwarm configuration (written by `rdwarm image install`).\n"
    "# Empty: every key has its documented default. The keys, their defaults and examples for\n"
    "# each broker: docs/configuration.md and config/examples/ of rdwarm.\n"
    "# Uninstall deletes this file only while it is unchanged.\n";

struct InstallLayout {
  std::filesystem::path install_dir;  // %ProgramFiles%\rdwarm
  std::filesystem::path data_dir;     // %ProgramData%\rdwarm
  std::filesystem::path config_file;  // %ProgramData%\rdwarm\rdwarm.toml
  [[nodiscard]] std::filesystem::path executable() const { return install_dir / kExecutableName; }
};

// %ProgramFiles%\rdwarm (only administrators can write there, which matters for a program that
// runs as SYSTEM), and config::default_data_dir() / default_config_path().
InstallLayout default_install_layout();

// How long Task Scheduler lets the boot task run: the warm-up deadline, plus one attempt that
// started just before it, plus the gate's own timeouts (closing and opening), plus 5 minutes, in
// whole minutes. The agent ends itself well before; the limit only stops a hung process. With
// [health] serve_after_warmup the task is a long-running health server: no limit (zero).
std::chrono::seconds task_execution_time_limit(const config::AgentConfig& config);

// How long install and uninstall wait for a running service to stop: an attempt under way ends
// first (the agent stops after it), then the gate is set by the deadline policy.
std::chrono::milliseconds service_stop_timeout(const config::AgentConfig& config);

// `boot --config "<config file>" --no-progress`
std::string boot_task_arguments(const InstallLayout& layout);
BootTaskSpec boot_task_spec(const InstallLayout& layout, const config::AgentConfig& config,
                            std::string_view version);

// The service's ImagePath: "<install dir>\rdwarm.exe" service --config "<config file>"
std::string service_command_line(const InstallLayout& layout);

// The service control manager restarts a service that ended without reporting SERVICE_STOPPED
// (a crash, a kill): after 10 s, 30 s, then 60 s for every further failure; the count starts
// again after a day without failures.
struct ServiceRecovery {
  std::chrono::seconds reset_period{std::chrono::hours(24)};
  std::vector<std::chrono::milliseconds> restart_delays{
      std::chrono::seconds(10), std::chrono::seconds(30), std::chrono::seconds(60)};
};

}  // namespace rdwarm::imagebuild::install
