// The probe against rdwarm-lab, scenario by scenario: each ends the way its scenario file promises
// (lab/scenarios/*.toml, `expect`). Real sockets, real TLS, the lab as a separate process started
// by the test. Also: the chain the lab issues decodes with `rdwarm cert show` and `openssl x509`,
// the command line, and 500 concurrent probes against one lab.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "licensing/auth/client_context.hpp"
#include "licensing/crypto/registry_chain.hpp"
#include "licensing/probe/probe.hpp"
#include "licensing/wire/errinfo.hpp"
#include "licensing/wire/licensing_common.hpp"
#include "licensing/wire/licensing_error_message.hpp"
#include "licensing/wire/mcs.hpp"
#include "licensing/wire/x224.hpp"
#include "tests/integration/lab_process.hpp"
#include "tests/support/shell_command.hpp"

namespace rdwarm::testing {
namespace {

using connector::CertificateKind;
using connector::LicensedKind;
using connector::OutcomeKind;
using connector::Phase;
using namespace std::chrono_literals;
namespace lic = wire::lic;
using Clock = std::chrono::steady_clock;

probe::ProbeOptions options_for(std::uint16_t port) {
  probe::ProbeOptions o;
  o.port = port;
  o.connect_timeout = 2000ms;
  o.phase_timeout = 3000ms;
  o.overall_timeout = 10000ms;
  o.identity = connector::ClientIdentity::for_machine("RDWARM-IT");
  return o;
}

probe::ProbeResult probe_lab(const LabProcess& lab) {
  return probe::run_probe(options_for(lab.port()));
}

// Probes every `interval` until the outcome is Licensed or `limit` passes.
probe::ProbeResult probe_until_licensed(const LabProcess& lab, std::chrono::milliseconds limit,
                                        int* attempts = nullptr,
                                        std::chrono::milliseconds interval = 300ms) {
  const auto deadline = Clock::now() + limit;
  probe::ProbeResult r;
  int n = 0;
  do {
    r = probe_lab(lab);
    ++n;
    if (r.outcome.kind == OutcomeKind::Licensed) break;
    std::this_thread::sleep_for(interval);
  } while (Clock::now() < deadline);
  if (attempts != nullptr) *attempts = n;
  return r;
}

using testing::run_shell;

const std::vector<std::uint8_t> kFullLicensing{lic::LICENSE_REQUEST, lic::NEW_LICENSE_REQUEST,
                                               lic::PLATFORM_CHALLENGE,
                                               lic::PLATFORM_CHALLENGE_RESPONSE, lic::ERROR_ALERT};

void expect_no_license_server(const probe::ProbeResult& r, const std::string& log) {
  const auto& o = r.outcome;
  ASSERT_EQ(o.kind, OutcomeKind::LicensingFailed) << o.detail << "\n" << log;
  EXPECT_EQ(o.license_error_code, lic::ERR_NO_LICENSE_SERVER);
  EXPECT_EQ(o.license_state_transition, lic::ST_TOTAL_ABORT);
  EXPECT_EQ(o.error_info, wire::ERRINFO_LICENSE_NO_LICENSE_SERVER);
  EXPECT_EQ(o.disconnect_reason, wire::RN_PROVIDER_INITIATED);
  EXPECT_EQ(o.licensing_messages, kFullLicensing);  // only after the Challenge Response
  EXPECT_EQ(o.server_certificate.kind, CertificateKind::Proprietary);
  EXPECT_EQ(o.server_certificate.key_bits, 512u);
}

void expect_lab_chain(const connector::Outcome& o) {
  EXPECT_EQ(o.server_certificate.kind, CertificateKind::X509Chain);
  ASSERT_EQ(o.server_certificate.chain.size(), 2u);
  const auto& leaf = o.server_certificate.chain[1];
  EXPECT_NE(leaf.issuer.find("LAB-LS"), std::string::npos) << leaf.issuer;
  EXPECT_NE(leaf.subject.find("LAB-SH01"), std::string::npos) << leaf.subject;
  EXPECT_TRUE(leaf.has_microsoft_licensing_extensions);
  EXPECT_EQ(leaf.key_bits, 2048u);
}

TEST(LabScenarios, FirstBootFailsWithNoLicenseServerThenLicensesAfterTheLatency) {
  LabProcess lab("first-boot");
  const auto started = Clock::now();
  const auto first = probe_lab(lab);
  expect_no_license_server(first, lab.log());
  EXPECT_TRUE(lab.state().x509_certificate2.empty());

  int attempts = 0;
  const auto later = probe_until_licensed(lab, 10s, &attempts);
  const auto waited = Clock::now() - started;
  const auto& o = later.outcome;
  ASSERT_EQ(o.kind, OutcomeKind::Licensed) << o.detail << "\n" << lab.log();
  EXPECT_EQ(o.licensed, LicensedKind::ValidClient);
  EXPECT_TRUE(o.demand_active);
  expect_lab_chain(o);
  EXPECT_GE(waited, 3s) << "the license server answers after 3 s";
  EXPECT_GT(attempts, 1);
  // The host stored what it presents, as "X509 Certificate2".
  auto stored = crypto::decode_registry_certificate_chain(lab.state().x509_certificate2);
  ASSERT_TRUE(stored.ok()) << stored.error().message();
  ASSERT_EQ(stored->size(), 2u);
  EXPECT_EQ((*stored)[0].der, o.server_certificate.chain[0].der);
  EXPECT_EQ((*stored)[1].der, o.server_certificate.chain[1].der);
  ASSERT_EQ(lab.stop(), 0);
  EXPECT_NE(lab.log().find("requests 1, issued 1"), std::string::npos) << lab.log();
}

TEST(LabScenarios, WarmIsLicensedWithTheChainFromTheFirstConnection) {
  LabProcess lab("warm");
  const auto r = probe_lab(lab);
  ASSERT_EQ(r.outcome.kind, OutcomeKind::Licensed) << r.outcome.detail << "\n" << lab.log();
  EXPECT_EQ(r.outcome.licensed, LicensedKind::ValidClient);
  EXPECT_TRUE(r.outcome.demand_active);
  EXPECT_EQ(r.outcome.licensing_messages, kFullLicensing);
  expect_lab_chain(r.outcome);
  EXPECT_FALSE(r.tls_version.empty());
}

TEST(LabScenarios, GraceActiveLicensesWithTheProprietaryCertificateWhileTheChainIsFetched) {
  LabProcess lab("grace-active");
  const auto first = probe_lab(lab);
  ASSERT_EQ(first.outcome.kind, OutcomeKind::Licensed) << first.outcome.detail << "\n" << lab.log();
  EXPECT_EQ(first.outcome.licensed, LicensedKind::ValidClient);
  EXPECT_EQ(first.outcome.server_certificate.kind, CertificateKind::Proprietary);
  const auto deadline = Clock::now() + 10s;
  probe::ProbeResult later;
  do {
    std::this_thread::sleep_for(300ms);
    later = probe_lab(lab);
  } while (later.outcome.server_certificate.kind != CertificateKind::X509Chain &&
           Clock::now() < deadline);
  ASSERT_EQ(later.outcome.kind, OutcomeKind::Licensed);
  expect_lab_chain(later.outcome);
  const auto state = lab.state();
  ASSERT_TRUE(state.grace_period_end.has_value());
  EXPECT_GT(*state.grace_period_end,
            std::chrono::system_clock::now() + std::chrono::hours(24 * 59));
}

TEST(LabScenarios, LicenseServerDownFailsEveryTime) {
  LabProcess lab("ls-down");
  expect_no_license_server(probe_lab(lab), lab.log());
  // The host's request fails after the license server's 1 s; the next connection asks again.
  std::this_thread::sleep_for(1300ms);
  expect_no_license_server(probe_lab(lab), lab.log());
  expect_no_license_server(probe_lab(lab), lab.log());
  ASSERT_EQ(lab.stop(), 0);
  const std::string log = lab.log();
  EXPECT_NE(log.find("certificate request failed"), std::string::npos) << log;
  EXPECT_NE(log.find("requests 2, issued 0"), std::string::npos) << log;
  EXPECT_NE(log.find("no X.509 chain"), std::string::npos) << log;
}

TEST(LabScenarios, FlakyLicenseServerIsOvercomeByRetrying) {
  LabProcess lab("ls-flaky");
  const auto first = probe_lab(lab);
  expect_no_license_server(first, lab.log());
  int attempts = 0;
  const auto r = probe_until_licensed(lab, 25s, &attempts);
  ASSERT_EQ(r.outcome.kind, OutcomeKind::Licensed) << r.outcome.detail << "\n" << lab.log();
  expect_lab_chain(r.outcome);
  EXPECT_GT(attempts, 1);
  ASSERT_EQ(lab.stop(), 0);
  // Every request inside the 2 s outage failed as an outage; later ones may fail as flaky.
  const std::string log = lab.log();
  EXPECT_EQ(log.find("failed (outage) 0"), std::string::npos) << log;
  EXPECT_NE(log.find("X.509 chain installed after"), std::string::npos) << log;
}

TEST(LabScenarios, NlaRequiredIsANegotiationVerdict) {
  LabProcess lab("nla-required");
  const auto r = probe_lab(lab);
  ASSERT_EQ(r.outcome.kind, OutcomeKind::NegotiationFailure) << r.outcome.detail;
  EXPECT_EQ(r.outcome.negotiation_failure, wire::HYBRID_REQUIRED_BY_SERVER);
  EXPECT_TRUE(r.outcome.nla_required());
  EXPECT_EQ(lab.state().user_authentication, 1u);
}

TEST(LabScenarios, PerDeviceIssuesANewLicense) {
  LabProcess lab("per-device");
  const auto r = probe_lab(lab);
  ASSERT_EQ(r.outcome.kind, OutcomeKind::Licensed) << r.outcome.detail << "\n" << lab.log();
  EXPECT_EQ(r.outcome.licensed, LicensedKind::NewLicense);  // its MAC verified by the probe
  EXPECT_TRUE(r.outcome.demand_active);
  EXPECT_EQ(r.outcome.licensing_messages.back(), lic::NEW_LICENSE);
  expect_lab_chain(r.outcome);
  EXPECT_EQ(lab.state().policy_licensing_mode, 2u);
}

TEST(LabScenarios, BootStormQueuesTheCertificateBehindTheOtherHosts) {
  LabProcess lab("boot-storm");
  const auto started = Clock::now();
  expect_no_license_server(probe_lab(lab), lab.log());
  const auto r = probe_until_licensed(lab, 20s, nullptr, 500ms);
  ASSERT_EQ(r.outcome.kind, OutcomeKind::Licensed) << r.outcome.detail << "\n" << lab.log();
  expect_lab_chain(r.outcome);
  // 80 requests ahead of ours at 20 per second.
  EXPECT_GE(Clock::now() - started, 3500ms);
  ASSERT_EQ(lab.stop(), 0);
  const std::string log = lab.log();
  EXPECT_NE(log.find("requests 81, issued 81"), std::string::npos) << log;
  EXPECT_NE(log.find("80/80 other hosts served"), std::string::npos) << log;
}

TEST(LabScenarios, LicenseServerWithoutCalsGivesInvalidClient) {
  LabProcess lab("ls-no-licenses");
  const auto r = probe_lab(lab);
  const auto& o = r.outcome;
  ASSERT_EQ(o.kind, OutcomeKind::LicensingFailed) << o.detail;
  EXPECT_EQ(o.license_error_code, lic::ERR_INVALID_CLIENT);
  EXPECT_EQ(o.license_state_transition, lic::ST_TOTAL_ABORT);
  EXPECT_EQ(o.error_info, wire::ERRINFO_LICENSE_NO_LICENSE);
  expect_lab_chain(o);
}

TEST(LabScenarios, DrainModeLicensesThenRefusesTheLogonUntilTheGateOpens) {
  LabProcess lab("drain");
  const auto refused = probe_lab(lab);
  ASSERT_EQ(refused.outcome.kind, OutcomeKind::Licensed) << refused.outcome.detail;
  EXPECT_FALSE(refused.outcome.demand_active);
  EXPECT_EQ(refused.outcome.error_info, wire::ERRINFO_SERVER_DENIED_CONNECTION);
  EXPECT_EQ(refused.outcome.disconnect_reason, wire::RN_PROVIDER_INITIATED);
  // The agent opens the gate through the state file; the lab reads it at the next logon.
  ASSERT_TRUE(host::lab::update_lab_state_file(lab.state_file(), [](host::lab::LabHostState& s) {
                s.drain_mode = 0;
              }).ok());
  const auto admitted = probe_lab(lab);
  ASSERT_EQ(admitted.outcome.kind, OutcomeKind::Licensed);
  EXPECT_TRUE(admitted.outcome.demand_active);
  EXPECT_FALSE(admitted.outcome.error_info.has_value());
  ASSERT_EQ(lab.stop(), 0);
  EXPECT_NE(lab.log().find("logons refused 1"), std::string::npos) << lab.log();
}

TEST(LabScenarios, NoRdshRoleAnswersValidClientWithoutLicensing) {
  LabProcess lab("not-rdsh");
  const auto r = probe_lab(lab);
  ASSERT_EQ(r.outcome.kind, OutcomeKind::Licensed) << r.outcome.detail;
  EXPECT_EQ(r.outcome.licensing_messages, std::vector<std::uint8_t>{lic::ERROR_ALERT});
  EXPECT_EQ(r.outcome.server_certificate.kind, CertificateKind::None);
  EXPECT_FALSE(lab.state().rdsh_role);
}

TEST(LabFaults, ResetAfterTheLicenseRequest) {
  LabProcess lab("fault-reset");
  const auto r = probe_lab(lab);
  const auto& o = r.outcome;
  ASSERT_EQ(o.kind, OutcomeKind::LicensingFailed) << o.detail;
  EXPECT_FALSE(o.license_error_code.has_value());
  EXPECT_FALSE(o.error_info.has_value());
  EXPECT_EQ(o.server_certificate.kind, CertificateKind::X509Chain);  // the request did arrive
  EXPECT_EQ(o.licensing_messages.front(), lic::LICENSE_REQUEST);
}

TEST(LabFaults, StallInLicensingIsATimeoutInLicensing) {
  LabProcess lab("fault-stall");
  auto options = options_for(lab.port());
  options.phase_timeout = 1500ms;
  const auto r = probe::run_probe(options);
  ASSERT_EQ(r.outcome.kind, OutcomeKind::Timeout) << r.outcome.detail;
  EXPECT_EQ(r.outcome.phase, Phase::Licensing);
  EXPECT_GE(r.timings.back().duration, 1400ms);
}

TEST(LabFaults, MalformedLicenseRequestIsAProtocolError) {
  LabProcess lab("fault-malformed");
  const auto r = probe_lab(lab);
  ASSERT_EQ(r.outcome.kind, OutcomeKind::ProtocolError) << r.outcome.detail;
  EXPECT_EQ(r.outcome.phase, Phase::Licensing);
  EXPECT_NE(r.outcome.detail.find("SERVER_LICENSE_REQUEST"), std::string::npos) << r.outcome.detail;
}

// Other stall points and faults limited to the first connections, from scenario files the test
// writes (--scenario takes a path).
std::string write_scenario(const ScopedTempDir& dir, const std::string& name,
                           const std::string& body) {
  const auto path = dir.path() / (name + ".toml");
  std::ofstream(path) << "description = \"" << name << "\"\n[host]\ncertificate = true\n" << body;
  return path.string();
}

TEST(LabFaults, StallAtTlsAndAtMcsTimeOutInThoseProbePhases) {
  ScopedTempDir dir("rdwarm-lab-scenarios");
  struct Case {
    const char* phase;
    Phase probe_phase;
  };
  for (const Case c : {Case{"tls", Phase::Tls}, Case{"mcs", Phase::BasicSettings},
                       Case{"channels", Phase::ChannelConnection}}) {
    LabProcess lab(
        write_scenario(dir, std::string("stall-") + c.phase,
                       std::string("[fault]\nkind = \"stall\"\nphase = \"") + c.phase + "\"\n"));
    auto options = options_for(lab.port());
    options.phase_timeout = 1000ms;
    const auto r = probe::run_probe(options);
    EXPECT_EQ(r.outcome.kind, OutcomeKind::Timeout) << c.phase << ": " << r.outcome.detail;
    EXPECT_EQ(r.outcome.phase, c.probe_phase) << c.phase;
  }
}

TEST(LabFaults, FaultOnTheFirstConnectionOnlyThenNormalService) {
  ScopedTempDir dir("rdwarm-lab-scenarios");
  LabProcess lab(write_scenario(dir, "malformed-once",
                                "[fault]\nkind = \"malformed\"\npdu = \"connect-response\"\n"
                                "first_connections = 1\n"));
  const auto first = probe_lab(lab);
  EXPECT_EQ(first.outcome.kind, OutcomeKind::ProtocolError) << first.outcome.detail;
  EXPECT_EQ(first.outcome.phase, Phase::BasicSettings);
  const auto second = probe_lab(lab);
  EXPECT_EQ(second.outcome.kind, OutcomeKind::Licensed) << second.outcome.detail;
}

TEST(LabChain, DecodesWithRdwarmCertShowAndOpenssl) {
  LabProcess lab("warm");
  const auto value = lab.state().x509_certificate2;
  ASSERT_FALSE(value.empty());
  ScopedTempDir dir("rdwarm-lab-chain");
  const auto raw = dir.path() / "x509-certificate2.bin";
  std::ofstream(raw, std::ios::binary)
      .write(reinterpret_cast<const char*>(value.data()),
             static_cast<std::streamsize>(value.size()));

  const auto shown = run_shell(std::string(RDWARM_BINARY) + " cert show --json " + raw.string());
  ASSERT_EQ(shown.exit_code, 0) << shown.output;
  const auto j = nlohmann::json::parse(shown.output);
  ASSERT_EQ(j["certificates"].size(), 2u);
  EXPECT_EQ(j["certificates"][1]["key_bits"], 2048);
  EXPECT_TRUE(j["certificates"][1]["microsoft_licensing_extensions"].get<bool>());
  const auto text = run_shell(std::string(RDWARM_BINARY) + " cert show " + raw.string());
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.output.find("LAB-LS"), std::string::npos) << text.output;

