// Admission gates (DESIGN.md, Gates): what keeps users away from a host that is not ready.
//   drain    the host's own drain mode (TSServerDrainMode), through HostPlatform
//   command  operator commands that close and open the gate (e.g. a broker's PowerShell cmdlet)
//   none     report only
// The service gate (hold broker agent services stopped) is Windows-only: service_gate.hpp.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "licensing/host/host_platform.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::agent {

class AdmissionGate {
 public:
  virtual ~AdmissionGate() = default;
  AdmissionGate() = default;
  AdmissionGate(const AdmissionGate&) = delete;
  AdmissionGate& operator=(const AdmissionGate&) = delete;
  AdmissionGate(AdmissionGate&&) = delete;
  AdmissionGate& operator=(AdmissionGate&&) = delete;

  [[nodiscard]] virtual std::string kind() const = 0;
  virtual Status close() = 0;
  virtual Status open() = 0;
};

std::unique_ptr<AdmissionGate> make_none_gate();
std::unique_ptr<AdmissionGate> make_drain_gate(host::HostPlatform& platform);
// Runs each command through the shell (/bin/sh -c, or cmd.exe /c on Windows); a non-zero exit or
// running past `timeout` (the command is then killed) is an error that quotes the command.
std::unique_ptr<AdmissionGate> make_command_gate(std::string close_command,
                                                 std::string open_command,
                                                 std::chrono::milliseconds timeout);

}  // namespace rdwarm::agent
