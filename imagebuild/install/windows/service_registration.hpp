// The rdwarm service in the service control manager: created or brought to the configured state
// (CreateServiceW / ChangeServiceConfigW / ChangeServiceConfig2W), and deleted.
#pragma once

#include <chrono>
#include <string>

#include "imagebuild/install/install_layout.hpp"
#include "imagebuild/install/installer.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::imagebuild::install::windows {

struct ServiceSpec {
  std::string name;
  std::string display_name;
  std::string description;
  std::string command_line;  // ImagePath
  std::string dependency;    // TermService
  ServiceRecovery recovery;
};

// Own process, automatic start (not delayed), LocalSystem, error control normal, the dependency,
// the description and the recovery actions; kCreated or kUpdated. The service is not started: it
// starts with the next boot (or with `sc start rdwarm`).
Result<Change> ensure_service(const ServiceSpec& spec);

// True when a service of that name is registered.
Result<bool> service_registered(const std::string& name);

// Stops the service (at most `stop_timeout`), deletes it and waits until the service control
// manager has let go of it; kRemoved or kAbsent.
Result<Change> remove_service(const std::string& name, std::chrono::milliseconds stop_timeout);

}  // namespace rdwarm::imagebuild::install::windows
