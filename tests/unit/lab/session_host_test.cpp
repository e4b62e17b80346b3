// The session host's shared state against a real (emulated) license server on an io_context:
// the background certificate request, its deduplication and retry, the state file it writes, and
// admission read back from that file.
#include "lab/session_host/session_host.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "licensing/crypto/registry_chain.hpp"
#include "licensing/crypto/server_certificate.hpp"
#include "licensing/wire/errinfo.hpp"
#include "tests/support/ports.hpp"

namespace rdwarm::lab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using host::lab::LabHostState;

Scenario first_boot(std::chrono::milliseconds latency) {
  Scenario s;
  s.name = "test";
  s.description = "test";
  s.license_server.latency = latency;
  return s;
}

// Runs the io_context until `done` or 5 s.
template <class Pred>
bool run_until(boost::asio::io_context& io, Pred done) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(10ms);
  }
  return done();
}

class SessionHostTest : public ::testing::Test {
 protected:
  rdwarm::testing::ScopedTempDir dir_{"rdwarm-lab-host"};
  fs::path file_ = dir_.path() / "host-state.json";
  boost::asio::io_context io_;
};

TEST_F(SessionHostTest, FirstConnectionAsksOnceAndTheChainLandsInTheStateFile) {
  const Scenario s = first_boot(100ms);
  LicenseServer ls(io_.get_executor(), s.license_server);
  SessionHost host(s, file_, ls);
  ASSERT_TRUE(host.start().ok());

  auto before = host::lab::read_lab_state_file(file_);
  ASSERT_TRUE(before.ok()) << before.error().message();
  EXPECT_TRUE(before->x509_certificate2.empty());
  EXPECT_EQ(before->policy_licensing_mode, 4u);
  EXPECT_EQ(before->policy_license_servers, "LAB-LS");
  ASSERT_TRUE(before->grace_period_end.has_value());
  EXPECT_LT(*before->grace_period_end, std::chrono::system_clock::now());

  auto first = host.begin_licensing();
  EXPECT_EQ(first->kind, crypto::CertificateKind::Proprietary);
  auto cert = crypto::decode_server_certificate(first->server_certificate);
  ASSERT_TRUE(cert.ok()) << cert.error().message();
  EXPECT_EQ(cert->key.bits(), 512u);
  EXPECT_TRUE(host.certificate_request_outstanding());
  // Grace over, no certificate: the verdict fails while the request runs.
  EXPECT_EQ(host.decide({}).kind, VerdictKind::NoLicenseServer);
  // A second connection meanwhile does not ask again.
  (void)host.begin_licensing();
  EXPECT_EQ(ls.stats().requests, 1u);

  ASSERT_TRUE(run_until(io_, [&] { return host.has_certificate(); }));
  EXPECT_FALSE(host.certificate_request_outstanding());
  auto after = host.begin_licensing();
  EXPECT_EQ(after->kind, crypto::CertificateKind::X509Chain);
  auto chain = crypto::decode_server_certificate(after->server_certificate);
  ASSERT_TRUE(chain.ok()) << chain.error().message();
  EXPECT_EQ(chain->chain.size(), 2u);
  EXPECT_EQ(chain->key.bits(), 2048u);
  EXPECT_EQ(host.decide({}).kind, VerdictKind::ValidClient);
  EXPECT_EQ(ls.stats().requests, 1u);

  auto stored = host::lab::read_lab_state_file(file_);
  ASSERT_TRUE(stored.ok());
  auto registry = crypto::decode_registry_certificate_chain(stored->x509_certificate2);
  ASSERT_TRUE(registry.ok()) << registry.error().message();
  ASSERT_EQ(registry->size(), 2u);
  EXPECT_NE((*registry)[1].issuer.find("LAB-LS"), std::string::npos);
  EXPECT_NE((*registry)[1].subject.find("LAB-SH01"), std::string::npos);
  EXPECT_EQ((*registry)[1].der, chain->chain[1].der);  // what it sends is what it stored
  EXPECT_GT(stored->revision, before->revision);
  ASSERT_TRUE(host.stats().certificate_after.has_value());
  EXPECT_GE(*host.stats().certificate_after, 100ms);
}

