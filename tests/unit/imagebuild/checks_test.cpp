// Every pre-flight check of `rdwarm image check` in its pass, warn, fail and skip outcomes, and the
// verdict (exit code class) they add up to. Hosts are lab state files turned into snapshots by the
// same rules every platform uses (raw values -> interpret_host_values).
#include "imagebuild/preflight/checks.hpp"

#include <gtest/gtest.h>

#include "licensing/crypto/registry_chain.hpp"
#include "licensing/host/lab/lab_state_file.hpp"
#include "tests/support/test_chain.hpp"

namespace rdwarm::imagebuild {
namespace {

using host::Fact;
using host::RawHostValues;
using host::SystemTime;
using std::chrono::days;
using std::chrono::hours;

// The image a pipeline usually checks: per-user by policy, one license server, 90 grace days
// left, no certificate yet, NLA off.
host::lab::LabHostState per_user_image(SystemTime now) {
  host::lab::LabHostState s;
  s.policy_licensing_mode = 4;
  s.policy_license_servers = "ls1.corp";
  s.grace_period_end = now + days(90);
  return s;
}

std::vector<std::uint8_t> chain_bytes(int valid_days) {
  return crypto::encode_registry_certificate_chain(
      test::make_chain("LS1", "SESSION-HOST", valid_days));
}

struct Host {
  SystemTime now = std::chrono::system_clock::now();
  host::lab::LabHostState state = per_user_image(now);
  // Applied after the lab values are turned into registry values (for unreadable values).
  std::function<void(RawHostValues&)> tweak;

