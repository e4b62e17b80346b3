// The boot agent's configuration, typed. config/rdwarm.toml documents every key with its default;
// default_config() returns the same values (a test loads rdwarm.toml and compares).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace rdwarm::config {

using Duration = std::chrono::milliseconds;

// What the agent does when the warm-up deadline passes without a certificate.
enum class OnDeadline { StayClosed, Open };
// Retry delay randomisation: full jitter spreads a fleet booting together (boot storms).
enum class Jitter { Full, None };
// How users are kept out until the host is ready (DESIGN.md, Gates).
enum class GateKind { Drain, Service, Command, None };
enum class LogLevel { Trace, Debug, Info, Warn, Error };
enum class LogFormat { Text, Json };
// Auto: windows in rdwarm.exe on Windows, lab elsewhere.
enum class PlatformKind { Auto, Windows, Lab };
// Where the NLA password is kept (docs/credentials.md). Auto: dpapi in rdwarm.exe on Windows, file
// elsewhere.
enum class PasswordSource { Auto, Dpapi, File, Env };
// How NLA tokens travel in CredSSP (docs/nla.md): SPNEGO as Windows sends them, or bare NTLM for
// servers built on FreeRDP 2.
enum class NlaTokens { Spnego, Ntlm };

inline constexpr std::array kOnDeadlines{OnDeadline::StayClosed, OnDeadline::Open};
inline constexpr std::array kJitters{Jitter::Full, Jitter::None};
inline constexpr std::array kGateKinds{GateKind::Drain, GateKind::Service, GateKind::Command,
                                       GateKind::None};
inline constexpr std::array kLogLevels{LogLevel::Trace, LogLevel::Debug, LogLevel::Info,
                                       LogLevel::Warn, LogLevel::Error};
inline constexpr std::array kLogFormats{LogFormat::Text, LogFormat::Json};
inline constexpr std::array kPlatformKinds{PlatformKind::Auto, PlatformKind::Windows,
                                           PlatformKind::Lab};
inline constexpr std::array kPasswordSources{PasswordSource::Auto, PasswordSource::Dpapi,
                                             PasswordSource::File, PasswordSource::Env};
inline constexpr std::array kNlaTokens{NlaTokens::Spnego, NlaTokens::Ntlm};

// The spelling used in rdwarm.toml ("stay-closed", "drain", ...).
std::string_view to_string(OnDeadline v);
std::string_view to_string(Jitter v);
std::string_view to_string(GateKind v);
std::string_view to_string(LogLevel v);
std::string_view to_string(LogFormat v);
std::string_view to_string(PlatformKind v);
std::string_view to_string(PasswordSource v);
std::string_view to_string(NlaTokens v);

struct TargetConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3389;
  std::string client_name = "RDWARM";  // also seeds the stable hardware id
  std::string user_name = "rdwarm";
  bool operator==(const TargetConfig&) const = default;
};

struct ProbeConfig {
  Duration connect_timeout = std::chrono::seconds(2);
  Duration phase_timeout = std::chrono::seconds(5);
  Duration attempt_timeout = std::chrono::seconds(20);
  bool operator==(const ProbeConfig&) const = default;
};

struct WarmupConfig {
  Duration deadline = std::chrono::minutes(10);
  OnDeadline on_deadline = OnDeadline::StayClosed;
  bool certificate_wait = true;  // a certificate change ends the wait between attempts early
  bool operator==(const WarmupConfig&) const = default;
};

struct RetryConfig {
  Duration initial_delay = std::chrono::seconds(1);
  Duration max_delay = std::chrono::seconds(30);
  double multiplier = 2.0;
  Jitter jitter = Jitter::Full;
  std::uint32_t max_attempts = 0;  // 0: until the deadline
  bool operator==(const RetryConfig&) const = default;
};

struct GateConfig {
  GateKind kind = GateKind::Drain;
  std::vector<std::string> services;  // Windows service names, for kind = service
  Duration service_timeout = std::chrono::seconds(60);
  std::string close_command;  // for kind = command
  std::string open_command;
  Duration command_timeout = std::chrono::seconds(30);
  std::filesystem::path journal;  // default_config(): default_gate_journal_path()
  bool operator==(const GateConfig&) const = default;
};

struct HealthConfig {
  bool enabled = true;
  std::string listen_host = "127.0.0.1";  // written "host:port" in rdwarm.toml
  std::uint16_t listen_port = 9181;
  bool allow_remote = false;
  bool serve_after_warmup = false;
  bool operator==(const HealthConfig&) const = default;
};

struct StatusConfig {
  std::filesystem::path file;  // default_config(): default_status_path()
  bool operator==(const StatusConfig&) const = default;
};

struct LoggingConfig {
  LogLevel level = LogLevel::Info;
  LogFormat format = LogFormat::Text;
  bool event_log = true;       // Windows only
  std::filesystem::path file;  // empty: standard error only
  bool operator==(const LoggingConfig&) const = default;
};

struct PlatformConfig {
  PlatformKind kind = PlatformKind::Auto;
  std::filesystem::path lab_state_dir;  // default_config(): default_lab_state_dir()
  bool operator==(const PlatformConfig&) const = default;
};

struct ImageConfig {
  std::filesystem::path manifest;  // default_config(): default_manifest_path()
  Duration planned_lifetime = std::chrono::days(30);
  bool operator==(const ImageConfig&) const = default;
};

// The account the probe authenticates with when the session host requires NLA. The password itself
// is never part of the configuration: only where to find it.
struct NlaConfig {
  std::string user;    // empty: no credentials; an NLA-only host stays the NlaRequired verdict
  std::string domain;  // "" (none), "." (a local account of the host), or a domain name
  PasswordSource password_source = PasswordSource::Auto;
  std::filesystem::path password_file;  // default_config(): default_password_file_path()
  std::string password_env = "RDWARM_NLA_PASSWORD";
  NlaTokens tokens = NlaTokens::Spnego;
  bool operator==(const NlaConfig&) const = default;
};

struct AgentConfig {
  TargetConfig target;
  ProbeConfig probe;
  WarmupConfig warmup;
  RetryConfig retry;
  GateConfig gate;
  HealthConfig health;
  StatusConfig status;
  LoggingConfig logging;
  PlatformConfig platform;
  ImageConfig image;
  NlaConfig nla;
  bool operator==(const AgentConfig&) const = default;
};

// The documented defaults, with the per-platform paths filled in (config/default_paths.hpp).
AgentConfig default_config();

// PlatformKind::Auto resolved for this build: Windows in rdwarm.exe, Lab elsewhere.
PlatformKind effective_platform(PlatformKind kind);
// PasswordSource::Auto resolved for this build: Dpapi in rdwarm.exe, File elsewhere.
PasswordSource effective_password_source(PasswordSource source);
// Whether this build can read the source (DPAPI exists only in rdwarm.exe).
bool password_source_available(PasswordSource source);

}  // namespace rdwarm::config
