#include "licensing/host/windows/windows_platform.hpp"

#include <chrono>
#include <string>

#include "licensing/host/windows/certificate_watch.hpp"
#include "licensing/host/windows/event_log.hpp"
#include "licensing/host/windows/host_values.hpp"
#include "licensing/host/windows/registry.hpp"
#include "licensing/host/windows/registry_paths.hpp"
#include "licensing/host/windows/service_control.hpp"

namespace rdwarm::host::windows {

namespace {

// TSServerDrainMode values (what `change logon /drain` and /enable leave behind).
constexpr std::uint32_t kDrainOff = 0;
constexpr std::uint32_t kDrain = 2;

class WindowsPlatform final : public HostPlatform {
 public:
  [[nodiscard]] std::string name() const override { return "windows"; }

  Result<LicensingSnapshot> read_snapshot() override {
    return interpret_host_values(read_windows_host_values(), std::chrono::system_clock::now(),
                                 "windows");
  }

  // Closed when either switch keeps users out: drain (1 or 2) or logons disabled.
  Result<Gate> read_gate() override {
    const auto drain = read_dword(reg::kTerminalServerKey, reg::kDrainMode);
    if (drain.unreadable()) return make_error(drain.source, "", drain.problem);
    const auto disabled = read_dword_or_number(reg::kWinlogonKey, reg::kWinStationsDisabled);
    if (disabled.unreadable()) return make_error(disabled.source, "", disabled.problem);
    const bool open = drain.value.value_or(0) == 0 && disabled.value.value_or(0) == 0;
    return open ? Gate::kOpen : Gate::kClosed;
  }

  // The registry value `change logon /drain` persists; WinStationsDisabled stays the operator's.
  Status set_gate(Gate gate) override {
    return write_dword(reg::kTerminalServerKey, reg::kDrainMode,
                       gate == Gate::kClosed ? kDrain : kDrainOff);
  }

  Status arm_certificate_wait() override { return watch_.arm(); }

  Result<WaitResult> wait_for_certificate_change(std::chrono::milliseconds timeout) override {
    return watch_.wait(timeout);
  }

  Status write_event(const HostEvent& event) override { return events_.write(event); }

  Result<ServiceState> query_service(const std::string& name) override {
    return query_windows_service(name);
  }
  Status stop_service(const std::string& name, std::chrono::milliseconds timeout) override {
    return stop_windows_service(name, timeout);
  }
  Status start_service(const std::string& name, std::chrono::milliseconds timeout) override {
    return start_windows_service(name, timeout);
  }

 private:
  CertificateWatch watch_;
  EventLog events_;
};

}  // namespace

std::unique_ptr<HostPlatform> make_windows_platform() {
  return std::make_unique<WindowsPlatform>();
}

}  // namespace rdwarm::host::windows
