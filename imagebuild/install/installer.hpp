// `rdwarm image install [--as-service]` and `rdwarm image uninstall` (docs/image-install.md):
// register the boot task or the service, the event source, the executable and the configuration;
// remove all of it again. Both are idempotent. Windows only: elsewhere they return an error that
// says so.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "imagebuild/install/install_layout.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::imagebuild::install {

struct InstallRequest {
  InstallMode mode = InstallMode::kTask;
  std::filesystem::path source_executable;  // the rdwarm.exe to install (normally the running one)
  std::filesystem::path source_config;      // --config; empty: keep the installed one or write one
  InstallLayout layout;                     // default_install_layout() unless overridden
  std::string version;                      // RDWARM_VERSION
};

struct UninstallRequest {
  // Where to look when the install state (HKLM\SOFTWARE\rdwarm) is missing.
  InstallLayout layout;
  // Asked after the service and the task are gone, with the installed configuration: a text when
  // the agent left the admission gate closed (its gate journal says so). Uninstall then keeps the
  // journal and the status file and passes the text on as a warning, because nothing would open
  // the gate any more. The command line answers from warmup/agent's gate journal; empty: no check.
  std::function<std::optional<std::string>(const config::AgentConfig&)> gate_left_closed;
};

enum class Change { kCreated, kUpdated, kUnchanged, kRemoved, kAbsent, kKept };
std::string_view to_string(Change change);

struct InstallItem {
  std::string what;   // "executable", "config", "boot task", "service", "event source", ...
  std::string where;  // path, task path, service name, registry key
  Change change = Change::kUnchanged;
  std::string detail;  // e.g. "boot trigger, SYSTEM, highest privileges, time limit PT16M"
};

struct InstallReport {
  std::string action;  // "install" | "uninstall"
  InstallMode mode = InstallMode::kTask;
  // install: rdwarm was installed before (this run updated it); uninstall: something was removed.
  bool was_installed = false;
  std::vector<InstallItem> items;
  std::vector<std::string> warnings;
  std::optional<Error> error;  // the step that failed; the items before it were done
  int error_exit_code = 1;     // 2 for a usage or configuration error
  [[nodiscard]] int exit_code() const { return error ? error_exit_code : 0; }
};

InstallReport install(const InstallRequest& request);
InstallReport uninstall(const UninstallRequest& request);

// The program running now (GetModuleFileNameW): what install copies, and what uninstall cannot
// delete. Empty when it cannot be told, and outside Windows.
std::filesystem::path running_executable();

}  // namespace rdwarm::imagebuild::install
