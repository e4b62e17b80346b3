#include "warmup/service/windows/service_main.hpp"

#include <chrono>
#include <iostream>
#include <mutex>
#include <stop_token>

#include "config/default_paths.hpp"
#include "config/loader.hpp"
#include "licensing/host/windows/event_log.hpp"
#include "licensing/host/windows/win32.hpp"
#include "licensing/host/windows/win32_text.hpp"
#include "warmup/agent/exit_codes.hpp"
#include "warmup/service/boot_run.hpp"

namespace rdwarm::service::windows {

namespace {

// The dispatcher calls service_main and the handler with no context argument of ours: the state
// of the one service this process runs lives here while run_service_dispatcher runs.
struct ServiceState {
  std::filesystem::path config_file;
  SERVICE_STATUS_HANDLE handle = nullptr;
  std::mutex mutex;  // SetServiceStatus from the handler and the service thread
  SERVICE_STATUS status{};
  std::stop_source stop;
  DWORD stop_wait_hint_ms = 60000;
};

ServiceState* g_service = nullptr;  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)

void report(DWORD state, DWORD win32_exit = NO_ERROR, DWORD specific_exit = 0,
            DWORD wait_hint_ms = 0) {
  const std::lock_guard lock(g_service->mutex);
  auto& s = g_service->status;
  if (s.dwCurrentState == SERVICE_STOPPED && state != SERVICE_STOPPED) return;
  s.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
  s.dwCurrentState = state;
  s.dwControlsAccepted =
      state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
  s.dwWin32ExitCode = win32_exit;
  s.dwServiceSpecificExitCode = specific_exit;
  s.dwWaitHint = wait_hint_ms;
  s.dwCheckPoint =
      (state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING) ? s.dwCheckPoint + 1 : 0;
  SetServiceStatus(g_service->handle, &s);
}

DWORD WINAPI control_handler(DWORD control, DWORD /*type*/, void* /*data*/, void* /*context*/) {
  switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
      report(SERVICE_STOP_PENDING, NO_ERROR, 0, g_service->stop_wait_hint_ms);
      g_service->stop.request_stop();
      return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
      return NO_ERROR;
    default:
      return ERROR_CALL_NOT_IMPLEMENTED;
  }
}

void stop_with(int exit_code) {
  if (exit_code == 0) {
    report(SERVICE_STOPPED);
  } else {
    report(SERVICE_STOPPED, ERROR_SERVICE_SPECIFIC_ERROR, static_cast<DWORD>(exit_code));
  }
}

void WINAPI service_main(DWORD /*argc*/, wchar_t** /*argv*/) {
  g_service->handle = RegisterServiceCtrlHandlerExW(kServiceName, control_handler, nullptr);
  if (g_service->handle == nullptr) return;  // nothing to report to
  report(SERVICE_START_PENDING, NO_ERROR, 0, 10000);

  auto loaded = config::load_effective_config(g_service->config_file);
  if (!loaded) {
    // Nobody reads the service's standard error: the Application log and the exit code do.
    host::windows::EventLog events;
    (void)events.write({kEventServiceFailed, host::EventSeverity::kError,
                        "rdwarm service did not start: " + loaded.error().message() +
                            ". Fix the configuration, then start the service again (sc start "
                            "rdwarm). Until then the admission gate is not managed."});
    stop_with(agent::kExitUsage);
    return;
  }
  BootRunOptions options;
  options.config = loaded->config;
  options.config_file = loaded->file;
  options.serve = true;  // a service keeps answering health probes after the warm-up
  // The agent stops after the attempt under way, then sets the gate.
  const auto hint = options.config.probe.attempt_timeout + std::chrono::seconds(30);
  g_service->stop_wait_hint_ms = static_cast<DWORD>(hint.count());

  report(SERVICE_RUNNING);
  const int code = run_boot_warmup(options, g_service->stop.get_token());
  // Stopped on request: a clean stop, whatever the warm-up had reached. Otherwise the warm-up
  // ended on its own ([health] disabled, or it could not be set up): its exit code tells why.
  stop_with(g_service->stop.stop_requested() ? 0 : code);
}

}  // namespace

int run_service_dispatcher(const std::filesystem::path& config_file) {
  ServiceState state;
  state.config_file = config_file;
  g_service = &state;
  std::wstring name(kServiceName);
  SERVICE_TABLE_ENTRYW table[] = {{name.data(), service_main}, {nullptr, nullptr}};
  const BOOL ok = StartServiceCtrlDispatcherW(table);
  const DWORD error = ok ? ERROR_SUCCESS : GetLastError();
  g_service = nullptr;
  if (ok) return 0;
  if (error == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
    std::cerr << "rdwarm service: this command is run by the service control manager, not from "
                 "a console (rdwarm image install --as-service registers it). To run the warm-up "
                 "here, use: rdwarm boot --serve\n";
    return agent::kExitUsage;
  }
  std::cerr << "rdwarm service: cannot connect to the service control manager: "
            << host::windows::win32_error_text(error) << "\n";
  return agent::kExitInternal;
}

}  // namespace rdwarm::service::windows
