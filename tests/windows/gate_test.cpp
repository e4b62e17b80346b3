// The admission gate: TSServerDrainMode written through the backend, seen by reg.exe.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "licensing/host/windows/windows_platform.hpp"
#include "tests/windows/windows_fixture.hpp"

namespace rdwarm::test::windows {
namespace {

using host::Gate;

// What `reg query` prints for TSServerDrainMode: "    TSServerDrainMode    REG_DWORD    0x2".
std::optional<unsigned long> reg_query_drain_mode() {
  const auto r = run_command(
      "reg.exe query \"HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\" /v "
      "TSServerDrainMode");
  std::smatch m;
  const std::regex line(R"(TSServerDrainMode\s+REG_DWORD\s+0x([0-9a-fA-F]+))");
  if (r.exit_code != 0 || !std::regex_search(r.output, m, line)) return std::nullopt;
  return std::stoul(m[1].str(), nullptr, 16);
}

class AdmissionGate : public WindowsRegistryTest {
 protected:
  void SetUp() override {
    WindowsRegistryTest::SetUp();
    if (IsSkipped()) return;
    reg.set_dword(kTerminalServer, "fDenyTSConnections", 0);  // the key exists on every Windows
    platform = host::windows::make_windows_platform();
  }
  std::unique_ptr<host::HostPlatform> platform;
};

TEST_F(AdmissionGate, ClosingAndOpeningIsVisibleToRegQuery) {
  ASSERT_EQ(reg_query_drain_mode(), std::nullopt);  // not set yet
  auto gate = platform->read_gate();
  ASSERT_TRUE(gate.ok());
  EXPECT_EQ(*gate, Gate::kOpen);

  ASSERT_TRUE(platform->set_gate(Gate::kClosed).ok());
  EXPECT_EQ(reg_query_drain_mode(), 2ul);
  gate = platform->read_gate();
  ASSERT_TRUE(gate.ok());
  EXPECT_EQ(*gate, Gate::kClosed);

  ASSERT_TRUE(platform->set_gate(Gate::kOpen).ok());
  EXPECT_EQ(reg_query_drain_mode(), 0ul);
  gate = platform->read_gate();
  ASSERT_TRUE(gate.ok());
  EXPECT_EQ(*gate, Gate::kOpen);
}

TEST_F(AdmissionGate, DisabledLogonsOrDrainUntilRestartKeepTheGateClosed) {
  reg.set_string(kWinlogon, "WinStationsDisabled", "1");  // change logon /disable
  auto gate = platform->read_gate();
  ASSERT_TRUE(gate.ok());
  EXPECT_EQ(*gate, Gate::kClosed);
  // Opening only lifts the drain; logons stay disabled, as the operator set them.
  ASSERT_TRUE(platform->set_gate(Gate::kOpen).ok());
  EXPECT_EQ(*platform->read_gate(), Gate::kClosed);
  reg.set_string(kWinlogon, "WinStationsDisabled", "0");
  EXPECT_EQ(*platform->read_gate(), Gate::kOpen);

  reg.set_dword(kTerminalServer, "TSServerDrainMode", 1);  // change logon /drainuntilrestart
  EXPECT_EQ(*platform->read_gate(), Gate::kClosed);
}

TEST_F(AdmissionGate, AnUnreadableGateIsAnErrorNamingTheValue) {
  reg.set_string(kTerminalServer, "TSServerDrainMode", "2");
  auto gate = platform->read_gate();
  ASSERT_FALSE(gate.ok());
  EXPECT_NE(gate.error().message().find("Terminal Server\\TSServerDrainMode"), std::string::npos);
  EXPECT_NE(gate.error().message().find("expected REG_DWORD"), std::string::npos)
      << gate.error().message();
}

TEST_F(AdmissionGate, WithoutWriteAccessTheErrorSaysRunAsSystem) {
  reg.deny_access(kTerminalServer);
  auto set = platform->set_gate(Gate::kClosed);
  ASSERT_FALSE(set.ok());
  const auto message = set.error().message();
  EXPECT_NE(message.find("Terminal Server\\TSServerDrainMode"), std::string::npos) << message;
  EXPECT_NE(message.find("cannot set to 2"), std::string::npos) << message;
  EXPECT_NE(message.find("(Win32 error 5)"), std::string::npos) << message;
  EXPECT_NE(message.find("run rdwarm as SYSTEM"), std::string::npos) << message;
  EXPECT_FALSE(platform->read_gate().ok());
}

TEST(AdmissionGateWithoutRds, SettingTheGateExplainsTheMissingKey) {
  RDWARM_SKIP_UNLESS_REGISTRY_IS_DISPOSABLE();
  RegistrySandbox reg;
  reg.remove_key("SYSTEM\\CurrentControlSet\\Control\\Terminal Server");
  auto platform = host::windows::make_windows_platform();
  auto set = platform->set_gate(Gate::kClosed);
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.error().message().find("does not exist"), std::string::npos)
      << set.error().message();
  EXPECT_FALSE(key_exists("SYSTEM\\CurrentControlSet\\Control\\Terminal Server"));
}

TEST(EventLog, WritesEverySeverity) {
  auto platform = host::windows::make_windows_platform();
  for (auto severity : {host::EventSeverity::kInformation, host::EventSeverity::kWarning,
                        host::EventSeverity::kError}) {
    auto written = platform->write_event(host::HostEvent{1000, severity, "rdwarm test event"});
    EXPECT_TRUE(written.ok()) << written.error().message();
  }
}

}  // namespace
}  // namespace rdwarm::test::windows