TEST_F(SessionHostTest, FailedRequestIsRetriedByTheNextConnection) {
  // The outage counts from the license server's construction; the host's key generation before
  // the first request takes a moment on a loaded machine, so the window is wide and the second
  // request waits for its end rather than for a fixed time.
  constexpr auto kOutage = 2000ms;
  Scenario s = first_boot(20ms);
  s.license_server.outages = {{0ms, kOutage}};
  const auto before_ls = std::chrono::steady_clock::now();
  LicenseServer ls(io_.get_executor(), s.license_server);
  const auto after_ls = std::chrono::steady_clock::now();  // the window ends by after_ls + kOutage
  SessionHost host(s, file_, ls);
  ASSERT_TRUE(host.start().ok());
  if (std::chrono::steady_clock::now() - before_ls > kOutage - 300ms) {
    GTEST_SKIP() << "setting up the host took longer than the outage window";
  }
  (void)host.begin_licensing();
  ASSERT_TRUE(run_until(io_, [&] { return !host.certificate_request_outstanding(); }));
  EXPECT_FALSE(host.has_certificate());
  EXPECT_EQ(host.stats().certificate_failures, 1u);
  // Nothing asks until a connection comes; after the outage the next one succeeds.
  std::this_thread::sleep_until(after_ls + kOutage + 50ms);
  (void)host.begin_licensing();
  EXPECT_TRUE(host.certificate_request_outstanding());
  ASSERT_TRUE(run_until(io_, [&] { return host.has_certificate(); }));
  EXPECT_EQ(ls.stats().requests, 2u);
  EXPECT_EQ(ls.stats().failed_outage, 1u);
}

TEST_F(SessionHostTest, WarmHostStartsWithTheChainAndNeverAsks) {
  Scenario s = first_boot(10ms);
  s.host.certificate = true;
  LicenseServer ls(io_.get_executor(), s.license_server);
  SessionHost host(s, file_, ls);
  ASSERT_TRUE(host.start().ok());
  EXPECT_TRUE(host.has_certificate());
  EXPECT_EQ(host.begin_licensing()->kind, crypto::CertificateKind::X509Chain);
  EXPECT_EQ(ls.stats().requests, 0u);
  auto stored = host::lab::read_lab_state_file(file_);
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE(stored->x509_certificate2.empty());
}

TEST_F(SessionHostTest, NotConfiguredModeDoesNotAskAndGraceAbsentIsActive) {
  Scenario s = first_boot(10ms);
  s.host.licensing_mode = LicensingMode::NotConfigured;
  s.host.mode_source = ModeSource::Local;
  s.host.grace_left = std::nullopt;
  LicenseServer ls(io_.get_executor(), s.license_server);
  SessionHost host(s, file_, ls);
  ASSERT_TRUE(host.start().ok());
  (void)host.begin_licensing();
  EXPECT_FALSE(host.certificate_request_outstanding());
  EXPECT_EQ(host.decide({}).kind, VerdictKind::ValidClient);
  auto stored = host::lab::read_lab_state_file(file_);
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE(stored->grace_period_end.has_value());
  EXPECT_FALSE(stored->policy_licensing_mode.has_value());
  EXPECT_EQ(stored->local_licensing_mode, 5u);
  EXPECT_EQ(stored->local_license_servers, std::vector<std::string>{"LAB-LS"});
}

TEST_F(SessionHostTest, AdmissionFollowsTheStateFileAndTheLabKeepsTheGate) {
  Scenario s = first_boot(100ms);
  LicenseServer ls(io_.get_executor(), s.license_server);
  SessionHost host(s, file_, ls);
  ASSERT_TRUE(host.start().ok());
  EXPECT_TRUE(host.admission().allowed);
  // The agent closes the gate (through the same locked update the lab uses).
  ASSERT_TRUE(
      host::lab::update_lab_state_file(file_, [](LabHostState& st) { st.drain_mode = 1; }).ok());
  auto refused = host.admission();
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.error_info, wire::ERRINFO_SERVER_DENIED_CONNECTION);
  EXPECT_NE(refused.reason.find("drain"), std::string::npos);
  // The certificate arriving rewrites the file, but not the gate.
  (void)host.begin_licensing();
  ASSERT_TRUE(run_until(io_, [&] { return host.has_certificate(); }));
  auto stored = host::lab::read_lab_state_file(file_);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->drain_mode, 1u);
  EXPECT_FALSE(stored->x509_certificate2.empty());
  ASSERT_TRUE(host::lab::update_lab_state_file(file_, [](LabHostState& st) {
                st.drain_mode = 0;
                st.winstations_disabled = 1;
              }).ok());
  auto disabled = host.admission();
  EXPECT_FALSE(disabled.allowed);
  EXPECT_NE(disabled.reason.find("WinStationsDisabled"), std::string::npos);
  ASSERT_TRUE(host::lab::update_lab_state_file(file_, [](LabHostState& st) {
                st.winstations_disabled = 0;
              }).ok());
  EXPECT_TRUE(host.admission().allowed);
}

