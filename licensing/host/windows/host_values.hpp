// Reads every licensing fact of this Windows machine from the registry (and DPAPI for the grace
// period) into RawHostValues, before any interpretation. What is read from where:
// registry_paths.hpp and docs/windows-platform.md.
#pragma once

#include "licensing/host/raw_host_values.hpp"

namespace rdwarm::host::windows {

RawHostValues read_windows_host_values();

}  // namespace rdwarm::host::windows
