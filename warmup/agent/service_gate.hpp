// The service gate (DESIGN.md, Gates; docs/gates.md): Windows services a broker needs to place
// users on this host, such as the Citrix Desktop Service (BrokerAgent), which registers the VDA
// with its Delivery Controller, are held stopped until the host is ready. Service control goes
// through HostPlatform: the service control manager on Windows, the state file in the lab.
//
//   close  stops each listed service that is not stopped, in the listed order, and remembers
//          which ones it stopped;
//   open   starts every listed service, in reverse order, whether or not close stopped it: the
//          image sets them to Manual start, so at boot they have never run and only the gate
//          starts them (starts_closed()).
//
// A failure with one service does not stop the others; the error names every service that
// failed. Each stop or start may take `timeout`.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "licensing/host/host_platform.hpp"
#include "warmup/agent/gate.hpp"

namespace rdwarm::agent {

class ServiceGate final : public AdmissionGate {
 public:
  ServiceGate(host::HostPlatform& platform, std::vector<std::string> services,
              std::chrono::milliseconds timeout);

  [[nodiscard]] std::string kind() const override { return "service"; }
  Status close() override;
  Status open() override;
  [[nodiscard]] bool starts_closed() const override { return true; }

  // The services the last close() found running (or starting) and stopped.
  [[nodiscard]] const std::vector<std::string>& stopped_by_close() const { return stopped_; }

 private:
  host::HostPlatform& platform_;
  std::vector<std::string> services_;
  std::chrono::milliseconds timeout_;
  std::vector<std::string> stopped_;
};

std::unique_ptr<AdmissionGate> make_service_gate(host::HostPlatform& platform,
                                                 std::vector<std::string> services,
                                                 std::chrono::milliseconds timeout);

}  // namespace rdwarm::agent
