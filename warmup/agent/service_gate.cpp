#include "warmup/agent/service_gate.hpp"

#include <utility>

namespace rdwarm::agent {

namespace {

// One error for all the services that failed: a single one as the platform said it, several
// joined, so the operator sees every service that needs attention at once.
Status combined(const std::vector<Error>& errors) {
  if (errors.empty()) return Ok{};
  if (errors.size() == 1) return errors.front();
  std::string what;
  for (const auto& e : errors) {
    if (!what.empty()) what += "; and ";
    what += e.message();
  }
  return make_error("gate", "services", what);
}

}  // namespace

ServiceGate::ServiceGate(host::HostPlatform& platform, std::vector<std::string> services,
                         std::chrono::milliseconds timeout)
    : platform_(platform), services_(std::move(services)), timeout_(timeout) {}

Status ServiceGate::close() {
  stopped_.clear();
  std::vector<Error> errors;
  // In the listed order: a service that depends on another is listed (and stopped) first.
  for (const auto& name : services_) {
    auto state = platform_.query_service(name);
    if (!state) {
      errors.push_back(state.error());
      continue;
    }
    if (*state == host::ServiceState::kStopped) continue;
    auto stopped = platform_.stop_service(name, timeout_);
    if (!stopped) {
      errors.push_back(stopped.error());
      continue;
    }
    stopped_.push_back(name);
  }
  return combined(errors);
}

Status ServiceGate::open() {
  std::vector<Error> errors;
  // Reverse order: what others depend on starts first (the service control manager would start
  // a dependency anyway, but an error then names the service that failed).
  for (auto it = services_.rbegin(); it != services_.rend(); ++it) {
    auto started = platform_.start_service(*it, timeout_);
    if (!started) errors.push_back(started.error());
  }
  return combined(errors);
}

std::unique_ptr<AdmissionGate> make_service_gate(host::HostPlatform& platform,
                                                 std::vector<std::string> services,
                                                 std::chrono::milliseconds timeout) {
  return std::make_unique<ServiceGate>(platform, std::move(services), timeout);
}

}  // namespace rdwarm::agent
