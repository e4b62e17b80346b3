// Every test of the Windows backend starts from a registry without any value the backend reads
// (whatever an earlier run or wine itself left) and gets the registry back as it was afterwards.
// Paths are written out here, independently of licensing/host/windows/registry_paths.hpp, so a
// typo there fails a test.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "tests/windows/registry_sandbox.hpp"

namespace rdwarm::test::windows {

inline const std::string kPolicy = "SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services";
inline const std::string kTerminalServer = "SYSTEM\\CurrentControlSet\\Control\\Terminal Server";
inline const std::string kRcm = kTerminalServer + "\\RCM";
inline const std::string kLicensingCore = kRcm + "\\Licensing Core";
inline const std::string kGracePeriod = kRcm + "\\GracePeriod";
inline const std::string kTimebomb = "L$RTMTIMEBOMB_1320153D-8DA3-4e8e-B27B-0D888223A588";
inline const std::string kWinStations = kTerminalServer + "\\WinStations";
inline const std::string kRdpTcp = kWinStations + "\\RDP-Tcp";
inline const std::string kClusterSettings = kTerminalServer + "\\ClusterSettings";
inline const std::string kParameters =
    "SYSTEM\\CurrentControlSet\\Services\\TermService\\Parameters";
inline const std::string kLicenseServers = kParameters + "\\LicenseServers";
inline const std::string kCurrentVersion = "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion";
inline const std::string kWinlogon = kCurrentVersion + "\\Winlogon";

// The tests rewrite HKLM's Remote Desktop values (and restore them). Under wine that is a
// throw-away prefix in the build directory; on a real Windows machine it would disturb Remote
// Desktop Services while they run, so there they run only on request.
inline bool registry_is_disposable() {
  const HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  if (ntdll != nullptr && GetProcAddress(ntdll, "wine_get_version") != nullptr) return true;
  const char* asked = std::getenv("RDWARM_WINDOWS_TESTS_ON_THIS_HOST");
  return asked != nullptr && std::string(asked) == "1";
}

#define RDWARM_SKIP_UNLESS_REGISTRY_IS_DISPOSABLE()                                      \
  if (!registry_is_disposable())                                                         \
  GTEST_SKIP() << "not under wine: these tests rewrite HKLM Remote Desktop values; set " \
                  "RDWARM_WINDOWS_TESTS_ON_THIS_HOST=1 to run them on a disposable Windows VM"

class WindowsRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RDWARM_SKIP_UNLESS_REGISTRY_IS_DISPOSABLE();
    reg.remove_value(kPolicy, "LicensingMode");
    reg.remove_value(kPolicy, "LicenseServers");
    reg.remove_value(kLicensingCore, "LicensingMode");
    reg.remove_value(kLicenseServers, "SpecifiedLicenseServers");
    reg.remove_value(kParameters, "SpecifiedLicenseServers");
    reg.remove_value(kTerminalServer, "TSAppCompat");
    reg.remove_value(kTerminalServer, "TSServerDrainMode");
    reg.remove_value(kCurrentVersion, "EditionID");
    reg.remove_value(kWinlogon, "WinStationsDisabled");
    reg.remove_value(kRcm, "X509 Certificate2");
    reg.remove_value(kRcm, "X509 Certificate");
    reg.remove_value(kGracePeriod, kTimebomb);
    reg.remove_value(kRdpTcp, "UserAuthentication");
    reg.remove_key(kWinStations);
    reg.remove_value(kClusterSettings, "SessionDirectoryListener");
  }

  RegistrySandbox reg;
};

}  // namespace rdwarm::test::windows
