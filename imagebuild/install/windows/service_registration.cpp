#include "imagebuild/install/windows/service_registration.hpp"

#include <thread>
#include <utility>
#include <vector>

#include "licensing/host/windows/sc_handle.hpp"
#include "licensing/host/windows/service_control.hpp"
#include "licensing/host/windows/win32_text.hpp"

namespace rdwarm::imagebuild::install::windows {

namespace {

using host::windows::ScHandle;
using host::windows::widen;
using host::windows::win32_error_text;

Error scm_error(const std::string& name, const std::string& what, DWORD code) {
  std::string text = what + ": " + win32_error_text(code);
  if (code == ERROR_ACCESS_DENIED) {
    text += "; run rdwarm image install from an elevated administrator prompt (or as SYSTEM)";
  }
  return make_error("service " + name, "", text);
}

Result<ScHandle> open_manager(const std::string& name) {
  ScHandle m(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE));
  if (!m) return scm_error(name, "cannot open the service control manager", GetLastError());
  return m;
}

// The service, or an empty handle when none has that name.
Result<ScHandle> open_existing(const ScHandle& manager, const std::string& name, DWORD access) {
  const std::wstring wname = widen(name);
  ScHandle s(OpenServiceW(manager.get(), wname.c_str(), access));
  if (!s) {
    const DWORD code = GetLastError();
    if (code == ERROR_SERVICE_DOES_NOT_EXIST) return ScHandle();
    return scm_error(name, "cannot open the service", code);
  }
  return s;
}

// REG_MULTI_SZ text: each entry ends with a NUL, the list with one more.
std::wstring multi_string(const std::string& entry) {
  std::wstring list = widen(entry);
  list.push_back(L'\0');
  list.push_back(L'\0');
  return list;
}

Status configure_extras(const ScHandle& service, const ServiceSpec& spec) {
  std::wstring description = widen(spec.description);
  SERVICE_DESCRIPTIONW d{description.data()};
  if (!ChangeServiceConfig2W(service.get(), SERVICE_CONFIG_DESCRIPTION, &d)) {
    return scm_error(spec.name, "cannot set the description", GetLastError());
  }

  std::vector<SC_ACTION> actions;
  for (const auto delay : spec.recovery.restart_delays) {
    actions.push_back({SC_ACTION_RESTART, static_cast<DWORD>(delay.count())});
  }
  SERVICE_FAILURE_ACTIONSW failure{};
  failure.dwResetPeriod = static_cast<DWORD>(spec.recovery.reset_period.count());
  failure.cActions = static_cast<DWORD>(actions.size());
  failure.lpsaActions = actions.data();
  if (!ChangeServiceConfig2W(service.get(), SERVICE_CONFIG_FAILURE_ACTIONS, &failure)) {
    return scm_error(spec.name, "cannot set the recovery actions", GetLastError());
  }

  // An admin may have made the start delayed (about 2 minutes after the other automatic
  // services): the gate would then close after brokers have sent users. Only changed when set, so
  // a service control manager that cannot read the setting (wine) is left alone.
  SERVICE_DELAYED_AUTO_START_INFO delayed{};
  DWORD needed = 0;
  if (QueryServiceConfig2W(service.get(), SERVICE_CONFIG_DELAYED_AUTO_START_INFO,
                           reinterpret_cast<BYTE*>(&delayed),  // NOLINT: the API's buffer type
                           sizeof delayed, &needed) &&
      delayed.fDelayedAutostart) {
    delayed.fDelayedAutostart = FALSE;
    if (!ChangeServiceConfig2W(service.get(), SERVICE_CONFIG_DELAYED_AUTO_START_INFO, &delayed)) {
      return scm_error(spec.name, "cannot turn off the delayed start", GetLastError());
    }
  }
  return Ok{};
}

}  // namespace

Result<Change> ensure_service(const ServiceSpec& spec) {
  auto manager = open_manager(spec.name);
  if (!manager) return manager.error();
  auto existing = open_existing(*manager, spec.name, SERVICE_CHANGE_CONFIG | SERVICE_QUERY_CONFIG);
  if (!existing) return existing.error();

  const std::wstring name = widen(spec.name);
  const std::wstring display = widen(spec.display_name);
  const std::wstring image = widen(spec.command_line);
  const std::wstring dependencies = multi_string(spec.dependency);
  Change change = Change::kUpdated;
  ScHandle service;
  if (*existing) {
    // nullptr account and password: LocalSystem stays (a service created by install has it).
    if (!ChangeServiceConfigW(existing->get(), SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                              SERVICE_ERROR_NORMAL, image.c_str(), nullptr, nullptr,
                              dependencies.c_str(), nullptr, nullptr, display.c_str())) {
      return scm_error(spec.name, "cannot update the service", GetLastError());
    }
    service = std::move(*existing);
  } else {
    service = ScHandle(CreateServiceW(
        manager->get(), name.c_str(), display.c_str(), SERVICE_CHANGE_CONFIG | SERVICE_QUERY_CONFIG,
        SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_ERROR_NORMAL, image.c_str(), nullptr,
        nullptr, dependencies.c_str(), nullptr, nullptr));
    if (!service) return scm_error(spec.name, "cannot create the service", GetLastError());
    change = Change::kCreated;
  }
  if (auto e = configure_extras(service, spec); !e) return e.error();
  return change;
}

Result<bool> service_registered(const std::string& name) {
  ScHandle m(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
  if (!m) return scm_error(name, "cannot open the service control manager", GetLastError());
  auto s = open_existing(m, name, SERVICE_QUERY_STATUS);
  if (!s) return s.error();
  return static_cast<bool>(*s);
}

Result<Change> remove_service(const std::string& name, std::chrono::milliseconds stop_timeout) {
  auto manager = open_manager(name);
  if (!manager) return manager.error();
  {
    auto existing = open_existing(*manager, name, SERVICE_QUERY_STATUS);
    if (!existing) return existing.error();
    if (!*existing) return Change::kAbsent;
  }
  // Stopped first: a running service marked for deletion lingers until it stops.
  if (auto stopped = host::windows::stop_windows_service(name, stop_timeout); !stopped) {
    return stopped.error();
  }
  {
    auto service = open_existing(*manager, name, DELETE);
    if (!service) return service.error();
    if (!*service) return Change::kRemoved;  // someone else deleted it meanwhile
    if (!DeleteService(service->get()) && GetLastError() != ERROR_SERVICE_MARKED_FOR_DELETE) {
      return scm_error(name, "cannot delete the service", GetLastError());
    }
  }
  // The entry goes when the last handle to it is closed; another program (services.msc) may
  // hold one. Bounded wait, then a clear message.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < until) {
    auto gone = open_existing(*manager, name, SERVICE_QUERY_STATUS);
    if (!gone) return gone.error();
    if (!*gone) return Change::kRemoved;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return make_error("service " + name, "",
                    "is marked for deletion but still registered after 10 s: a program holds it "
                    "open (close the Services console or Event Viewer); it goes when that program "
                    "lets go or at the next restart");
}

}  // namespace rdwarm::imagebuild::install::windows