  auto chain = crypto::decode_registry_certificate_chain(value);
  ASSERT_TRUE(chain.ok());
  for (std::size_t i = 0; i < chain->size(); ++i) {
    const auto der = dir.path() / ("cert" + std::to_string(i) + ".der");
    std::ofstream(der, std::ios::binary)
        .write(reinterpret_cast<const char*>((*chain)[i].der.data()),
               static_cast<std::streamsize>((*chain)[i].der.size()));
    const auto out = run_shell("openssl x509 -inform DER -in " + der.string() +
                               " -noout -subject -issuer -dates -nameopt RFC2253");
    ASSERT_EQ(out.exit_code, 0) << out.output;
    EXPECT_NE(out.output.find("issuer="), std::string::npos) << out.output;
    EXPECT_NE(out.output.find("CN=LAB-LS"), std::string::npos) << out.output;
    EXPECT_NE(out.output.find("notAfter="), std::string::npos);
  }
  // The session host certificate is signed by the license server certificate. OpenSSL must be
  // told to accept the Microsoft licensing extensions (critical, unknown to it) and the SHA-1
  // signature that licensing certificates use.
  const auto pem = [&](int i) {
    const auto p = dir.path() / ("cert" + std::to_string(i) + ".pem");
    const auto converted = run_shell("openssl x509 -inform DER -in " +
                                     (dir.path() / ("cert" + std::to_string(i) + ".der")).string() +
                                     " -out " + p.string());
    EXPECT_EQ(converted.exit_code, 0) << converted.output;
    return p.string();
  };
  const std::string root = pem(0), leaf = pem(1);
  const auto verified = run_shell(
      "openssl verify -no-CApath -ignore_critical -auth_level 0 -CAfile " + root + " " + leaf);
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_NE(verified.output.find(": OK"), std::string::npos) << verified.output;
}

TEST(LabCommandLine, BinaryProbeExitCodesFollowTheScenario) {
  LabProcess first("first-boot");
  const auto failed =
      run_shell(std::string(RDWARM_BINARY) + " probe 127.0.0.1:" + std::to_string(first.port()));
  EXPECT_EQ(failed.exit_code, 10) << failed.output;
  EXPECT_NE(failed.output.find("0x101"), std::string::npos) << failed.output;
  LabProcess warm("warm");
  const auto ok = run_shell(std::string(RDWARM_BINARY) +
                            " probe --json 127.0.0.1:" + std::to_string(warm.port()));
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  const auto j = nlohmann::json::parse(ok.output);
  EXPECT_EQ(j["outcome"], "Licensed");
}

TEST(LabCommandLine, HelpListsEveryScenarioAndBadInputExitsTwo) {
  const auto help = run_shell(std::string(RDWARM_LAB_BINARY) + " --help");
  ASSERT_EQ(help.exit_code, 0) << help.output;
  for (const char* name :
       {"first-boot", "warm", "grace-active", "ls-down", "ls-flaky", "nla-required", "per-device",
        "boot-storm", "fault-reset", "fault-stall", "fault-malformed"}) {
    EXPECT_NE(help.output.find(name), std::string::npos) << name;
  }
  const auto list = run_shell(std::string(RDWARM_LAB_BINARY) + " --list-scenarios");
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_NE(list.output.find("first-boot"), std::string::npos);
  const auto show = run_shell(std::string(RDWARM_LAB_BINARY) + " --show-scenario first-boot");
  EXPECT_EQ(show.exit_code, 0);
  EXPECT_NE(show.output.find("latency = \"3s\""), std::string::npos) << show.output;
  const auto unknown =
      run_shell(std::string(RDWARM_LAB_BINARY) + " --scenario frist-boot --state-dir /tmp/x");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("first-boot"), std::string::npos) << unknown.output;
  const auto missing = run_shell(std::string(RDWARM_LAB_BINARY) + " --scenario warm");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("--state-dir"), std::string::npos) << missing.output;
}

