// A lab scenario: the session host's licensing state at start, its license server, session
// timings and injected faults, read from a TOML file (lab/scenarios/*.toml documents every key).
// The files in lab/scenarios are built into rdwarm-lab; --scenario also takes a path.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lab/license_server/license_server.hpp"
#include "licensing/auth/ntlm/account.hpp"
#include "licensing/wire/result.hpp"

namespace rdwarm::lab {

// LicensingMode values as the registry holds them (2 per device, 4 per user, 5 not configured).
enum class LicensingMode : std::uint32_t { PerDevice = 2, PerUser = 4, NotConfigured = 5 };
std::string_view licensing_mode_name(LicensingMode mode);  // "per-device", "per-user", ...

// Where the licensing mode is configured: group policy (wins) or the local RCM setting.
enum class ModeSource { Policy, Local };

struct HostScenario {
  std::string name = "LAB-SH01";
  bool rdsh_role = true;  // false: a "personal terminal server" that never licenses
  std::string edition_id = "ServerDatacenter";
  LicensingMode licensing_mode = LicensingMode::PerUser;
  ModeSource mode_source = ModeSource::Policy;
  std::vector<std::string> license_servers{"LAB-LS"};
  // Grace period left when the lab starts; negative: it ended that long ago; nullopt: the
  // timebomb value does not exist (deleted by a sealing tool).
  std::optional<std::chrono::milliseconds> grace_left = -std::chrono::hours(24);
  bool certificate = false;  // the host already holds a license-server-issued X.509 chain
  // Network Level Authentication: CredSSP with the account of [nla] before MCS; a client that
  // offers only TLS gets HYBRID_REQUIRED_BY_SERVER.
  bool nla_required = false;
  // Windows sends the licensing error alert, then Set Error Info. FreeRDP 2 stops reading at the
  // alert and never sees the error info; true sends Set Error Info first, so it does.
  bool error_info_before_alert = false;
  // Admission values, used only when the lab creates the state file; afterwards they belong to
  // whoever closes the gate (the agent), and the lab keeps what the file says.
  std::uint32_t drain_mode = 0;
  std::uint32_t winstations_disabled = 0;
  // Windows services the host has (e.g. "BrokerAgent", for the service gate), running when the
  // lab creates the state file; afterwards their state belongs to whoever controls them.
  std::vector<std::string> services;
};

struct SessionScenario {
  // A client that sends nothing for this long in one phase of the connection is dropped.
  std::chrono::milliseconds phase_timeout{20000};
  // An active session is logged off after this (Set Error Info + disconnect).
  std::chrono::milliseconds hold{5000};
  std::size_t max_connections = 4096;  // more are accepted and closed at once
};

// The lab's NLA account when none is configured. Lab scenarios are test data: their passwords are
// plain text on purpose, and this one says what it is.
inline constexpr std::string_view kDefaultNlaUser = "probe";
inline constexpr std::string_view kDefaultNlaDomain = "LAB";
inline constexpr std::string_view kDefaultNlaPassword = "lab-only-Passw0rd";

// [nla]: the one account an NLA host knows (NTLM, checked by rdwarm's acceptor) and what it tells
// a client that authenticated.
struct NlaScenario {
  auth::ntlm::Account account = auth::ntlm::Account::with_password(
      std::string(kDefaultNlaUser), std::string(kDefaultNlaDomain),
      auth::Secret(std::string(kDefaultNlaPassword)));
  std::string credential = "password";  // which key set the account: "password" or "nt_hash"
  // The account may log on through Remote Desktop Services. false: AUTHZ_ACCESS_DENIED in the
  // Early User Authorization Result (HYBRID_EX); with HYBRID, licensing runs and the logon is
  // refused afterwards (Set Error Info 0x9).
  bool remote_desktop_right = true;
  std::uint32_t credssp_version = 6;       // the highest the host speaks, 2..6
  std::string computer_name = "LAB-SH01";  // not a key: [host] name, the NTLM target name
};

enum class FaultKind { None, ResetAfterLicenseRequest, Stall, Malformed };
std::string_view fault_kind_name(FaultKind kind);

// Where a stalled connection stops answering; the name is what the scenario file says.
enum class StallPoint {
  X224,               // no Connection Confirm
  Tls,                // Connection Confirm, then no TLS handshake
  Mcs,                // no MCS Connect-Response
  Channels,           // no Attach User Confirm
  Licensing,          // Client Info received, no License Request
  PlatformChallenge,  // New License Request received, no Platform Challenge
  LicenseVerdict,     // Challenge Response received, no verdict
  DemandActive,       // licensed, no Demand Active
  Nla,                // NLA: TLS up, no answer to the client's first TSRequest (listed last so
                      // the values of the others stay as they were)
};
std::string_view stall_point_name(StallPoint point);

// Which PDU a malformed-PDU fault breaks.
enum class MalformedPdu {
  ConnectResponse,    // MCS Connect-Response that is not BER
  LicenseRequest,     // License Request cut short inside the product info
  PlatformChallenge,  // Platform Challenge with a MAC that does not verify
};
std::string_view malformed_pdu_name(MalformedPdu pdu);

struct FaultScenario {
  FaultKind kind = FaultKind::None;
  StallPoint stall = StallPoint::Licensing;
  MalformedPdu malformed = MalformedPdu::LicenseRequest;
  std::uint64_t first_connections = 0;  // only the first N connections; 0: every connection

  [[nodiscard]] bool hits(std::uint64_t connection_number) const {  // numbered from 1
    return kind != FaultKind::None &&
           (first_connections == 0 || connection_number <= first_connections);
  }
};

struct Scenario {
  std::string name;
  std::string description;  // one line, for --list-scenarios
  std::string expect;       // what a probe sees, for --help and the tests' reader
  std::string source;       // the file it came from, or "built-in:<name>"
  std::string text;         // the TOML text it was read from
  HostScenario host;
  LicenseServerConfig license_server;
  // Other session hosts that ask the license server for certificates when the lab starts (boot
  // storm): this host's request queues behind theirs.
  std::uint32_t competing_hosts = 0;
  SessionScenario session;
  FaultScenario fault;
  NlaScenario nla;  // used when host.nla_required
};

// Parses a scenario. `source` names the file in errors ("first-boot.toml:12"); every unknown key is
// an error, so a typo cannot silently change a scenario.
Result<Scenario> parse_scenario(std::string_view toml_text, std::string_view source,
                                std::string name);
Result<Scenario> load_scenario_file(const std::filesystem::path& file);

// A scenario by name or path: a value containing '/' or ending in ".toml" is a file; otherwise
// the name is looked up in `directory` when given, else among the built-in scenarios.
Result<Scenario> find_scenario(std::string_view name_or_path,
                               const std::optional<std::filesystem::path>& directory);

// Every scenario in `directory`, or the built-in ones, sorted by name.
Result<std::vector<Scenario>> list_scenarios(const std::optional<std::filesystem::path>& directory);

}  // namespace rdwarm::lab
