// What a platform backend reads from the machine, before any interpretation: registry values on
// Windows, the lab's state file in the lab. Backends only read; snapshot.cpp turns these into a
// LicensingSnapshot with one set of rules (policy precedence, chain parsing, grace days), so the
// rules are tested once, on Linux, for every backend.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "licensing/host/fact.hpp"

namespace rdwarm::host {

using SystemTime = std::chrono::system_clock::time_point;

struct RawHostValues {
  // RD Session Host role. Windows: RCM TerminalServerMode / the installed role; lab: rdsh_role.
  Fact<bool> rdsh_role;
  // EditionID (e.g. "ServerRdsh" for Windows 10/11 Enterprise multi-session); informative.
  Fact<std::string> edition_id;

  // Licensing mode, REG_DWORD: 2 per device, 4 per user, 5 not configured.
  Fact<std::uint32_t> policy_licensing_mode;  // HKLM\SOFTWARE\Policies\...\Terminal Services
  Fact<std::uint32_t> local_licensing_mode;   // RCM\Licensing Core

  // License servers: policy is one comma-separated REG_SZ, local a REG_MULTI_SZ.
  Fact<std::string> policy_license_servers;
  Fact<std::vector<std::string>> local_license_servers;

  // RCM "X509 Certificate2" (preferred) and "X509 Certificate" (legacy), raw registry bytes.
  Fact<std::vector<std::uint8_t>> x509_certificate2;
  Fact<std::vector<std::uint8_t>> x509_certificate;

  // End of the grace period: the L$RTMTIMEBOMB_... value, already unprotected (DPAPI) by the
  // backend. Absent with no problem means the value does not exist (deleted by a sealing tool, or
  // never created).
  Fact<SystemTime> grace_period_end;

  // WinStations\RDP-Tcp UserAuthentication: 1 = NLA required.
  Fact<std::uint32_t> user_authentication;
  // Side-by-side stack listener (AVD): name of the rdp-sxs listener found, and fEnableWinStation.
  Fact<std::string> sxs_listener_name;
  Fact<std::uint32_t> sxs_listener_enabled;
  // Terminal Server\ClusterSettings\SessionDirectoryListener: the listener AVD hands connections
  // to; it must name the rdp-sxs listener. Both backends read it; a Fact without a source means a
  // platform that does not.
  Fact<std::string> sxs_session_directory_listener;

  // Admission: Terminal Server\TSServerDrainMode (0 allow, 1 drain until restart, 2 drain) and
  // Winlogon\WinStationsDisabled (1 = logons disabled).
  Fact<std::uint32_t> drain_mode;
  Fact<std::uint32_t> winstations_disabled;
};

}  // namespace rdwarm::host