  [[nodiscard]] host::LicensingSnapshot snapshot() const {
    auto raw = host::lab::raw_values_from_lab_state(state);
    if (tweak) tweak(raw);
    return host::interpret_host_values(raw, now, "lab");
  }
};

Preflight run(const Host& h, std::chrono::milliseconds lifetime = days(30),
              const std::optional<std::vector<ServerReachability>>& reach = std::nullopt,
              std::set<std::string, std::less<>> skip = {}) {
  PreflightOptions o;
  o.planned_lifetime = lifetime;
  o.skip = std::move(skip);
  return run_preflight_checks(h.snapshot(), o, reach);
}

const CheckResult& find(const Preflight& p, std::string_view id) {
  for (const auto& c : p.checks) {
    if (c.id == id) return c;
  }
  throw std::runtime_error("no check " + std::string(id));
}

CheckStatus status(const Preflight& p, std::string_view id) {
  return find(p, id).status;
}

ServerReachability reach(const std::string& name, std::vector<PortState> states) {
  ServerReachability r;
  r.name = name;
  r.dns.state = DnsState::kResolved;
  r.dns.addresses = {"10.0.0.5"};
  std::uint16_t port = 135;
  for (const auto s : states) {
    r.ports.push_back(PortProbe{port, s, "10.0.0.5", 1.5, {}});
    port = 445;
  }
  return r;
}

TEST(ImageChecks, EveryCheckRunsInOrderAndAHealthyImagePasses) {
  const Host h;
  const auto p =
      run(h, days(30), std::vector{reach("ls1.corp", {PortState::kOpen, PortState::kOpen})});
  ASSERT_EQ(p.checks.size(), kAllCheckIds.size());
  for (std::size_t i = 0; i < kAllCheckIds.size(); ++i) {
    EXPECT_EQ(p.checks[i].id, kAllCheckIds[i]);
    EXPECT_FALSE(p.checks[i].title.empty());
    EXPECT_FALSE(p.checks[i].found.empty()) << p.checks[i].id;
    if (p.checks[i].status == CheckStatus::kPass || p.checks[i].status == CheckStatus::kSkip) {
      EXPECT_TRUE(p.checks[i].remedy.empty()) << p.checks[i].id;
    }
  }
  EXPECT_EQ(p.verdict, PreflightVerdict::kPass);
  EXPECT_EQ(p.applicability, host::Applicability::kApplicable);
  for (const auto id :
       {check_id::kRdshRole, check_id::kLicensingMode, check_id::kLicenseServers,
        check_id::kLicenseServerReachable, check_id::kGracePeriod, check_id::kGraceTimebomb,
        check_id::kCertificate, check_id::kNla, check_id::kSxsListener}) {
    EXPECT_EQ(status(p, id), CheckStatus::kPass) << id << ": " << find(p, id).found;
  }
  EXPECT_EQ(status(p, check_id::kMultiSessionPolicy), CheckStatus::kSkip);
}

TEST(ImageChecks, SeverityFollowsStatus) {
  EXPECT_EQ(severity_of(CheckStatus::kPass), Severity::kInfo);
  EXPECT_EQ(severity_of(CheckStatus::kSkip), Severity::kInfo);
  EXPECT_EQ(severity_of(CheckStatus::kWarn), Severity::kWarning);
  EXPECT_EQ(severity_of(CheckStatus::kFail), Severity::kFatal);
  EXPECT_EQ(severity_name(Severity::kFatal), "fatal");
  EXPECT_EQ(status_name(CheckStatus::kWarn), "warn");
}

// --- rdsh-role ---

TEST(ImageChecks, NoSessionHostRoleIsNotApplicableAndSkipsEverythingElse) {
  Host h;
  h.state.rdsh_role = false;
  h.state.edition_id = "ServerRdsh";  // would otherwise fail multisession-policy
  const auto p = run(h);
  EXPECT_EQ(status(p, check_id::kRdshRole), CheckStatus::kPass);
  EXPECT_NE(find(p, check_id::kRdshRole).found.find("exit 3"), std::string::npos);
  for (const auto& c : p.checks) {
    if (c.id != check_id::kRdshRole) {
      EXPECT_EQ(c.status, CheckStatus::kSkip) << c.id;
    }
  }
  EXPECT_EQ(p.verdict, PreflightVerdict::kNotApplicable);
  EXPECT_TRUE(servers_to_reach(h.snapshot(), {}).empty());
}

TEST(ImageChecks, UnreadableOrMissingRoleWarnsAndTheChecksAssumeASessionHost) {
  Host h;
  h.tweak = [](RawHostValues& raw) {
    raw.rdsh_role = Fact<bool>::failed("HKLM\\...\\TerminalServerMode", "access denied");
  };
  auto p = run(h);
  EXPECT_EQ(status(p, check_id::kRdshRole), CheckStatus::kWarn);
  EXPECT_NE(find(p, check_id::kRdshRole).found.find("access denied"), std::string::npos);
  EXPECT_EQ(status(p, check_id::kGracePeriod), CheckStatus::kPass);
  h.tweak = [](RawHostValues& raw) { raw.rdsh_role = Fact<bool>::absent("role"); };
  p = run(h);
  EXPECT_EQ(status(p, check_id::kRdshRole), CheckStatus::kWarn);
  EXPECT_EQ(p.verdict, PreflightVerdict::kPass);  // warnings do not change the exit code
}

// --- licensing-mode ---

TEST(ImageChecks, PerDeviceModePassesButIsNotApplicable) {
  Host h;
  h.state.policy_licensing_mode = 2;
  const auto p = run(h);
  EXPECT_EQ(status(p, check_id::kLicensingMode), CheckStatus::kPass);
  EXPECT_NE(find(p, check_id::kLicensingMode).found.find("per-device"), std::string::npos);
  // The license server still matters for per-device CALs; the per-user checks do not apply.
  EXPECT_EQ(status(p, check_id::kLicenseServers), CheckStatus::kPass);
  EXPECT_EQ(status(p, check_id::kGracePeriod), CheckStatus::kSkip);
  EXPECT_EQ(status(p, check_id::kCertificate), CheckStatus::kSkip);
  EXPECT_EQ(p.verdict, PreflightVerdict::kNotApplicable);
  EXPECT_EQ(servers_to_reach(h.snapshot(), {}), std::vector<std::string>{"ls1.corp"});
}

TEST(ImageChecks, ModeNotConfiguredOnAServerFails) {
  Host h;
  h.state.policy_licensing_mode.reset();
  h.state.local_licensing_mode.reset();
  const auto p = run(h);
  const auto& c = find(p, check_id::kLicensingMode);
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_EQ(c.severity(), Severity::kFatal);
  EXPECT_NE(c.remedy.find("Set the Remote Desktop licensing mode"), std::string::npos);
  ASSERT_TRUE(c.reference);
  EXPECT_NE(std::string(c.reference->url).find("troubleshoot-rds-licensing-guidance"),
            std::string::npos);
  EXPECT_EQ(p.verdict, PreflightVerdict::kFatal);
}

TEST(ImageChecks, ModeNotConfiguredOnMultiSessionPassesAndIsNotApplicable) {
  Host h;
  h.state.edition_id = "ServerRdsh";
  h.state.policy_licensing_mode.reset();
  h.state.local_licensing_mode = 5;
  const auto p = run(h);
  EXPECT_EQ(status(p, check_id::kLicensingMode), CheckStatus::kPass);
  EXPECT_EQ(status(p, check_id::kMultiSessionPolicy), CheckStatus::kPass);
  EXPECT_EQ(status(p, check_id::kLicenseServers), CheckStatus::kSkip);
  EXPECT_EQ(status(p, check_id::kLicenseServerReachable), CheckStatus::kSkip);
  EXPECT_EQ(p.verdict, PreflightVerdict::kNotApplicable);
  EXPECT_TRUE(servers_to_reach(h.snapshot(), {}).empty());
}

TEST(ImageChecks, UnknownModeValueWarns) {
  Host h;
  h.state.policy_licensing_mode = 7;
  const auto p = run(h);
  EXPECT_EQ(status(p, check_id::kLicensingMode), CheckStatus::kWarn);
  EXPECT_NE(find(p, check_id::kLicensingMode).found.find("LicensingMode = 7"), std::string::npos);
  EXPECT_EQ(p.verdict, PreflightVerdict::kNotApplicable);
}

// --- multisession-policy ---

TEST(ImageChecks, MultiSessionWithLicensingModePolicyFailsWithMicrosoftsFix) {
  Host h;
  h.state.edition_id = "ServerRdsh";
  const auto p = run(h);
  const auto& c = find(p, check_id::kMultiSessionPolicy);
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_NE(c.found.find("group policy"), std::string::npos);
  EXPECT_NE(c.remedy.find("Disabled"), std::string::npos);
  EXPECT_NE(c.remedy.find("KB4516077"), std::string::npos);
  ASSERT_TRUE(c.reference);
  EXPECT_NE(std::string(c.reference->url).find("remote-desktop-licensing-mode-isnt-configured"),
            std::string::npos);
  EXPECT_EQ(c.source, "lab:licensing_mode.policy");
  EXPECT_EQ(p.verdict, PreflightVerdict::kFatal);
}

TEST(ImageChecks, MultiSessionWithALocalModeAndNoPolicyPasses) {
  Host h;
  h.state.edition_id = "serverrdsh";  // EditionID compared without case
  h.state.policy_licensing_mode.reset();
  h.state.local_licensing_mode = 4;
  const auto p = run(h);
  EXPECT_EQ(status(p, check_id::kMultiSessionPolicy), CheckStatus::kPass);
  EXPECT_EQ(p.verdict, PreflightVerdict::kPass);
}

TEST(ImageChecks, UnreadableEditionWithAModePolicyWarns) {
  Host h;
  h.tweak = [](RawHostValues& raw) {
    raw.edition_id = Fact<std::string>::failed("HKLM\\...\\EditionID", "access denied");
  };
  auto p = run(h);
  EXPECT_EQ(status(p, check_id::kMultiSessionPolicy), CheckStatus::kWarn);
  h.state.policy_licensing_mode.reset();
  h.state.local_licensing_mode = 4;
  p = run(h);
  EXPECT_EQ(status(p, check_id::kMultiSessionPolicy), CheckStatus::kPass);
}

// --- license-servers ---

TEST(ImageChecks, NoLicenseServerSpecifiedWarnsWithThePolicyToSet) {
  Host h;
  h.state.policy_license_servers.reset();
  h.state.local_license_servers.clear();
  const auto p = run(h);
  const auto& c = find(p, check_id::kLicenseServers);
  EXPECT_EQ(c.status, CheckStatus::kWarn);
  EXPECT_NE(c.remedy.find("Use the specified Remote Desktop license servers"), std::string::npos);
  EXPECT_NE(c.remedy.find("SpecifiedLicenseServers"), std::string::npos);
  EXPECT_EQ(status(p, check_id::kLicenseServerReachable), CheckStatus::kSkip);
  EXPECT_EQ(p.verdict, PreflightVerdict::kPass);
}

TEST(ImageChecks, LocalLicenseServersCountWhenNoPolicyNamesOne) {
  Host h;
  h.state.policy_license_servers.reset();
  h.state.local_license_servers = {"ls2.corp", "ls3.corp"};
  const auto p = run(h);
  EXPECT_EQ(status(p, check_id::kLicenseServers), CheckStatus::kPass);
  EXPECT_NE(find(p, check_id::kLicenseServers).found.find("ls2.corp, ls3.corp (local)"),
            std::string::npos);
  EXPECT_EQ(servers_to_reach(h.snapshot(), {}), (std::vector<std::string>{"ls2.corp", "ls3.corp"}));
}

// --- ls-reachable ---

TEST(ImageChecks, ReachabilityPassWarnFailAndSkip) {
  Host h;
  h.state.policy_license_servers = "ls1.corp, ls2.corp";
  const auto open = reach("ls1.corp", {PortState::kOpen, PortState::kOpen});
  const auto half = reach("ls2.corp", {PortState::kOpen, PortState::kTimeout});
  const auto none = reach("ls2.corp", {PortState::kRefused, PortState::kTimeout});
  ServerReachability no_dns;
  no_dns.name = "ls1.corp";
  no_dns.dns.state = DnsState::kFailed;
  no_dns.dns.error = "Host not found";
  no_dns.ports = {PortProbe{135, PortState::kNotTried, {}, 0, {}}};

  auto p =
      run(h, days(30), std::vector{open, reach("ls2.corp", {PortState::kOpen, PortState::kOpen})});
  EXPECT_EQ(status(p, check_id::kLicenseServerReachable), CheckStatus::kPass);
  EXPECT_NE(find(p, check_id::kLicenseServerReachable)
                .found.find("ls1.corp: 10.0.0.5, 135 open, 445 open"),
            std::string::npos);

  p = run(h, days(30), std::vector{open, half});
  EXPECT_EQ(status(p, check_id::kLicenseServerReachable), CheckStatus::kWarn);
  EXPECT_EQ(p.verdict, PreflightVerdict::kPass);

  p = run(h, days(30), std::vector{no_dns, none});
  const auto& c = find(p, check_id::kLicenseServerReachable);
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_NE(c.found.find("DNS failed (Host not found)"), std::string::npos);
  EXPECT_NE(c.remedy.find("135 and 445"), std::string::npos);
  ASSERT_TRUE(c.reference);
  EXPECT_NE(std::string(c.reference->url).find("port-requirements"), std::string::npos);
  EXPECT_EQ(p.verdict, PreflightVerdict::kFatal);

  p = run(h, days(30), std::nullopt);
  EXPECT_EQ(status(p, check_id::kLicenseServerReachable), CheckStatus::kSkip);

  p = run(h, days(30), std::vector{no_dns, none}, {"ls-reachable"});
  EXPECT_EQ(status(p, check_id::kLicenseServerReachable), CheckStatus::kSkip);
  EXPECT_NE(find(p, check_id::kLicenseServerReachable).found.find("--skip ls-reachable"),
            std::string::npos);
  EXPECT_EQ(p.verdict, PreflightVerdict::kPass);
  PreflightOptions skip;
  skip.skip.insert("ls-reachable");
  EXPECT_TRUE(servers_to_reach(h.snapshot(), skip).empty());
}

TEST(ImageChecks, ReachabilitySaysWhenOnlySomeServersWereProbed) {
  Host h;
  h.state.policy_license_servers = "a,b,c";
  const auto p = run(h, days(30), std::vector{reach("a", {PortState::kOpen})});
  EXPECT_NE(find(p, check_id::kLicenseServerReachable).found.find("only the first 1 of 3"),
            std::string::npos);
}

// --- grace-period (exit 14) ---

TEST(ImageChecks, GraceEndingAfterThePlannedLifetimePasses) {
  const Host h;  // 90 days left
  const auto p = run(h, days(30));
  EXPECT_EQ(status(p, check_id::kGracePeriod), CheckStatus::kPass);
  EXPECT_FALSE(p.grace_ends_within_lifetime);
  ASSERT_TRUE(p.grace_end);
  EXPECT_EQ(*p.grace_end, h.now + days(90));
}

TEST(ImageChecks, GraceEndingWithinThePlannedLifetimeWithoutCertificateIs14) {
  const Host h;  // 90 days left
  const auto p = run(h, days(120));
  const auto& c = find(p, check_id::kGracePeriod);
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_NE(c.found.find("90 days left"), std::string::npos);
  EXPECT_NE(c.found.find("within the planned lifetime of 120d"), std::string::npos);
  EXPECT_NE(c.remedy.find("rdwarm boot"), std::string::npos);
  ASSERT_TRUE(c.reference);
  EXPECT_NE(std::string(c.reference->url).find("per-user-licensing"), std::string::npos);
  EXPECT_TRUE(p.grace_ends_within_lifetime);
  EXPECT_EQ(p.verdict, PreflightVerdict::kGraceEndsInLifetime);
}

TEST(ImageChecks, GraceEndExactlyAtTheLifetimeCountsAsWithin) {
  Host h;
  h.state.grace_period_end = h.now + days(30);
  EXPECT_EQ(run(h, days(30)).verdict, PreflightVerdict::kGraceEndsInLifetime);
  h.state.grace_period_end = h.now + days(30) + std::chrono::seconds(1);
  EXPECT_EQ(run(h, days(30)).verdict, PreflightVerdict::kPass);
}

TEST(ImageChecks, GraceOverWithoutCertificateIs14AndWithACertificatePasses) {
  Host h;
  h.state.grace_period_end = h.now - hours(24);
  auto p = run(h);
  EXPECT_EQ(status(p, check_id::kGracePeriod), CheckStatus::kFail);
  EXPECT_NE(find(p, check_id::kGracePeriod).found.find("ended "), std::string::npos);
  EXPECT_EQ(p.verdict, PreflightVerdict::kGraceEndsInLifetime);

  h.state.x509_certificate2 = chain_bytes(365);
  p = run(h);
  EXPECT_EQ(status(p, check_id::kGracePeriod), CheckStatus::kPass);
  EXPECT_NE(find(p, check_id::kGracePeriod).found.find("usable license-server certificate, so"),
            std::string::npos);
  EXPECT_TRUE(p.certificate_usable);
  EXPECT_EQ(p.verdict, PreflightVerdict::kPass);
}

TEST(ImageChecks, WithoutTimebombEachVmGetsAFresh120DaysAgainstTheLifetime) {
  Host h;
  h.state.grace_period_end.reset();
  auto p = run(h, days(30));
  EXPECT_EQ(status(p, check_id::kGracePeriod), CheckStatus::kPass);
  EXPECT_TRUE(p.grace_end_estimated);
  EXPECT_EQ(status(p, check_id::kGraceTimebomb), CheckStatus::kWarn);
  EXPECT_EQ(p.verdict, PreflightVerdict::kPass);

  p = run(h, days(180));
  EXPECT_EQ(status(p, check_id::kGracePeriod), CheckStatus::kFail);
  EXPECT_NE(find(p, check_id::kGracePeriod).found.find("new 120-day grace period"),
            std::string::npos);
  EXPECT_EQ(p.verdict, PreflightVerdict::kGraceEndsInLifetime);
}

TEST(ImageChecks, UnreadableGraceWarnsAndTheTimebombCheckDefersToIt) {
  Host h;
  h.tweak = [](RawHostValues& raw) {
    raw.grace_period_end = Fact<SystemTime>::failed("RCM\\GracePeriod", "access denied");
  };
  const auto p = run(h);
  EXPECT_EQ(status(p, check_id::kGracePeriod), CheckStatus::kWarn);
  EXPECT_NE(find(p, check_id::kGracePeriod).found.find("access denied"), std::string::npos);
  EXPECT_EQ(status(p, check_id::kGraceTimebomb), CheckStatus::kSkip);
  EXPECT_EQ(p.verdict, PreflightVerdict::kPass);
}

// --- grace-timebomb ---

TEST(ImageChecks, DeletedTimebombWarnsAndRdwarmNeverTouchesIt) {
  Host h;
  h.state.grace_period_end.reset();
  const auto p = run(h);
  const auto& c = find(p, check_id::kGraceTimebomb);
  EXPECT_EQ(c.status, CheckStatus::kWarn);
  EXPECT_EQ(c.severity(), Severity::kWarning);
  EXPECT_NE(c.found.find("deleted"), std::string::npos);
  EXPECT_NE(c.remedy.find("never writes or deletes"), std::string::npos);
  EXPECT_EQ(c.source, "lab:grace_period_end");
  const Host present;
  EXPECT_EQ(status(run(present), check_id::kGraceTimebomb), CheckStatus::kPass);
}

// --- certificate ---

TEST(ImageChecks, CertificateAbsentIsNormalInAnImage) {
  const auto p = run(Host{});
  EXPECT_EQ(status(p, check_id::kCertificate), CheckStatus::kPass);
  EXPECT_NE(find(p, check_id::kCertificate).found.find("as expected in an image"),
            std::string::npos);
  EXPECT_FALSE(p.certificate_usable);
}

TEST(ImageChecks, UsableCertificatePassesWithItsIssuer) {
  Host h;
  h.state.x509_certificate2 = chain_bytes(365);
  const auto p = run(h);
  EXPECT_EQ(status(p, check_id::kCertificate), CheckStatus::kPass);
  EXPECT_NE(find(p, check_id::kCertificate).found.find("LS1"), std::string::npos);
}

TEST(ImageChecks, BrokenOrExpiredCertificateWarnsWithTheRefreshProcedure) {
  Host h;
  h.state.x509_certificate2 = {0x02, 0x00, 0x00, 0x80, 0x05};
  auto p = run(h);
  auto c = find(p, check_id::kCertificate);
  EXPECT_EQ(c.status, CheckStatus::kWarn);
  EXPECT_NE(c.found.find("does not parse"), std::string::npos);
  EXPECT_NE(c.remedy.find("X509 Certificate ID"), std::string::npos);
  ASSERT_TRUE(c.reference);
  EXPECT_NE(std::string(c.reference->url).find("cannot-connect-rds-no-license-server"),
            std::string::npos);

  h.state.x509_certificate2 = chain_bytes(-1);
  p = run(h);
  c = find(p, check_id::kCertificate);
  EXPECT_EQ(c.status, CheckStatus::kWarn);
  EXPECT_NE(c.found.find("expired"), std::string::npos);
  EXPECT_FALSE(p.certificate_usable);
}

// --- nla ---

TEST(ImageChecks, NlaRequiredWarnsThatTheWarmUpCannotConnect) {
  Host h;
  h.state.user_authentication = 1;
  auto p = run(h);
  EXPECT_EQ(status(p, check_id::kNla), CheckStatus::kWarn);
  EXPECT_NE(find(p, check_id::kNla).found.find("exit code 12"), std::string::npos);
  EXPECT_EQ(p.verdict, PreflightVerdict::kPass);
  h.tweak = [](RawHostValues& raw) {
    raw.user_authentication = Fact<std::uint32_t>::failed("RDP-Tcp", "access denied");
  };
  p = run(h);
  EXPECT_EQ(status(p, check_id::kNla), CheckStatus::kWarn);
  EXPECT_NE(find(p, check_id::kNla).found.find("could not be read"), std::string::npos);
}

TEST(ImageChecks, NlaRequiredPassesWhenTheWarmUpHasAnAccount) {
  Host h;
  h.state.user_authentication = 1;
  PreflightOptions o;
  o.nla_account = "LAB\\probe, password from file /etc/rdwarm/nla-password";
  auto p = run_preflight_checks(h.snapshot(), o, std::nullopt);
  EXPECT_EQ(status(p, check_id::kNla), CheckStatus::kPass);
  EXPECT_NE(find(p, check_id::kNla).found.find("authenticates as LAB\\probe"), std::string::npos)
      << find(p, check_id::kNla).found;

  // Configured but unusable: every boot would stop at exit 2, so the image must not ship.
  o.nla_account.clear();
  o.nla_problem = "the password file is readable by others; run chmod 600";
  p = run_preflight_checks(h.snapshot(), o, std::nullopt);
  EXPECT_EQ(status(p, check_id::kNla), CheckStatus::kFail);
  EXPECT_NE(find(p, check_id::kNla).found.find("chmod 600"), std::string::npos);
  EXPECT_NE(find(p, check_id::kNla).remedy.find("rdwarm credentials set"), std::string::npos);
  EXPECT_EQ(p.verdict, PreflightVerdict::kFatal);
}

// --- sxs-listener ---

TEST(ImageChecks, SxsListenerEnabledAndNamedBySessionDirectoryListenerPasses) {
  Host h;
  h.state.sxs_listener_name = "rdp-sxs220114900";
  h.state.sxs_listener_enabled = 1;
  h.state.sxs_session_directory_listener = "RDP-SXS220114900";
  const auto p = run(h);
  EXPECT_EQ(status(p, check_id::kSxsListener), CheckStatus::kPass);
  EXPECT_NE(find(p, check_id::kSxsListener).found.find("SessionDirectoryListener names it"),
            std::string::npos);
}

TEST(ImageChecks, SxsListenerDisabledOrNotNamedFails) {
  Host h;
  h.state.sxs_listener_name = "rdp-sxs220114900";
  h.state.sxs_listener_enabled = 0;
  h.state.sxs_session_directory_listener = "rdp-sxs220114900";
  auto p = run(h);
  auto c = find(p, check_id::kSxsListener);
  EXPECT_EQ(c.status, CheckStatus::kFail);
  EXPECT_NE(c.found.find("fEnableWinStation = 0"), std::string::npos);
  ASSERT_TRUE(c.reference);
  EXPECT_NE(std::string(c.reference->url).find("side-by-side-stack"), std::string::npos);
  EXPECT_EQ(p.verdict, PreflightVerdict::kFatal);

  h.state.sxs_listener_enabled = 1;
  h.state.sxs_session_directory_listener.reset();
  p = run(h);
  EXPECT_EQ(status(p, check_id::kSxsListener), CheckStatus::kFail);
  EXPECT_NE(find(p, check_id::kSxsListener).found.find("not set"), std::string::npos);

  h.state.sxs_session_directory_listener = "rdp-sxs210000000";
  p = run(h);
  EXPECT_EQ(status(p, check_id::kSxsListener), CheckStatus::kFail);
  EXPECT_NE(find(p, check_id::kSxsListener).found.find("names rdp-sxs210000000"),
            std::string::npos);
}

TEST(ImageChecks, SxsValuesNotReadOrUnreadable) {
  Host h;
  h.state.sxs_listener_name = "rdp-sxs220114900";
  h.state.sxs_listener_enabled = 1;
  h.tweak = [](RawHostValues& raw) { raw.sxs_session_directory_listener = {}; };
  auto p = run(h);
  EXPECT_EQ(status(p, check_id::kSxsListener), CheckStatus::kPass);
  EXPECT_NE(find(p, check_id::kSxsListener).found.find("not read on this platform"),
            std::string::npos);
  h.tweak = [](RawHostValues& raw) {
    raw.sxs_session_directory_listener =
        Fact<std::string>::failed("ClusterSettings", "access denied");
  };
  p = run(h);
  EXPECT_EQ(status(p, check_id::kSxsListener), CheckStatus::kWarn);
  h.tweak = [](RawHostValues& raw) {
    raw.sxs_listener_name = Fact<std::string>::failed("WinStations", "access denied");
  };
  p = run(h);
  EXPECT_EQ(status(p, check_id::kSxsListener), CheckStatus::kWarn);
}

// --- verdicts ---

TEST(ImageChecks, AnotherFatalCheckWinsOverTheGraceVerdict) {
  Host h;
  h.state.grace_period_end = h.now - hours(1);  // 14 alone
  h.state.edition_id = "ServerRdsh";            // plus the policy conflict: 15
  const auto p = run(h);
  EXPECT_EQ(status(p, check_id::kGracePeriod), CheckStatus::kFail);
  EXPECT_EQ(status(p, check_id::kMultiSessionPolicy), CheckStatus::kFail);
  EXPECT_EQ(p.verdict, PreflightVerdict::kFatal);
}

TEST(ImageChecks, AFailureWinsOverNotApplicable) {
  Host h;
  h.state.policy_licensing_mode = 2;
  h.state.policy_license_servers = "ls1.corp";
  const auto p = run(h, days(30), std::vector{reach("ls1.corp", {PortState::kRefused})});
  EXPECT_EQ(status(p, check_id::kLicenseServerReachable), CheckStatus::kFail);
  EXPECT_EQ(p.verdict, PreflightVerdict::kFatal);
}

TEST(ImageChecks, SkippingAFailingCheckRemovesItsFailure) {
  Host h;
  h.state.grace_period_end = h.now - hours(1);
  const auto p = run(h, days(30), std::nullopt, {"grace-period"});
  EXPECT_EQ(status(p, check_id::kGracePeriod), CheckStatus::kSkip);
  EXPECT_FALSE(p.grace_ends_within_lifetime);
  EXPECT_EQ(p.verdict, PreflightVerdict::kPass);
}

TEST(ImageChecks, VerdictNamesAndCheckIds) {
  EXPECT_EQ(verdict_name(PreflightVerdict::kGraceEndsInLifetime), "grace-ends-in-lifetime");
  EXPECT_EQ(verdict_name(PreflightVerdict::kNotApplicable), "not-applicable");
  EXPECT_TRUE(is_known_check_id("ls-reachable"));
  EXPECT_FALSE(is_known_check_id("ls-reach"));
  EXPECT_TRUE(is_multi_session_edition("ServerRdsh"));
  EXPECT_FALSE(is_multi_session_edition("ServerDatacenter"));
}

}  // namespace
}  // namespace rdwarm::imagebuild
