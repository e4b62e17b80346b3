// The Windows backend reads what was seeded into the real registry with the Win32 API.
#include "licensing/host/windows/host_values.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "licensing/crypto/registry_chain.hpp"
#include "licensing/host/windows/grace_period.hpp"
#include "licensing/host/windows/windows_platform.hpp"
#include "tests/support/test_chain.hpp"
#include "tests/windows/windows_fixture.hpp"

namespace rdwarm::test::windows {
namespace {

using host::windows::filetime_from_system_time;
using host::windows::read_windows_host_values;
using namespace std::chrono_literals;

std::vector<std::uint8_t> filetime_bytes(host::SystemTime t) {
  const std::uint64_t ft = filetime_from_system_time(t);
  std::vector<std::uint8_t> bytes(8);
  std::memcpy(bytes.data(), &ft, 8);
  return bytes;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

using HostValues = WindowsRegistryTest;

TEST_F(HostValues, ReadsEverySeededValueWithItsRegistryPath) {
  const auto chain = make_chain("LS01.contoso.test", "SH01.contoso.test", 60);
  // Whole 100 ns ticks, as a FILETIME holds them.
  const auto grace_end = std::chrono::time_point_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now() + 24h * 30) +
                         1234567ns / 100 * 100;

  reg.set_dword(kPolicy, "LicensingMode", 4);
  reg.set_string(kPolicy, "LicenseServers", "ls1.contoso.test, ls2.contoso.test");
  reg.set_dword(kLicensingCore, "LicensingMode", 2);
  reg.set_multi_string(kLicenseServers, "SpecifiedLicenseServers", {"ls3.contoso.test", "ls4"});
  reg.set_dword(kTerminalServer, "TSAppCompat", 1);
  reg.set_string(kCurrentVersion, "EditionID", "ServerDatacenter");
  reg.set_binary(kRcm, "X509 Certificate2", crypto::encode_registry_certificate_chain(chain));
  reg.set_binary(kGracePeriod, kTimebomb, protect_machine(filetime_bytes(grace_end)));
  reg.set_dword(kRdpTcp, "UserAuthentication", 1);
  reg.set_dword(kWinStations + "\\rdp-sxs240101", "fEnableWinStation", 0);
  reg.set_dword(kWinStations + "\\rdp-sxs250315", "fEnableWinStation", 1);
  reg.set_string(kClusterSettings, "SessionDirectoryListener", "rdp-sxs250315");
  reg.set_dword(kTerminalServer, "TSServerDrainMode", 2);
  reg.set_string(kWinlogon, "WinStationsDisabled", "1");

  const auto raw = read_windows_host_values();
  EXPECT_EQ(raw.policy_licensing_mode.value, 4u);
  EXPECT_EQ(raw.policy_licensing_mode.source,
            "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services\\LicensingMode");
  EXPECT_EQ(raw.local_licensing_mode.value, 2u);
  EXPECT_EQ(raw.local_licensing_mode.source,
            "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\Licensing "
            "Core\\LicensingMode");
  EXPECT_EQ(raw.policy_license_servers.value, "ls1.contoso.test, ls2.contoso.test");
  EXPECT_EQ(raw.local_license_servers.value, (std::vector<std::string>{"ls3.contoso.test", "ls4"}));
  EXPECT_EQ(raw.local_license_servers.source,
            "HKLM\\SYSTEM\\CurrentControlSet\\Services\\TermService\\Parameters\\LicenseServers\\"
            "SpecifiedLicenseServers");
  EXPECT_EQ(raw.rdsh_role.value, true);
  EXPECT_EQ(raw.rdsh_role.source,
            "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\TSAppCompat");
  EXPECT_EQ(raw.edition_id.value, "ServerDatacenter");
  ASSERT_TRUE(raw.x509_certificate2.has_value()) << raw.x509_certificate2.problem;
  EXPECT_EQ(*raw.x509_certificate2.value, crypto::encode_registry_certificate_chain(chain));
  EXPECT_EQ(raw.x509_certificate2.source,
            "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\X509 Certificate2");
  EXPECT_FALSE(raw.x509_certificate.has_value());
  ASSERT_TRUE(raw.grace_period_end.has_value()) << raw.grace_period_end.problem;
  EXPECT_EQ(*raw.grace_period_end.value, grace_end);
  EXPECT_EQ(raw.grace_period_end.source,
            "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal "
            "Server\\RCM\\GracePeriod\\L$RTMTIMEBOMB_1320153D-8DA3-4e8e-B27B-0D888223A588");
  EXPECT_EQ(raw.user_authentication.value, 1u);
  // The enabled listener wins over an older, disabled one.
  EXPECT_EQ(raw.sxs_listener_name.value, "rdp-sxs250315");
  EXPECT_EQ(raw.sxs_listener_enabled.value, 1u);
  EXPECT_EQ(raw.sxs_listener_enabled.source,
            "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal "
            "Server\\WinStations\\rdp-sxs250315\\fEnableWinStation");
  EXPECT_EQ(raw.sxs_session_directory_listener.value, "rdp-sxs250315");
  EXPECT_EQ(raw.sxs_session_directory_listener.source,
            "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal "
            "Server\\ClusterSettings\\SessionDirectoryListener");
  EXPECT_EQ(raw.drain_mode.value, 2u);
  EXPECT_EQ(raw.winstations_disabled.value, 1u);
  EXPECT_EQ(raw.winstations_disabled.source,
            "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\\WinStationsDisabled");

  // The same through the platform: policy wins, the chain parses, grace days are counted.
  const auto platform = host::windows::make_windows_platform();
  EXPECT_EQ(platform->name(), "windows");
  auto snap = platform->read_snapshot();
  ASSERT_TRUE(snap.ok()) << snap.error().message();
  EXPECT_EQ(snap->platform, "windows");
  EXPECT_TRUE(snap->problems.empty()) << snap->problems.front();
  EXPECT_TRUE(snap->licensing_mode.per_user());
  EXPECT_EQ(snap->licensing_mode.source, host::SettingSource::kPolicy);
  EXPECT_EQ(snap->license_servers.servers,
            (std::vector<std::string>{"ls1.contoso.test", "ls2.contoso.test"}));
  EXPECT_EQ(snap->license_servers.source, host::SettingSource::kPolicy);
  ASSERT_TRUE(snap->grace.has_value());
  EXPECT_TRUE(snap->grace.value->timebomb_present);
  EXPECT_EQ(snap->grace.value->days_left, 30);
  EXPECT_TRUE(snap->certificate.present);
  EXPECT_TRUE(snap->certificate.parse_error.empty()) << snap->certificate.parse_error;
  ASSERT_EQ(snap->certificate.chain.size(), 2u);
  EXPECT_TRUE(contains(snap->certificate.leaf()->subject, "SH01.contoso.test"));
  EXPECT_TRUE(contains(snap->certificate.license_server()->subject, "LS01.contoso.test"));
  EXPECT_EQ(snap->nla_required.value, true);
  EXPECT_EQ(snap->sxs_listener.value, "rdp-sxs250315");
  ASSERT_TRUE(snap->admission.has_value());
  EXPECT_EQ(host::admission_name(*snap->admission.value), "disabled");
}

TEST_F(HostValues, LocalSettingsApplyWhenNoPolicyIsSet) {
  reg.set_dword(kLicensingCore, "LicensingMode", 2);
  // No LicenseServers subkey value: the value directly under Parameters is read.
  reg.set_multi_string(kParameters, "SpecifiedLicenseServers", {"ls9.contoso.test"});
  reg.set_binary(kRcm, "X509 Certificate",
                 crypto::encode_registry_certificate_chain(make_chain("LS", "SH", 10)));

  const auto raw = read_windows_host_values();
  EXPECT_FALSE(raw.policy_licensing_mode.has_value());
  EXPECT_FALSE(raw.policy_licensing_mode.unreadable());
  EXPECT_EQ(raw.local_license_servers.source,
            "HKLM\\SYSTEM\\CurrentControlSet\\Services\\TermService\\Parameters\\"
            "SpecifiedLicenseServers");

  auto snap = host::windows::make_windows_platform()->read_snapshot();
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->licensing_mode.value, 2u);
  EXPECT_EQ(snap->licensing_mode.source, host::SettingSource::kLocal);
  EXPECT_EQ(snap->license_servers.servers, std::vector<std::string>{"ls9.contoso.test"});
  EXPECT_EQ(snap->license_servers.source, host::SettingSource::kLocal);
  // The legacy value is used when "X509 Certificate2" is missing.
  EXPECT_EQ(snap->certificate.value_name, "X509 Certificate");
  EXPECT_EQ(snap->certificate.chain.size(), 2u);
}

TEST_F(HostValues, PolicyBeatsLocalEvenWhenItSaysPerDevice) {
  reg.set_dword(kPolicy, "LicensingMode", 2);
  reg.set_dword(kLicensingCore, "LicensingMode", 4);
  auto snap = host::windows::make_windows_platform()->read_snapshot();
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->licensing_mode.value, 2u);
  EXPECT_EQ(snap->licensing_mode.source, host::SettingSource::kPolicy);
  EXPECT_FALSE(snap->licensing_mode.per_user());
}

