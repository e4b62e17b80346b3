// rdwarm.exe as a Windows service (`rdwarm image install --as-service` registers it with the
// ImagePath `"...\rdwarm.exe" service --config "...\rdwarm.toml"`): the service control
// dispatcher, the control handler and the status reports around run_boot_warmup (boot_run.hpp).
//
//   START_PENDING -> RUNNING (at once: the warm-up may take minutes, the SCM waits 30 s)
//   RUNNING: the warm-up, then the health endpoint until stopped (--serve semantics); with
//            [health] enabled = false the service stops itself when the warm-up ends
//   STOP / SHUTDOWN -> STOP_PENDING (wait hint: one attempt + 30 s) -> the attempt under way ends,
//            the deadline policy sets the gate -> STOPPED
#pragma once

#include <filesystem>

namespace rdwarm::service::windows {

// The name the service control manager knows the service by (imagebuild/install's kServiceName).
inline constexpr const wchar_t* kServiceName = L"rdwarm";

// Event id written when the service cannot start (configuration error); docs/events.md.
inline constexpr unsigned kEventServiceFailed = 1020;

// Hands this thread to the service control manager until the service has stopped; returns the
// process exit code: 0 after the service stopped, 2 when the process was not started by the
// service control manager (a message on standard error says what to run instead), 1 on another
// dispatcher error.
int run_service_dispatcher(const std::filesystem::path& config_file);

}  // namespace rdwarm::service::windows
