// LicensingSnapshot: the licensing state of one session host at one moment, every field with the
// place it came from (DESIGN.md, Host state). Built from RawHostValues by interpret_host_values,
// whatever the platform.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "licensing/crypto/certificate_summary.hpp"
#include "licensing/host/fact.hpp"
#include "licensing/host/raw_host_values.hpp"

namespace rdwarm::host {

// Licensing mode values as the registry stores them (2/4/5:
// reference/windows-rds-licensing.md 1.1).
enum class LicensingMode : std::uint32_t {
  kPerDevice = 2,
  kPerUser = 4,
  kNotConfigured = 5,
};
std::string licensing_mode_name(std::uint32_t registry_value);  // "per-user", "unknown (7)", ...

// Where an effective setting comes from: Group Policy wins over the local (RCM / TermService)
// value.
enum class SettingSource { kPolicy, kLocal, kDefault };
std::string setting_source_name(SettingSource source);  // "policy", "local", "default"

struct EffectiveLicensingMode {
  std::uint32_t value = static_cast<std::uint32_t>(LicensingMode::kNotConfigured);
  SettingSource source = SettingSource::kDefault;
  std::string source_path;  // the registry value or state key that decided
  [[nodiscard]] bool per_user() const {
    return value == static_cast<std::uint32_t>(LicensingMode::kPerUser);
  }
};

struct EffectiveLicenseServers {
  std::vector<std::string> servers;  // empty: none specified (Windows falls back to discovery)
  SettingSource source = SettingSource::kDefault;
  std::string source_path;
};

struct GracePeriod {
  bool timebomb_present = false;  // false: value missing (deleted by a sealing tool?)
  std::optional<SystemTime> end;
  std::optional<std::int64_t> days_left;  // whole days from the snapshot time, 0 when over
  [[nodiscard]] bool over() const { return days_left.has_value() && *days_left <= 0; }
};

struct CertificateChainState {
  bool present = false;                           // either registry value exists
  std::string value_name;                         // "X509 Certificate2" or "X509 Certificate"
  std::string parse_error;                        // empty when the chain decoded
  std::vector<crypto::CertificateSummary> chain;  // root first; last = this session host
  // Convenience views over `chain` (empty when it has fewer than two certificates).
  [[nodiscard]] const crypto::CertificateSummary* leaf() const;
  [[nodiscard]] const crypto::CertificateSummary* license_server() const;
};

struct AdmissionState {
  std::uint32_t drain_mode = 0;            // TSServerDrainMode: 0 allow, 1 until restart, 2 drain
  std::uint32_t winstations_disabled = 0;  // 1 = logons disabled
  [[nodiscard]] bool open() const { return drain_mode == 0 && winstations_disabled == 0; }
};
std::string admission_name(const AdmissionState& admission);  // "open", "draining", "disabled"

// The side-by-side stack's values as read, for `rdwarm image check` to compare (enabled, and named
// by SessionDirectoryListener); LicensingSnapshot::sxs_listener is the interpreted view.
struct SxsListenerValues {
  Fact<std::string> name;
  Fact<std::uint32_t> enabled;
  Fact<std::string> session_directory_listener;
};

struct LicensingSnapshot {
  SystemTime taken_at;
  std::string platform;  // "windows", "lab"

  Fact<bool> rdsh_role;
  Fact<std::string> edition_id;
  EffectiveLicensingMode licensing_mode;
  EffectiveLicenseServers license_servers;
  Fact<GracePeriod> grace;  // value present unless the GracePeriod key could not be read
  CertificateChainState certificate;
  std::string certificate_source;  // where `certificate` was read from
  Fact<bool> nla_required;
  Fact<std::string> sxs_listener;  // listener name when one is found and enabled
  SxsListenerValues sxs_values;
  Fact<AdmissionState> admission;

  // Problems reading the host that do not belong to one field above (e.g. "access denied" on a
  // key).
  std::vector<std::string> problems;
};

// Applies the precedence and parsing rules. `now` decides grace days left.
LicensingSnapshot interpret_host_values(const RawHostValues& raw, SystemTime now,
                                        std::string platform);

// Splits the policy LicenseServers string ("ls1, ls2;ls3") into names, trimmed, empty ones dropped.
std::vector<std::string> split_license_server_list(const std::string& list);

}  // namespace rdwarm::host