TEST_F(HostValues, MissingValuesAreAbsentWithoutProblems) {
  const auto raw = read_windows_host_values();
  for (const auto* fact :
       {&raw.policy_licensing_mode, &raw.local_licensing_mode, &raw.user_authentication,
        &raw.drain_mode, &raw.winstations_disabled, &raw.sxs_listener_enabled}) {
    EXPECT_FALSE(fact->has_value()) << fact->source;
    EXPECT_FALSE(fact->unreadable()) << fact->source << ": " << fact->problem;
    EXPECT_EQ(fact->source.rfind("HKLM\\", 0), 0u) << fact->source;
  }
  EXPECT_FALSE(raw.rdsh_role.has_value());
  EXPECT_FALSE(raw.x509_certificate2.has_value());
  EXPECT_FALSE(raw.x509_certificate2.unreadable());
  EXPECT_FALSE(raw.grace_period_end.has_value());
  EXPECT_FALSE(raw.grace_period_end.unreadable()) << raw.grace_period_end.problem;
  EXPECT_FALSE(raw.sxs_session_directory_listener.has_value());
  EXPECT_FALSE(raw.sxs_session_directory_listener.unreadable());
  EXPECT_FALSE(raw.sxs_listener_name.has_value());
  EXPECT_EQ(raw.sxs_listener_name.source,
            "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\rdp-sxs*");
  EXPECT_FALSE(raw.local_license_servers.has_value());
  EXPECT_FALSE(raw.local_license_servers.unreadable());

  auto snap = host::windows::make_windows_platform()->read_snapshot();
  ASSERT_TRUE(snap.ok());
  EXPECT_TRUE(snap->problems.empty()) << snap->problems.front();
  EXPECT_FALSE(snap->certificate.present);
  ASSERT_TRUE(snap->grace.has_value());
  EXPECT_FALSE(snap->grace.value->timebomb_present);
  EXPECT_EQ(snap->licensing_mode.source, host::SettingSource::kDefault);
}

