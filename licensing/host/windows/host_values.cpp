#include "licensing/host/windows/host_values.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "licensing/host/windows/grace_period.hpp"
#include "licensing/host/windows/registry.hpp"
#include "licensing/host/windows/registry_paths.hpp"

namespace rdwarm::host::windows {

namespace {

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

// Local license servers: the LicenseServers subkey first, then Parameters itself.
Fact<std::vector<std::string>> read_local_license_servers() {
  auto in_subkey = read_multi_string(reg::kLicenseServersKey, reg::kSpecifiedLicenseServers);
  if (in_subkey.has_value() || in_subkey.unreadable()) return in_subkey;
  auto in_parameters =
      read_multi_string(reg::kTermServiceParametersKey, reg::kSpecifiedLicenseServers);
  if (in_parameters.has_value() || in_parameters.unreadable()) return in_parameters;
  return in_subkey;  // absent: name the documented place
}

// The side-by-side stack listener: WinStations\rdp-sxs*. AVD adds a new one per stack version
// and enables the current one, so an enabled listener wins, then the highest (newest) name.
void read_sxs_listener(RawHostValues& raw) {
  const auto wildcard =
      hklm_source(reg::kWinStationsKey, std::string(reg::kSxsListenerPrefix) + "*");
  auto names = subkey_names(reg::kWinStationsKey);
  if (!names.ok()) {
    raw.sxs_listener_name = Fact<std::string>::failed(wildcard, names.error().what);
    raw.sxs_listener_enabled = Fact<std::uint32_t>::absent(wildcard);
    return;
  }
  std::vector<std::string> listeners;
  for (const auto& n : *names) {
    if (starts_with_ignoring_case(n, reg::kSxsListenerPrefix)) listeners.push_back(n);
  }
  std::sort(listeners.begin(), listeners.end());
  raw.sxs_listener_name = Fact<std::string>::absent(wildcard);
  raw.sxs_listener_enabled = Fact<std::uint32_t>::absent(wildcard);
  for (auto it = listeners.rbegin(); it != listeners.rend(); ++it) {
    const auto key = std::string(reg::kWinStationsKey) + "\\" + *it;
    auto enabled = read_dword(key, reg::kEnableWinStation);
    const bool on = enabled.has_value() && *enabled.value != 0;
    if (on || !raw.sxs_listener_name.has_value()) {
      raw.sxs_listener_name = Fact<std::string>::found(*it, hklm_source(reg::kWinStationsKey, *it));
      raw.sxs_listener_enabled = enabled;
    }
    if (on) break;
  }
  raw.sxs_session_directory_listener =
      read_string(reg::kClusterSettingsKey, reg::kSessionDirectoryListener);
}

}  // namespace

RawHostValues read_windows_host_values() {
  RawHostValues raw;
  auto role = read_dword(reg::kTerminalServerKey, reg::kTsAppCompat);
  raw.rdsh_role = role.has_value() ? Fact<bool>::found(*role.value == 1, role.source)
                                   : Fact<bool>{std::nullopt, role.source, role.problem};
  raw.edition_id = read_string(reg::kCurrentVersionKey, reg::kEditionId);

  raw.policy_licensing_mode = read_dword(reg::kPolicyKey, reg::kLicensingMode);
  raw.local_licensing_mode = read_dword(reg::kLicensingCoreKey, reg::kLicensingMode);
  raw.policy_license_servers = read_string(reg::kPolicyKey, reg::kPolicyLicenseServers);
  raw.local_license_servers = read_local_license_servers();

  raw.x509_certificate2 = read_binary(reg::kRcmKey, reg::kX509Certificate2);
  raw.x509_certificate = read_binary(reg::kRcmKey, reg::kX509Certificate);
  raw.grace_period_end = read_grace_period_end();

  raw.user_authentication = read_dword(reg::kRdpTcpKey, reg::kUserAuthentication);
  read_sxs_listener(raw);

  raw.drain_mode = read_dword(reg::kTerminalServerKey, reg::kDrainMode);
  raw.winstations_disabled = read_dword_or_number(reg::kWinlogonKey, reg::kWinStationsDisabled);
  return raw;
}

}  // namespace rdwarm::host::windows