TEST_F(SessionHostTest, RestartKeepsTheGateButResetsTheCertificateToTheScenario) {
  {
    Scenario s = first_boot(10ms);
    s.host.certificate = true;
    LicenseServer ls(io_.get_executor(), s.license_server);
    SessionHost host(s, file_, ls);
    ASSERT_TRUE(host.start().ok());
  }
  ASSERT_TRUE(
      host::lab::update_lab_state_file(file_, [](LabHostState& st) { st.drain_mode = 2; }).ok());
  Scenario s = first_boot(10ms);
  LicenseServer ls(io_.get_executor(), s.license_server);
  SessionHost host(s, file_, ls);
  ASSERT_TRUE(host.start().ok());
  auto stored = host::lab::read_lab_state_file(file_);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->drain_mode, 2u);
  EXPECT_TRUE(stored->x509_certificate2.empty()) << "a first-boot scenario starts without a chain";
}

// The scenario's services are written running when the lab creates the file; afterwards their
// state belongs to whoever controls them (the service gate), also when the lab writes the chain.
TEST_F(SessionHostTest, ServicesStartRunningAndTheirStateStaysWithTheGate) {
  Scenario s = first_boot(50ms);
  s.host.services = {"BrokerAgent"};
  LicenseServer ls(io_.get_executor(), s.license_server);
  SessionHost host(s, file_, ls);
  ASSERT_TRUE(host.start().ok());
  auto stored = host::lab::read_lab_state_file(file_);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->services.at("BrokerAgent"), host::ServiceState::kRunning);

  ASSERT_TRUE(host::lab::update_lab_state_file(file_, [](LabHostState& st) {
                st.services["BrokerAgent"] = host::ServiceState::kStopped;
                st.services["Extra"] = host::ServiceState::kRunning;
              }).ok());
  (void)host.begin_licensing();
  ASSERT_TRUE(run_until(io_, [&] { return host.has_certificate(); }));
  stored = host::lab::read_lab_state_file(file_);
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE(stored->x509_certificate2.empty()) << "the lab wrote the chain";
  EXPECT_EQ(stored->services.at("BrokerAgent"), host::ServiceState::kStopped);
  EXPECT_EQ(stored->services.at("Extra"), host::ServiceState::kRunning);
}

TEST_F(SessionHostTest, PerDeviceIssuesOneCalPerDeviceThatDecodesAsAChain) {
  Scenario s = first_boot(10ms);
  s.host.certificate = true;
  s.host.licensing_mode = LicensingMode::PerDevice;
  LicenseServer ls(io_.get_executor(), s.license_server);
  SessionHost host(s, file_, ls);
  ASSERT_TRUE(host.start().ok());
  ClientLicensingFacts client;
  client.machine_name = "THIN-CLIENT-7";
  client.hardware_id = {0x04010000, 1, 2, 3, 4};
  auto first = host.decide(client);
  ASSERT_EQ(first.kind, VerdictKind::NewLicense);
  auto cal = crypto::decode_registry_certificate_chain(first.license);
  ASSERT_TRUE(cal.ok()) << cal.error().message();
  EXPECT_NE(cal->back().subject.find("THIN-CLIENT-7"), std::string::npos);
  EXPECT_EQ(host.decide(client).license, first.license);  // the same device gets the same CAL
  client.hardware_id.data4 = 5;
  EXPECT_NE(host.decide(client).license, first.license);
  EXPECT_EQ(host.stats().cals_issued, 2u);
  client.presented_license = true;
  EXPECT_EQ(host.decide(client).kind, VerdictKind::UpgradeLicense);
}