TEST(LabCommandLine, SigtermStopsCleanlyWithASummary) {
  LabProcess lab("warm");
  ASSERT_EQ(probe_lab(lab).outcome.kind, OutcomeKind::Licensed);
  ASSERT_EQ(lab.stop(), 0) << lab.log();
  const std::string log = lab.log();
  EXPECT_NE(log.find("stopping on SIGTERM"), std::string::npos) << log;
  EXPECT_NE(log.find("connections 1 "), std::string::npos) << log;
  EXPECT_NE(log.find("licensed 1,"), std::string::npos) << log;
}

// Many probes at once against one lab process: every one licensed, none lost.
TEST(LabConcurrency, FiveHundredConcurrentProbesAllLicensed) {
  LabProcess lab("warm", {"--log-level", "quiet"});
  constexpr int kProbes = 500;
  boost::asio::io_context io(1);
  std::vector<probe::ProbeResult> results;
  results.reserve(kProbes);
  auto options = options_for(lab.port());
  options.connect_timeout = 10000ms;
  options.phase_timeout = 20000ms;
  options.overall_timeout = 60000ms;
  const auto start = Clock::now();
  for (int i = 0; i < kProbes; ++i)
    probe::async_probe(io, options, [&](probe::ProbeResult r) { results.push_back(std::move(r)); });
  io.run();
  const auto elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  ASSERT_EQ(results.size(), static_cast<std::size_t>(kProbes));
  int licensed = 0;
  for (const auto& r : results) {
    if (r.outcome.kind == OutcomeKind::Licensed && r.outcome.demand_active) {
      ++licensed;
    } else {
      ADD_FAILURE() << connector::outcome_kind_name(r.outcome.kind) << " in "
                    << connector::phase_name(r.outcome.phase) << ": " << r.outcome.detail;
    }
  }
  EXPECT_EQ(licensed, kProbes);
  std::printf("500 concurrent probes: %.2f s, %.0f probes/s\n", elapsed, kProbes / elapsed);
  ASSERT_EQ(lab.stop(), 0);
  const std::string log = lab.log();
  EXPECT_NE(log.find("connections 500 "), std::string::npos) << log;
  EXPECT_NE(log.find("licensed 500,"), std::string::npos) << log;
}

