// The Windows backend of HostPlatform (docs/windows-platform.md): reads the licensing state from
// the registry and DPAPI, drives the admission gate through TSServerDrainMode, waits for the
// certificate with RegNotifyChangeKeyValue, writes to the Application event log, and stops and
// starts services through the service control manager (service_control.hpp).
#pragma once

#include <memory>

#include "licensing/host/host_platform.hpp"

namespace rdwarm::host::windows {

std::unique_ptr<HostPlatform> make_windows_platform();

}  // namespace rdwarm::host::windows
