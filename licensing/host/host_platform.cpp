#include "licensing/host/host_platform.hpp"

namespace rdwarm::host {

std::string gate_name(Gate gate) {
  return gate == Gate::kOpen ? "open" : "closed";
}

std::string service_state_name(ServiceState state) {
  switch (state) {
    case ServiceState::kStopped:
      return "stopped";
    case ServiceState::kStartPending:
      return "start-pending";
    case ServiceState::kStopPending:
      return "stop-pending";
    case ServiceState::kRunning:
      return "running";
    case ServiceState::kContinuePending:
      return "continue-pending";
    case ServiceState::kPausePending:
      return "pause-pending";
    case ServiceState::kPaused:
      return "paused";
  }
  return "unknown";
}

namespace {

Error no_service_control(const HostPlatform& platform, const std::string& name) {
  return make_error("service " + name, "",
                    "the " + platform.name() +
                        " platform cannot control services; use the service gate with "
                        "--platform windows or lab");
}

}  // namespace

Result<ServiceState> HostPlatform::query_service(const std::string& name) {
  return no_service_control(*this, name);
}

Status HostPlatform::stop_service(const std::string& name, std::chrono::milliseconds) {
  return no_service_control(*this, name);
}

Status HostPlatform::start_service(const std::string& name, std::chrono::milliseconds) {
  return no_service_control(*this, name);
}

}  // namespace rdwarm::host