// NLA: the nla-required scenario authenticates for real (CredSSP, NTLM against its [nla] account)
// and then licenses like warm. The probe offers CredSSP only when it has credentials.
constexpr const char* kLabPassword = "lab-only-Passw0rd";  // lab/scenarios/nla-required.toml

probe::ProbeOptions nla_options(std::uint16_t port, std::string password = kLabPassword,
                                auth::TokenFormat tokens = auth::TokenFormat::kSpnego) {
  auto o = options_for(port);
  auth::Credentials c;
  c.user = "probe";
  c.domain = "LAB";
  c.password = auth::Secret(std::move(password));
  c.source = "test";
  o.credentials = std::move(c);
  o.nla_tokens = tokens;
  return o;
}

std::optional<std::chrono::microseconds> phase_time(const probe::ProbeResult& r, Phase phase) {
  for (const auto& t : r.timings)
    if (t.phase == phase) return t.duration;
  return std::nullopt;
}

TEST(LabNla, TheAccountsPasswordAuthenticatesAndLicensingProceedsLikeWarm) {
  LabProcess lab("nla-required");
  for (const auto tokens : {auth::TokenFormat::kSpnego, auth::TokenFormat::kRawNtlm}) {
    const auto r = probe::run_probe(nla_options(lab.port(), kLabPassword, tokens));
    const auto& o = r.outcome;
    const auto format = auth::token_format_name(tokens);
    ASSERT_EQ(o.kind, OutcomeKind::Licensed) << format << ": " << o.detail << "\n" << lab.log();
    EXPECT_EQ(o.licensed, LicensedKind::ValidClient);
    EXPECT_TRUE(o.demand_active);
    EXPECT_EQ(o.selected_protocol, wire::PROTOCOL_HYBRID_EX);
    EXPECT_EQ(o.auth_mechanism, "NTLM");
    EXPECT_EQ(o.credssp_version, 6u);
    EXPECT_EQ(o.authorization_result, 0u);  // AUTHZ_SUCCESS
    EXPECT_EQ(o.licensing_messages, kFullLicensing);
    expect_lab_chain(o);
    const auto auth_time = phase_time(r, Phase::Authentication);
    ASSERT_TRUE(auth_time.has_value()) << format;
    EXPECT_GT(auth_time->count(), 0);
  }
  ASSERT_EQ(lab.stop(), 0);
  const std::string log = lab.log();
  EXPECT_NE(log.find("nla LAB\\probe NTLM in SPNEGO, CredSSP 6, authenticated, AUTHZ_SUCCESS"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("nla LAB\\probe NTLM (bare), CredSSP 6, authenticated"), std::string::npos)
      << log;
  EXPECT_NE(log.find("NLA account LAB\\probe (enabled): authenticated 2, refused 0"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("licensed 2,"), std::string::npos) << log;
  EXPECT_EQ(log.find(kLabPassword), std::string::npos) << "the lab logged the password";
}

TEST(LabNla, AWrongPasswordIsAuthenticationFailedWithLogonFailure) {
  LabProcess lab("nla-required");
  const auto r = probe::run_probe(nla_options(lab.port(), "Wrong-Passw0rd"));
  const auto& o = r.outcome;
  ASSERT_EQ(o.kind, OutcomeKind::AuthenticationFailed) << o.detail << "\n" << lab.log();
  EXPECT_EQ(o.phase, Phase::Authentication);
  EXPECT_EQ(o.nla_error_code, 0xC000006Du);  // STATUS_LOGON_FAILURE
  EXPECT_TRUE(o.licensing_messages.empty());
  EXPECT_EQ(o.detail.find("Wrong-Passw0rd"), std::string::npos) << o.detail;
  ASSERT_EQ(lab.stop(), 0);
  const std::string log = lab.log();
  EXPECT_NE(log.find("refused STATUS_LOGON_FAILURE (0xC000006D)"), std::string::npos) << log;
  EXPECT_NE(log.find("authenticated 0, refused 1"), std::string::npos) << log;
  EXPECT_EQ(log.find("Wrong-Passw0rd"), std::string::npos) << log;
}

TEST(LabNla, WithoutCredentialsItStaysTheNlaRequiredVerdict) {
  LabProcess lab("nla-required");
  const auto r = probe_lab(lab);
  ASSERT_EQ(r.outcome.kind, OutcomeKind::NegotiationFailure) << r.outcome.detail;
  EXPECT_EQ(r.outcome.negotiation_failure, wire::HYBRID_REQUIRED_BY_SERVER);
  EXPECT_FALSE(r.outcome.credssp_version.has_value());
}

TEST(LabNla, AccountStatesAndTheRemoteDesktopRightFromScenarioFiles) {
  ScopedTempDir dir("rdwarm-lab-scenarios");
  struct Case {
    const char* nla;
    OutcomeKind kind;
    std::optional<std::uint32_t> error_code;
    std::optional<std::uint32_t> authorization;
  };
  for (const Case c :
       {Case{"account_state = \"disabled\"\n", OutcomeKind::AuthenticationFailed, 0xC0000072u, {}},
        Case{"account_state = \"password-must-change\"\n",
             OutcomeKind::AuthenticationFailed,
             0xC0000224u,
             {}},
        Case{"remote_desktop_right = false\n", OutcomeKind::AuthenticationFailed, {}, 5u},
        Case{"credssp_version = 4\nuser = \"svc\"\ndomain = \"\"\npassword = \"S3cond-Lab-Only\"\n",
             OutcomeKind::Licensed,
             {},
             0u}}) {
    LabProcess lab(
        write_scenario(dir, "nla-case", std::string("nla_required = true\n[nla]\n") + c.nla));
    auto options = nla_options(lab.port());
    if (std::string(c.nla).find("svc") != std::string::npos) {
      options.credentials->user = "svc";
      options.credentials->domain = ".";
      options.credentials->password = auth::Secret("S3cond-Lab-Only");
    }
    const auto r = probe::run_probe(options);
    EXPECT_EQ(r.outcome.kind, c.kind) << c.nla << r.outcome.detail << "\n" << lab.log();
    EXPECT_EQ(r.outcome.nla_error_code, c.error_code) << c.nla;
    EXPECT_EQ(r.outcome.authorization_result, c.authorization) << c.nla;
    if (c.kind == OutcomeKind::Licensed) {
      EXPECT_EQ(r.outcome.credssp_version, 4u);
    }
  }
}

TEST(LabNla, CommandLineExitCodesWithAndWithoutCredentials) {
  LabProcess lab("nla-required");
  const std::string target = " 127.0.0.1:" + std::to_string(lab.port());
  const auto without = run_shell(std::string(RDWARM_BINARY) + " probe" + target);
  EXPECT_EQ(without.exit_code, 12) << without.output;
  EXPECT_NE(without.output.find("HYBRID_REQUIRED_BY_SERVER"), std::string::npos) << without.output;

  const auto ok =
      run_shell(std::string("RDWARM_IT_NLA_PASSWORD=") + kLabPassword + " " + RDWARM_BINARY +
                " probe --json --user probe --domain LAB "
                "--password-env RDWARM_IT_NLA_PASSWORD" +
                target);
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  const auto j = nlohmann::json::parse(ok.output);
  EXPECT_EQ(j["outcome"], "Licensed");
  EXPECT_EQ(ok.output.find(kLabPassword), std::string::npos) << ok.output;

  ScopedTempDir dir("rdwarm-nla-password");
  const auto file = dir.path() / "password";
  std::ofstream(file) << "Wrong-Passw0rd\n";
  std::filesystem::permissions(
      file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const auto refused =
      run_shell(std::string(RDWARM_BINARY) + " probe --user probe --domain LAB --password-file " +
                file.string() + target);
  EXPECT_EQ(refused.exit_code, 16) << refused.output;
  EXPECT_NE(refused.output.find("STATUS_LOGON_FAILURE"), std::string::npos) << refused.output;
}

// What NLA costs a probe against the lab on loopback: median of several runs, TLS only (warm)
// against CredSSP with NTLM (nla-required, same host otherwise).
}  // namespace
}  // namespace rdwarm::testing