TEST_F(HostValues, WrongTypesAreProblemsThatNameTheValueAndTheFix) {
  reg.set_string(kPolicy, "LicensingMode", "4");  // REG_SZ where Windows keeps a REG_DWORD
  reg.set_dword(kLicenseServers, "SpecifiedLicenseServers", 7);
  reg.set_string(kRcm, "X509 Certificate2", "not a certificate");
  reg.set_string(kWinlogon, "WinStationsDisabled", "yes");
  reg.set_raw(kRdpTcp, "UserAuthentication", REG_DWORD, {1, 0});  // 2 bytes

  const auto raw = read_windows_host_values();
  EXPECT_FALSE(raw.policy_licensing_mode.has_value());
  EXPECT_TRUE(contains(raw.policy_licensing_mode.problem, "is REG_SZ, expected REG_DWORD"))
      << raw.policy_licensing_mode.problem;
  EXPECT_TRUE(contains(raw.policy_licensing_mode.problem, "/t REG_DWORD"));
  EXPECT_TRUE(contains(raw.local_license_servers.problem, "is REG_DWORD, expected REG_MULTI_SZ"))
      << raw.local_license_servers.problem;
  EXPECT_TRUE(contains(raw.x509_certificate2.problem, "is REG_SZ, expected REG_BINARY"));
  EXPECT_TRUE(contains(raw.winstations_disabled.problem, "\"yes\""));
  EXPECT_TRUE(contains(raw.user_authentication.problem, "2 bytes instead of 4"));

  // The snapshot lists each problem with the value's path, and does not fall back to local.
  auto snap = host::windows::make_windows_platform()->read_snapshot();
  ASSERT_TRUE(snap.ok());
  bool named = false;
  for (const auto& p : snap->problems) {
    named = named || contains(p,
                              "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal "
                              "Services\\LicensingMode: ");
  }
  EXPECT_TRUE(named);
  EXPECT_EQ(snap->problems.size(), 5u);
  EXPECT_FALSE(snap->admission.has_value());
  EXPECT_TRUE(snap->admission.unreadable());
}

TEST_F(HostValues, AccessDeniedIsAProblemThatSaysRunAsSystem) {
  // The GracePeriod key's ACL is restricted on real hosts; here also Licensing Core.
  reg.set_binary(kGracePeriod, kTimebomb, protect_machine(std::vector<std::uint8_t>(8, 1)));
  reg.set_dword(kLicensingCore, "LicensingMode", 4);
  reg.deny_access(kGracePeriod);
  reg.deny_access(kLicensingCore);

  const auto raw = read_windows_host_values();
  for (const auto* problem : {&raw.grace_period_end.problem, &raw.local_licensing_mode.problem}) {
    EXPECT_TRUE(contains(*problem, "(Win32 error 5)")) << *problem;
    EXPECT_TRUE(contains(*problem, "run rdwarm as SYSTEM")) << *problem;
  }
  EXPECT_FALSE(raw.grace_period_end.has_value());
  EXPECT_FALSE(raw.local_licensing_mode.has_value());

  auto snap = host::windows::make_windows_platform()->read_snapshot();
  ASSERT_TRUE(snap.ok());
  EXPECT_TRUE(snap->grace.unreadable());
  ASSERT_EQ(snap->problems.size(), 2u);
  EXPECT_TRUE(contains(snap->problems[0] + snap->problems[1],
                       "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal "
                       "Server\\RCM\\Licensing Core\\LicensingMode: cannot read"));
}

}  // namespace
}  // namespace rdwarm::test::windows
