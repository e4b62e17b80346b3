// Windows services through the service control manager (docs/windows-platform.md, Services): the
// Windows side of HostPlatform's query_service / stop_service / start_service, which the service
// gate uses to hold broker agent services (Citrix BrokerAgent) stopped until the host is ready.
#pragma once

#include <chrono>
#include <string>

#include "licensing/host/host_platform.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::host::windows {

// `name` is the service's short name (BrokerAgent), not its display name. Errors are
// Error{"service <name>", "", what happened and what to do}: no such service, access denied (run
// as SYSTEM), disabled (set the start type to Manual), a timeout with the state it was left in,
// a service that stopped again while starting (with its exit code).
Result<ServiceState> query_windows_service(const std::string& name);
// Already stopped: done. Running (or starting, or paused): SERVICE_CONTROL_STOP, then waits for
// SERVICE_STOPPED, at most `timeout`.
Status stop_windows_service(const std::string& name, std::chrono::milliseconds timeout);
// Already running: done. Stopped: StartServiceW, then waits for SERVICE_RUNNING, at most
// `timeout`. A paused service is continued.
Status start_windows_service(const std::string& name, std::chrono::milliseconds timeout);

}  // namespace rdwarm::host::windows