TEST_F(SessionHostTest, BootStormQueuesThisHostBehindTheOthers) {
  Scenario s = first_boot(10ms);
  s.license_server.capacity_per_second = 50;
  s.competing_hosts = 20;
  LicenseServer ls(io_.get_executor(), s.license_server);
  SessionHost host(s, file_, ls);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(host.start().ok());
  (void)host.begin_licensing();
  ASSERT_TRUE(run_until(io_, [&] { return host.has_certificate(); }));
  const auto waited = std::chrono::steady_clock::now() - start;
  // 20 requests ahead at 50/s: about 400 ms before this host is served.
  EXPECT_GE(waited, 350ms);
  EXPECT_EQ(host.stats().competing_requests, 20u);
  EXPECT_EQ(ls.stats().requests, 21u);
  EXPECT_GE(ls.stats().queued_peak, 15u);
}

// Overload: a license server whose queue is full refuses the host's request at once. The host
// fails that request (the connection gets ERR_NO_LICENSE_SERVER, as while any request is
// outstanding) and asks again on the next connection, which the drained queue then accepts.
TEST_F(SessionHostTest, BusyLicenseServerRefusesAndTheNextConnectionAsksAgain) {
  Scenario s = first_boot(10ms);
  s.license_server.capacity_per_second = 2;
  s.license_server.queue_limit = 1;
  LicenseServer ls(io_.get_executor(), s.license_server);
  SessionHost host(s, file_, ls);
  ASSERT_TRUE(host.start().ok());
  // Two other hosts: one in service, one waiting; the queue is full.
  int others = 0;
  for (const char* name : {"OTHER-1", "OTHER-2"}) {
    ls.async_request_chain(name, ls.issuer().public_key(),
                           [&](const Result<std::vector<std::vector<std::uint8_t>>>& r) {
                             if (r) ++others;
                           });
  }
  ASSERT_EQ(ls.queued(), 1u);

  (void)host.begin_licensing();
  EXPECT_TRUE(host.certificate_request_outstanding());  // the refusal arrives on the executor
  ASSERT_TRUE(run_until(io_, [&] { return !host.certificate_request_outstanding(); }));
  EXPECT_FALSE(host.has_certificate());
  EXPECT_EQ(host.stats().certificate_failures, 1u);
  EXPECT_EQ(ls.stats().failed_busy, 1u);
  EXPECT_EQ(host.decide({}).kind, VerdictKind::NoLicenseServer);

  // Nothing asks on a timer; once the queue has room the next connection's request is accepted.
  ASSERT_TRUE(run_until(io_, [&] { return ls.queued() == 0; }));
  (void)host.begin_licensing();
  ASSERT_TRUE(run_until(io_, [&] { return host.has_certificate(); }));
  EXPECT_EQ(host.decide({}).kind, VerdictKind::ValidClient);
  EXPECT_EQ(host.stats().certificate_requests, 2u);
  EXPECT_EQ(ls.stats().requests, 4u);
  EXPECT_EQ(ls.stats().failed_busy, 1u);
  ASSERT_TRUE(run_until(io_, [&] { return others == 2; }));
}

// The host gives up on a request after request_timeout; the chain the license server issues
// afterwards reaches nobody, and the host keeps its proprietary certificate until a request is
// answered in time.
TEST_F(SessionHostTest, TimedOutRequestIsAbandonedAndItsLateChainIsNotInstalled) {
  Scenario s = first_boot(400ms);
  s.license_server.request_timeout = 100ms;
  LicenseServer ls(io_.get_executor(), s.license_server);
  SessionHost host(s, file_, ls);
  ASSERT_TRUE(host.start().ok());
  (void)host.begin_licensing();
  ASSERT_TRUE(run_until(io_, [&] { return !host.certificate_request_outstanding(); }));
  EXPECT_EQ(host.stats().certificate_failures, 1u);
  EXPECT_EQ(ls.stats().timed_out, 1u);
  // The next connection asks again while the first request is still being served.
  (void)host.begin_licensing();
  EXPECT_TRUE(host.certificate_request_outstanding());
  ASSERT_TRUE(run_until(io_, [&] { return ls.stats().wasted == 2; }));
  EXPECT_EQ(ls.stats().issued, 2u);
  EXPECT_FALSE(host.has_certificate());
  EXPECT_EQ(host.stats().certificate_failures, 2u);
  EXPECT_EQ(host.begin_licensing()->kind, crypto::CertificateKind::Proprietary);
  auto stored = host::lab::read_lab_state_file(file_);
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(stored->x509_certificate2.empty());
}

}  // namespace
}  // namespace rdwarm::lab
