// HostPlatform: the only door to the machine (DESIGN.md, Host state). One implementation per
// platform, side by side: windows/ (registry, DPAPI, event log) and lab/ (the lab's state file).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "licensing/host/snapshot.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::host {

// The admission gate as the host enforces it. kClosed drains (TSServerDrainMode = 2): new logons
// are refused, reconnections and the warm-up's licensing exchange still work.
enum class Gate { kOpen, kClosed };
std::string gate_name(Gate gate);  // "open", "closed"

enum class EventSeverity { kInformation, kWarning, kError };

struct HostEvent {
  std::uint32_t id = 0;  // documented in docs/events.md
  EventSeverity severity = EventSeverity::kInformation;
  std::string message;
};

enum class WaitResult { kChanged, kTimedOut };

// A service as the service control manager reports it (SERVICE_STATUS.dwCurrentState).
enum class ServiceState {
  kStopped,
  kStartPending,
  kStopPending,
  kRunning,
  kContinuePending,
  kPausePending,
  kPaused,
};
// "stopped", "start-pending", "stop-pending", "running", "continue-pending", "pause-pending",
// "paused"; the lab state file uses "stopped" and "running".
std::string service_state_name(ServiceState state);

class HostPlatform {
 public:
  virtual ~HostPlatform() = default;
  HostPlatform() = default;
  HostPlatform(const HostPlatform&) = delete;
  HostPlatform& operator=(const HostPlatform&) = delete;
  HostPlatform(HostPlatform&&) = delete;
  HostPlatform& operator=(HostPlatform&&) = delete;

  [[nodiscard]] virtual std::string name() const = 0;

  // Reads every fact; problems with single values are in the snapshot, an error here means the
  // host could not be read at all (e.g. the lab state file is missing or not JSON).
  virtual Result<LicensingSnapshot> read_snapshot() = 0;

  // Reads the gate as the host enforces it now.
  virtual Result<Gate> read_gate() = 0;
  virtual Status set_gate(Gate gate) = 0;

  // Blocks until the certificate value changes or `timeout` passes. Call arm_certificate_wait()
  // first, then read the snapshot, then wait: a change between the read and the wait is not lost.
  virtual Status arm_certificate_wait() = 0;
  virtual Result<WaitResult> wait_for_certificate_change(std::chrono::milliseconds timeout) = 0;

  virtual Status write_event(const HostEvent& event) = 0;

  // Service control, for the service gate (warmup/agent/service_gate.hpp). `name` is the
  // service's short name as `sc query` shows it (BrokerAgent), not its display name. A service
  // that does not exist, or that rdwarm may not control, is an error that says so and what to do.
  // Stopping a stopped service and starting a running one succeed at once; otherwise the call
  // waits until the service reaches STOPPED or RUNNING, at most `timeout`. The defaults refuse:
  // a platform without services (a test double) cannot hold any.
  virtual Result<ServiceState> query_service(const std::string& name);
  virtual Status stop_service(const std::string& name, std::chrono::milliseconds timeout);
  virtual Status start_service(const std::string& name, std::chrono::milliseconds timeout);
};

}  // namespace rdwarm::host
