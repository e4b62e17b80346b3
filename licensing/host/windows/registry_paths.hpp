// Every registry key and value the Windows backend reads or writes, under HKEY_LOCAL_MACHINE
// (reference: shared/reference/windows-rds-licensing.md, sections 1 and 2;
// docs/windows-platform.md).
#pragma once

#include <string_view>

namespace rdwarm::host::windows::reg {

// Group Policy "Remote Desktop Services > Licensing": LicensingMode (REG_DWORD) and LicenseServers
// (REG_SZ, comma separated). Policy wins over the local settings below.
inline constexpr std::string_view kPolicyKey =
    "SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services";
inline constexpr std::string_view kLicensingMode = "LicensingMode";
inline constexpr std::string_view kPolicyLicenseServers = "LicenseServers";

inline constexpr std::string_view kTerminalServerKey =
    "SYSTEM\\CurrentControlSet\\Control\\Terminal Server";
// 1 = application server mode (the RD Session Host role), 0 = remote administration only; what
// Win32_TerminalServiceSetting.TerminalServerMode reports, as far as public material tells.
inline constexpr std::string_view kTsAppCompat = "TSAppCompat";
// Admission: 0 allow, 1 drain until restart, 2 drain (what `change logon /drain` sets). The gate.
inline constexpr std::string_view kDrainMode = "TSServerDrainMode";

// Remote Connection Manager: the license-server certificate chain and, below it, the grace period.
inline constexpr std::string_view kRcmKey =
    "SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM";
inline constexpr std::string_view kX509Certificate2 = "X509 Certificate2";
inline constexpr std::string_view kX509Certificate = "X509 Certificate";
inline constexpr std::string_view kLicensingCoreKey =
    "SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\Licensing Core";
inline constexpr std::string_view kGracePeriodKey =
    "SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\GracePeriod";
// REG_BINARY, a local-machine DPAPI blob of the FILETIME at which the grace period ends. Read only.
inline constexpr std::string_view kGraceTimebomb =
    "L$RTMTIMEBOMB_1320153D-8DA3-4e8e-B27B-0D888223A588";

inline constexpr std::string_view kWinStationsKey =
    "SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations";
inline constexpr std::string_view kRdpTcpKey =
    "SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp";
inline constexpr std::string_view kUserAuthentication = "UserAuthentication";  // 1 = NLA required
// The AVD side-by-side stack listener: WinStations\rdp-sxs<version>, fEnableWinStation.
inline constexpr std::string_view kSxsListenerPrefix = "rdp-sxs";
inline constexpr std::string_view kEnableWinStation = "fEnableWinStation";
// REG_SZ naming the listener AVD's agent hands connections to; must name the rdp-sxs listener.
inline constexpr std::string_view kClusterSettingsKey =
    "SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\ClusterSettings";
inline constexpr std::string_view kSessionDirectoryListener = "SessionDirectoryListener";

// Local license servers (Server Manager, RDMS, WMI): REG_MULTI_SZ in the LicenseServers subkey;
// some documentation puts the value directly under Parameters, which is read when the subkey has
// none.
inline constexpr std::string_view kLicenseServersKey =
    "SYSTEM\\CurrentControlSet\\Services\\TermService\\Parameters\\LicenseServers";
inline constexpr std::string_view kTermServiceParametersKey =
    "SYSTEM\\CurrentControlSet\\Services\\TermService\\Parameters";
inline constexpr std::string_view kSpecifiedLicenseServers = "SpecifiedLicenseServers";

inline constexpr std::string_view kCurrentVersionKey =
    "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion";
inline constexpr std::string_view kEditionId = "EditionID";
inline constexpr std::string_view kWinlogonKey =
    "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon";
// 1 = logons disabled (`change logon /disable`). Windows keeps it as REG_SZ "0"/"1".
inline constexpr std::string_view kWinStationsDisabled = "WinStationsDisabled";

}  // namespace rdwarm::host::windows::reg
