// Admission gates (DESIGN.md, Gates; docs/gates.md): what keeps users away from a host that is not
// ready.
//   drain    the host's own drain mode (TSServerDrainMode), through HostPlatform
//   service  broker agent services (Citrix BrokerAgent) held stopped: service_gate.hpp
//   command  operator commands that close and open the gate (e.g. a broker's PowerShell cmdlet)
//   none     report only
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
  // True when the host comes up with this gate closed and only open() lets users in: services
  // set to Manual start do not run until the gate starts them. The agent then opens it on every
  // path that admits users, even when it never closed it (not applicable, deadline with
  // on_deadline = "open").
  [[nodiscard]] virtual bool starts_closed() const { return false; }
  // False for `none`: closing and opening change nothing for users, so the agent does not speak
  // of a closed gate (image prewarm runs with it).
  [[nodiscard]] virtual bool holds_users() const { return true; }
};

std::unique_ptr<AdmissionGate> make_none_gate();
std::unique_ptr<AdmissionGate> make_drain_gate(host::HostPlatform& platform);
// Runs each command through the shell (/bin/sh -c, or cmd.exe /c on Windows); a non-zero exit or
// running past `timeout` (the command is then killed) is an error that quotes the command.
std::unique_ptr<AdmissionGate> make_command_gate(std::string close_command,
                                                 std::string open_command,
                                                 std::chrono::milliseconds timeout);

}  // namespace rdwarm::agent
