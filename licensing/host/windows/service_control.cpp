#include "licensing/host/windows/service_control.hpp"

#include <algorithm>
#include <thread>
#include <utility>

#include "licensing/host/windows/sc_handle.hpp"
#include "licensing/host/windows/win32_text.hpp"

namespace rdwarm::host::windows {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr const char* kRunAsSystem =
    "; run rdwarm as SYSTEM (the boot task does) or from an elevated administrator prompt";

Error service_error(const std::string& name, std::string what) {
  return make_error("service " + name, "", std::move(what));
}

std::string seconds_text(milliseconds ms) {
  if (ms.count() % 1000 == 0) return std::to_string(ms.count() / 1000) + " s";
  return std::to_string(ms.count()) + " ms";
}

// What an error of OpenSCManagerW, OpenServiceW, ControlService or StartServiceW means here, and
// what to do about it.
std::string explain_for(const std::string& name, DWORD code) {
  std::string text = win32_error_text(code);
  switch (code) {
    case ERROR_ACCESS_DENIED:
      text += kRunAsSystem;
      break;
    case ERROR_SERVICE_DOES_NOT_EXIST:
    case ERROR_INVALID_NAME:
      text +=
          "; gate.services takes the service's short name as `sc query` shows it (BrokerAgent for "
          "the Citrix Desktop Service), not its display name, and the software that installs it "
          "must be in the image";
      break;
    case ERROR_SERVICE_DISABLED:
      text += "; its start type is Disabled: set it to Manual (sc config " + name +
              " start= demand) so that rdwarm can start it when the host is ready";
      break;
    case ERROR_DEPENDENT_SERVICES_RUNNING:
      text +=
          "; other running services depend on it: list them in gate.services before it, so "
          "rdwarm stops them first";
      break;
    case ERROR_SERVICE_DEPENDENCY_FAIL:
    case ERROR_SERVICE_DEPENDENCY_DELETED:
      text += "; a service it depends on did not start: sc qc " + name + " lists them";
      break;
    case ERROR_SERVICE_REQUEST_TIMEOUT:
      text +=
          "; the service's program did not connect to the service control manager in time: see "
          "the System event log (source Service Control Manager)";
      break;
    default:
      break;
  }
  return text;
}

Result<ScHandle> open_service(const std::string& name, DWORD access) {
  ScHandle scm(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
  if (!scm) {
    return service_error(name, "cannot connect to the service control manager: " +
                                   explain_for(name, GetLastError()));
  }
  const std::wstring wide = widen(name);
  ScHandle service(OpenServiceW(scm.get(), wide.c_str(), access));
  if (!service) {
    const DWORD code = GetLastError();
    if (code == ERROR_SERVICE_DOES_NOT_EXIST) {
      return service_error(name, "does not exist on this host; " + explain_for(name, code));
    }
    return service_error(name, "cannot open it: " + explain_for(name, code));
  }
  return Result<ScHandle>(std::move(service));
}

ServiceState state_from(DWORD current) {
  switch (current) {
    case SERVICE_START_PENDING:
      return ServiceState::kStartPending;
    case SERVICE_STOP_PENDING:
      return ServiceState::kStopPending;
    case SERVICE_RUNNING:
      return ServiceState::kRunning;
    case SERVICE_CONTINUE_PENDING:
      return ServiceState::kContinuePending;
    case SERVICE_PAUSE_PENDING:
      return ServiceState::kPausePending;
    case SERVICE_PAUSED:
      return ServiceState::kPaused;
    default:
      break;
  }
  return ServiceState::kStopped;
}

Result<SERVICE_STATUS_PROCESS> query(const ScHandle& service, const std::string& name) {
  SERVICE_STATUS_PROCESS status{};
  DWORD needed = 0;
  if (!QueryServiceStatusEx(service.get(), SC_STATUS_PROCESS_INFO,
                            reinterpret_cast<LPBYTE>(&status), sizeof status, &needed)) {
    return service_error(name, "cannot query its state: " + explain_for(name, GetLastError()));
  }
  return status;
}

// The exit code a stopped service reported, for the error when it stops while starting.
std::string exit_code_text(const SERVICE_STATUS_PROCESS& s) {
  if (s.dwWin32ExitCode == ERROR_SERVICE_SPECIFIC_ERROR) {
    return "service-specific exit code " + std::to_string(s.dwServiceSpecificExitCode);
  }
  if (s.dwWin32ExitCode == NO_ERROR) return "exit code 0";
  return "exit code: " + win32_error_text(s.dwWin32ExitCode);
}

// How long to sleep between polls: a tenth of the service's wait hint, as the SCM documentation
// suggests, within 50 ms .. 1 s, and never past the deadline.
milliseconds poll_interval(const SERVICE_STATUS_PROCESS& s, Clock::time_point deadline) {
  const milliseconds hint{s.dwWaitHint / 10};
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
  return std::max(milliseconds(1),
                  std::min({std::clamp(hint, milliseconds(50), milliseconds(1000)), left}));
}

// Polls until the service is in `target`. While starting, a service that falls back to STOPPED
// has failed: that is an error at once, not a wait until the timeout.
Status wait_for(const ScHandle& service, const std::string& name, DWORD target,
                Clock::time_point deadline, milliseconds timeout) {
  while (true) {
    auto s = query(service, name);
    if (!s) return s.error();
    if (s->dwCurrentState == target) return Ok{};
    if (target == SERVICE_RUNNING && s->dwCurrentState == SERVICE_STOPPED) {
      return service_error(name, "stopped again while starting (" + exit_code_text(*s) +
                                     "); see the System event log and the service's own log");
    }
    if (Clock::now() >= deadline) {
      return service_error(name, std::string("did not reach ") +
                                     (target == SERVICE_RUNNING ? "RUNNING" : "STOPPED") +
                                     " within " + seconds_text(timeout) + "; it is " +
                                     service_state_name(state_from(s->dwCurrentState)) +
                                     ". Raise gate.service_timeout if it is only slow");
    }
    std::this_thread::sleep_for(poll_interval(*s, deadline));
  }
}

// Sends `control`; a service busy in a pending state cannot take it yet, so it is retried until
// the deadline. Returns false (and no error) when the service had already stopped.
Result<bool> send_control(const ScHandle& service, const std::string& name, DWORD control,
                          Clock::time_point deadline, milliseconds timeout) {
  while (true) {
    SERVICE_STATUS status{};
    if (ControlService(service.get(), control, &status)) return true;
    const DWORD code = GetLastError();
    if (code == ERROR_SERVICE_NOT_ACTIVE) return false;
    if (code != ERROR_SERVICE_CANNOT_ACCEPT_CTRL || Clock::now() >= deadline) {
      const std::string what =
          control == SERVICE_CONTROL_STOP ? "cannot stop it: " : "cannot continue it: ";
      if (code == ERROR_SERVICE_CANNOT_ACCEPT_CTRL) {
        return service_error(name, what + "it accepted no control within " + seconds_text(timeout) +
                                       " (" + win32_error_text(code) + ")");
      }
      return service_error(name, what + explain_for(name, code));
    }
    std::this_thread::sleep_for(std::min(
        milliseconds(100), std::chrono::duration_cast<milliseconds>(deadline - Clock::now())));
  }
}

}  // namespace

Result<ServiceState> query_windows_service(const std::string& name) {
  auto service = open_service(name, SERVICE_QUERY_STATUS);
  if (!service) return service.error();
  auto s = query(*service, name);
  if (!s) return s.error();
  return state_from(s->dwCurrentState);
}

Status stop_windows_service(const std::string& name, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto service = open_service(name, SERVICE_STOP | SERVICE_QUERY_STATUS);
  if (!service) return service.error();
  auto s = query(*service, name);
  if (!s) return s.error();
  if (s->dwCurrentState == SERVICE_STOPPED) return Ok{};
  if (s->dwCurrentState != SERVICE_STOP_PENDING) {
    auto sent = send_control(*service, name, SERVICE_CONTROL_STOP, deadline, timeout);
    if (!sent) return sent.error();
  }
  return wait_for(*service, name, SERVICE_STOPPED, deadline, timeout);
}

Status start_windows_service(const std::string& name, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto service = open_service(name, SERVICE_START | SERVICE_QUERY_STATUS | SERVICE_PAUSE_CONTINUE);
  if (!service) return service.error();
  auto s = query(*service, name);
  if (!s) return s.error();
  switch (s->dwCurrentState) {
    case SERVICE_RUNNING:
      return Ok{};
    case SERVICE_START_PENDING:
    case SERVICE_CONTINUE_PENDING:
      return wait_for(*service, name, SERVICE_RUNNING, deadline, timeout);
    case SERVICE_PAUSED:
    case SERVICE_PAUSE_PENDING: {
      auto sent = send_control(*service, name, SERVICE_CONTROL_CONTINUE, deadline, timeout);
      if (!sent) return sent.error();
      return wait_for(*service, name, SERVICE_RUNNING, deadline, timeout);
    }
    case SERVICE_STOP_PENDING: {
      // Someone is stopping it: let that finish, then start it.
      auto stopped = wait_for(*service, name, SERVICE_STOPPED, deadline, timeout);
      if (!stopped) return stopped;
      break;
    }
    default:
      break;
  }
  if (!StartServiceW(service->get(), 0, nullptr)) {
    const DWORD code = GetLastError();
    if (code != ERROR_SERVICE_ALREADY_RUNNING) {
      return service_error(name, "cannot start it: " + explain_for(name, code));
    }
  }
  return wait_for(*service, name, SERVICE_RUNNING, deadline, timeout);
}

}  // namespace rdwarm::host::windows
