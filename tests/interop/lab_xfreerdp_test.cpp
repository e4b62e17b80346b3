// A real client against rdwarm-lab: xfreerdp (FreeRDP 2, under Xvfb) confirms what the lab's
// server side sends. On first-boot it is refused at licensing, and once the lab's license server
// has issued the certificate it reaches the active session state; on warm it does so at once. It
// also accepts the lab's New License (stores it and presents it next time), its Set Error Info
// codes, its capability exchange and finalization, its session logoff, and its NLA (CredSSP with
// bare NTLM tokens, as FreeRDP 2 sends them).
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/integration/lab_process.hpp"
#include "tests/support/peers.hpp"

namespace rdwarm::testing {
namespace {

using namespace std::chrono_literals;

bool wait_for_certificate(const LabProcess& lab, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!lab.state().x509_certificate2.empty()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

// xfreerdp with a HOME that outlives one run (FreeRDP keeps its client licenses there).
XfreerdpResult run_xfreerdp_with_home(const XvfbDisplay& display, std::uint16_t port,
                                      const std::filesystem::path& home,
                                      const std::vector<std::string>& args) {
  std::vector<std::string> argv{"xfreerdp", "/v:127.0.0.1:" + std::to_string(port), "/cert:ignore"};
  argv.insert(argv.end(), args.begin(), args.end());
  static int run = 0;
  ChildProcess client(argv, home / ("xfreerdp-" + std::to_string(++run) + ".log"),
                      {{"DISPLAY", display.name()},
                       {"HOME", home.string()},
                       {"XDG_CONFIG_HOME", (home / ".config").string()}});
  XfreerdpResult r;
  auto status = client.wait_for_exit(30s);
  if (!status) {
    r.timed_out = true;
    client.terminate(500ms);
    status = client.exit_status();
  }
  r.exit_code = status.value_or(-1);
  r.output = client.log();
  return r;
}

TEST(LabXfreerdp, FirstBootRefusesAtLicensingThenALaterConnectionIsActive) {
  RDWARM_REQUIRE_PEER(Peer::xfreerdp);
  auto& display = shared_xvfb_display();
  LabProcess lab("first-boot");
  const auto refused = run_xfreerdp(display, lab.port(), xfreerdp_auth_only_args(), 30s);
  ASSERT_FALSE(refused.timed_out) << refused.output;
  EXPECT_NE(refused.exit_code, 0) << refused.output;
  // FreeRDP 2 stops at the licensing error alert, exactly as its users report against Windows
  // (FreeRDP issues #4023, #10686); the lab followed it with Set Error Info 0x101.
  EXPECT_NE(refused.output.find("license connection sequence aborted"), std::string::npos)
      << refused.output;
  EXPECT_EQ(refused.output.find(kXfreerdpActiveState), std::string::npos);
  EXPECT_NE(lab.log().find("verdict ERR_NO_LICENSE_SERVER"), std::string::npos) << lab.log();
  EXPECT_NE(lab.log().find("errinfo ERRINFO_LICENSE_NO_LICENSE_SERVER"), std::string::npos);

  // That connection made the host ask its license server (3 s); then xfreerdp gets in.
  ASSERT_TRUE(wait_for_certificate(lab, 10s)) << lab.log();
  const auto admitted = run_xfreerdp(display, lab.port(), xfreerdp_auth_only_args(), 30s);
  EXPECT_EQ(admitted.exit_code, 0) << admitted.output;
  EXPECT_NE(admitted.output.find(kXfreerdpActiveState), std::string::npos) << admitted.output;
  EXPECT_NE(lab.log().find("cert x509 chain verdict STATUS_VALID_CLIENT"), std::string::npos)
      << lab.log();
  EXPECT_NE(lab.log().find("activated"), std::string::npos) << lab.log();
}

TEST(LabXfreerdp, SetErrorInfoBeforeTheAlertIsReportedAsNoLicenseServer) {
  RDWARM_REQUIRE_PEER(Peer::xfreerdp);
  // The same first-boot host, but sending Set Error Info ahead of the alert: FreeRDP then reads
  // and reports the lab's error info itself.
  ScopedTempDir dir("rdwarm-lab-scenario");
  const auto scenario = dir.path() / "first-boot-errinfo-first.toml";
  std::ofstream(scenario) << "description = \"first boot, errinfo first\"\n"
                          << "[host]\nerror_info_before_alert = true\n";
  LabProcess lab(scenario.string());
  const auto r = run_xfreerdp(shared_xvfb_display(), lab.port(), xfreerdp_auth_only_args(), 30s);
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("ERRINFO_LICENSE_NO_LICENSE_SERVER"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("license connection sequence aborted"), std::string::npos) << r.output;
}

TEST(LabXfreerdp, WarmHostIsActiveOnTheFirstConnection) {
  RDWARM_REQUIRE_PEER(Peer::xfreerdp);
  LabProcess lab("warm");
  const auto r = run_xfreerdp(shared_xvfb_display(), lab.port(), xfreerdp_auth_only_args(), 30s);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(kXfreerdpActiveState), std::string::npos) << r.output;
  ASSERT_EQ(lab.stop(), 0);
  EXPECT_NE(lab.log().find("sessions activated 1"), std::string::npos) << lab.log();
}

TEST(LabXfreerdp, ActiveSessionIsLoggedOffWhenItsHoldTimeIsOver) {
  RDWARM_REQUIRE_PEER(Peer::xfreerdp);
  ScopedTempDir dir("rdwarm-lab-scenario");
  const auto scenario = dir.path() / "short-session.toml";
  std::ofstream(scenario) << "description = \"warm, 1 s sessions\"\n[host]\ncertificate = true\n"
                          << "[session]\nhold = \"1s\"\n";
  LabProcess lab(scenario.string());
  // A full session (not +auth-only): xfreerdp stays until the lab ends it.
  const auto r = run_xfreerdp(shared_xvfb_display(), lab.port(),
                              {"/u:rdwarm", "/p:x", "/log-level:DEBUG", "-clipboard"}, 30s);
  ASSERT_FALSE(r.timed_out) << r.output;
  EXPECT_NE(r.output.find(kXfreerdpActiveState), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ERRINFO_RPC_INITIATED_DISCONNECT"), std::string::npos) << r.output;
  EXPECT_NE(lab.log().find("session hold time over"), std::string::npos) << lab.log();
}

TEST(LabXfreerdp, PerDeviceLicenseIsStoredByTheClientAndUpgradedNextTime) {
  RDWARM_REQUIRE_PEER(Peer::xfreerdp);
  LabProcess lab("per-device");
  ScopedTempDir home("rdwarm-xfreerdp-home");
  const auto first = run_xfreerdp_with_home(shared_xvfb_display(), lab.port(), home.path(),
                                            xfreerdp_auth_only_args());
  EXPECT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find(kXfreerdpActiveState), std::string::npos) << first.output;
  // FreeRDP decrypted the New License (MAC checked) and stored it as a .cal file.
  int cals = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(home.path()))
    if (e.path().extension() == ".cal") ++cals;
  EXPECT_EQ(cals, 1);
  const auto second = run_xfreerdp_with_home(shared_xvfb_display(), lab.port(), home.path(),
                                             xfreerdp_auth_only_args());
  EXPECT_EQ(second.exit_code, 0) << second.output;
  // The second time it presented that license (CLIENT_LICENSE_INFO): the lab upgraded it.
  const std::string log = lab.log();
  EXPECT_NE(log.find("verdict NEW_LICENSE"), std::string::npos) << log;
  EXPECT_NE(log.find("verdict UPGRADE_LICENSE"), std::string::npos) << log;
}

TEST(LabXfreerdp, DrainModeIsServerDeniedConnection) {
  RDWARM_REQUIRE_PEER(Peer::xfreerdp);
  LabProcess lab("drain");
  const auto r = run_xfreerdp(shared_xvfb_display(), lab.port(), xfreerdp_auth_only_args(), 30s);
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("ERRINFO_SERVER_DENIED_CONNECTION"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(kXfreerdpActiveState), std::string::npos);
}

TEST(LabXfreerdp, NlaRequiredFailsSecurityNegotiationForATlsOnlyClient) {
  RDWARM_REQUIRE_PEER(Peer::xfreerdp);
  LabProcess lab("nla-required");
  // /sec:tls offers only SSL; xfreerdp's default would offer NLA too, which the lab now takes.
  auto args = xfreerdp_auth_only_args();
  args.push_back("/sec:tls");
  const auto r = run_xfreerdp(shared_xvfb_display(), lab.port(), args, 30s);
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("ERRCONNECT_SECURITY_NEGO_CONNECT_FAILED"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("HYBRID_REQUIRED_BY_SERVER"), std::string::npos) << r.output;
}

// NLA against the lab: xfreerdp 2 sends bare NTLM messages in its TSRequests (no SPNEGO), and the
// lab's acceptor takes them as Windows' Negotiate package does.
std::vector<std::string> xfreerdp_nla_args(const std::string& password) {
  return {"/sec:nla", "/u:probe", "/d:LAB", "/p:" + password, "+auth-only", "/log-level:DEBUG"};
}

TEST(LabXfreerdp, NlaWithTheLabAccountGetsThroughCredsspIntoLicensingAndTheSession) {
  RDWARM_REQUIRE_PEER(Peer::xfreerdp);
  LabProcess lab("nla-required");
  const auto r =
      run_xfreerdp(shared_xvfb_display(), lab.port(), xfreerdp_nla_args("lab-only-Passw0rd"), 30s);
  ASSERT_FALSE(r.timed_out) << r.output;
  EXPECT_EQ(r.exit_code, 0) << r.output << "\n" << lab.log();
  EXPECT_NE(r.output.find(kXfreerdpActiveState), std::string::npos) << r.output;
  ASSERT_EQ(lab.stop(), 0);
  const std::string log = lab.log();
  EXPECT_NE(log.find("nla LAB\\probe NTLM (bare), CredSSP 6, authenticated"), std::string::npos)
      << log;
  EXPECT_NE(log.find("verdict STATUS_VALID_CLIENT"), std::string::npos) << log;
  EXPECT_NE(log.find("activated"), std::string::npos) << log;
  EXPECT_EQ(log.find("lab-only-Passw0rd"), std::string::npos) << "the lab logged the password";
}

TEST(LabXfreerdp, NlaWithAWrongPasswordIsALogonFailure) {
  RDWARM_REQUIRE_PEER(Peer::xfreerdp);
  LabProcess lab("nla-required");
  const auto r =
      run_xfreerdp(shared_xvfb_display(), lab.port(), xfreerdp_nla_args("Wrong-Passw0rd"), 30s);
  ASSERT_FALSE(r.timed_out) << r.output;
  EXPECT_NE(r.exit_code, 0) << r.output;
  // FreeRDP maps the TSRequest errorCode STATUS_LOGON_FAILURE to ERRCONNECT_LOGON_FAILURE
  // [0x00020014] (and with +auth-only, 2.11.7 then aborts: exit 134).
  EXPECT_NE(r.output.find("ERRCONNECT_LOGON_FAILURE"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(kXfreerdpActiveState), std::string::npos);
  EXPECT_NE(lab.log().find("refused STATUS_LOGON_FAILURE (0xC000006D)"), std::string::npos)
      << lab.log();
}

}  // namespace
}  // namespace rdwarm::testing
