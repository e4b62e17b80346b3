// The service gate on the lab platform (a real state file, the lab's service control): close stops
// what runs and remembers it, open starts every listed service, errors name each service and what
// to do; and the orchestrator with the service gate, with a scripted probe: services stopped while
// the host warms up, started when it is ready, on a not-applicable host, under each deadline
// policy, and by the run that takes over from an agent that died with them stopped.
#include "warmup/agent/service_gate.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "licensing/crypto/registry_chain.hpp"
#include "licensing/host/lab/lab_platform.hpp"
#include "licensing/host/lab/lab_state_file.hpp"
#include "licensing/wire/errinfo.hpp"
#include "licensing/wire/licensing_error_message.hpp"
#include "tests/support/ports.hpp"
#include "tests/support/test_chain.hpp"
#include "warmup/agent/exit_codes.hpp"
#include "warmup/agent/gate_journal.hpp"
#include "warmup/agent/orchestrator.hpp"

namespace rdwarm::agent {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using host::ServiceState;
using host::lab::LabHostState;
using rdwarm::testing::ScopedTempDir;

constexpr auto kRunning = ServiceState::kRunning;
constexpr auto kStopped = ServiceState::kStopped;

class ServiceGateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LabHostState s;
    s.policy_licensing_mode = 4;  // per user, grace over, no certificate: a first boot
    s.policy_license_servers = "LAB-LS";
    s.grace_period_end = std::chrono::system_clock::now() - std::chrono::hours(24);
    s.services = {{"BrokerAgent", kRunning}, {"Spooler", kStopped}};
    write_host(s);
  }

  fs::path state_file() const { return dir_.path() / host::lab::kLabStateFileName; }
  void write_host(const LabHostState& s) const {
    ASSERT_TRUE(host::lab::write_lab_state_file(state_file(), s).ok());
  }
  void change_host(const std::function<void(LabHostState&)>& change) const {
    auto w = host::lab::update_lab_state_file(state_file(), change);
    ASSERT_TRUE(w.ok()) << w.error().message();
  }
  // The state the file holds now, by exact name; nullopt when the file or the service is missing.
  std::optional<ServiceState> service(const std::string& name) const {
    auto s = host::lab::read_lab_state_file(state_file());
    if (!s.ok()) return std::nullopt;
    const auto it = s->services.find(name);
    if (it == s->services.end()) return std::nullopt;
    return it->second;
  }

  ScopedTempDir dir_{"rdwarm-service-gate"};
  std::unique_ptr<host::HostPlatform> platform_ = host::lab::make_lab_platform(state_file());
};

TEST_F(ServiceGateTest, CloseStopsWhatRunsAndRemembersIt) {
  ServiceGate gate(*platform_, {"BrokerAgent", "Spooler"}, 5s);
  EXPECT_EQ(gate.kind(), "service");
  EXPECT_TRUE(gate.starts_closed());
  const auto closed = gate.close();
  ASSERT_TRUE(closed.ok()) << closed.error().message();
  EXPECT_EQ(service("BrokerAgent"), kStopped);
  EXPECT_EQ(service("Spooler"), kStopped);
  EXPECT_EQ(gate.stopped_by_close(), std::vector<std::string>{"BrokerAgent"})
      << "Spooler was stopped already";
}

TEST_F(ServiceGateTest, OpenStartsEveryListedServiceNotOnlyThoseItStopped) {
  // The image sets the services to Manual: at boot they have never run, close finds nothing to
  // stop, and open must still start them.
  change_host([](LabHostState& s) { s.services["BrokerAgent"] = kStopped; });
  ServiceGate gate(*platform_, {"BrokerAgent", "Spooler"}, 5s);
  ASSERT_TRUE(gate.close().ok());
  EXPECT_TRUE(gate.stopped_by_close().empty());
  const auto opened = gate.open();
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  EXPECT_EQ(service("BrokerAgent"), kRunning);
  EXPECT_EQ(service("Spooler"), kRunning);
}

TEST_F(ServiceGateTest, ClosingAClosedGateAndOpeningAnOpenOneSucceed) {
  ServiceGate gate(*platform_, {"BrokerAgent"}, 5s);
  ASSERT_TRUE(gate.close().ok());
  ASSERT_TRUE(gate.close().ok());
  EXPECT_EQ(service("BrokerAgent"), kStopped);
  ASSERT_TRUE(gate.open().ok());
  ASSERT_TRUE(gate.open().ok());
  EXPECT_EQ(service("BrokerAgent"), kRunning);
}

TEST_F(ServiceGateTest, NamesMatchWithoutRegardToCaseAsOnWindows) {
  ServiceGate gate(*platform_, {"brokeragent"}, 5s);
  ASSERT_TRUE(gate.close().ok());
  EXPECT_EQ(service("BrokerAgent"), kStopped);
  ASSERT_TRUE(gate.open().ok());
  EXPECT_EQ(service("BrokerAgent"), kRunning);
}

TEST_F(ServiceGateTest, AMissingServiceIsAClearErrorAndTheOthersAreStillHeld) {
  ServiceGate gate(*platform_, {"CitrixBrokerAgent", "BrokerAgent"}, 5s);
  const auto closed = gate.close();
  ASSERT_FALSE(closed.ok());
  const auto message = closed.error().message();
  EXPECT_NE(message.find("service CitrixBrokerAgent: does not exist on the lab host"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("gate.services"), std::string::npos) << message;
  EXPECT_EQ(message.find("service BrokerAgent"), std::string::npos) << message;
  EXPECT_EQ(service("BrokerAgent"), kStopped) << "one missing service must not leave the rest open";

  const auto opened = gate.open();
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message().find("CitrixBrokerAgent"), std::string::npos);
  EXPECT_EQ(service("BrokerAgent"), kRunning);
  EXPECT_FALSE(service("CitrixBrokerAgent").has_value()) << "no service is invented";
}

TEST_F(ServiceGateTest, SeveralFailuresAreNamedInOneError) {
  ServiceGate gate(*platform_, {"Missing1", "BrokerAgent", "Missing2"}, 5s);
  const auto closed = gate.close();
  ASSERT_FALSE(closed.ok());
  const auto message = closed.error().message();
  EXPECT_EQ(message.rfind("gate.services: ", 0), 0u) << message;
  EXPECT_NE(message.find("service Missing1: does not exist"), std::string::npos) << message;
  EXPECT_NE(message.find("; and service Missing2: does not exist"), std::string::npos) << message;
}

TEST_F(ServiceGateTest, WithoutTheLabStateFileTheErrorSaysStartTheLab) {
  fs::remove(state_file());
  ServiceGate gate(*platform_, {"BrokerAgent"}, 5s);
  const auto closed = gate.close();
  ASSERT_FALSE(closed.ok());
  EXPECT_NE(closed.error().message().find("rdwarm-lab"), std::string::npos)
      << closed.error().message();
  const auto opened = gate.open();
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message().find("start rdwarm-lab first"), std::string::npos)
      << opened.error().message();
  EXPECT_FALSE(fs::exists(state_file())) << "starting a service must not create a host";
}

TEST_F(ServiceGateTest, OtherWritersKeepTheServicesState) {
  // The lab's own write (a certificate arriving) and the drain gate change other keys only.
  ServiceGate gate(*platform_, {"BrokerAgent"}, 5s);
  ASSERT_TRUE(gate.close().ok());
  ASSERT_TRUE(platform_->set_gate(host::Gate::kClosed).ok());
  change_host([](LabHostState& s) {
    s.x509_certificate2 =
        crypto::encode_registry_certificate_chain(test::make_chain("LAB-LS", "LAB-SH01", 365));
  });
  EXPECT_EQ(service("BrokerAgent"), kStopped);
  EXPECT_EQ(service("Spooler"), kStopped);
}

// A platform that implements only what every platform must: service control is refused.
class NoServicesPlatform final : public host::HostPlatform {
 public:
  [[nodiscard]] std::string name() const override { return "test"; }
  Result<host::LicensingSnapshot> read_snapshot() override { return unsupported(); }
  Result<host::Gate> read_gate() override { return unsupported(); }
  Status set_gate(host::Gate) override { return unsupported(); }
  Status arm_certificate_wait() override { return unsupported(); }
  Result<host::WaitResult> wait_for_certificate_change(std::chrono::milliseconds) override {
    return unsupported();
  }
  Status write_event(const host::HostEvent&) override { return unsupported(); }

 private:
  static Error unsupported() { return make_error("test", "", "unsupported"); }
};

TEST(ServiceGateWithoutServiceControl, ThePlatformsDefaultRefusesAndSaysWhy) {
  NoServicesPlatform platform;
  ServiceGate gate(platform, {"BrokerAgent"}, 5s);
  const auto closed = gate.close();
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().message(),
            "service BrokerAgent: the test platform cannot control services; use the service gate "
            "with --platform windows or lab");
  EXPECT_FALSE(gate.open().ok());
}

// ---- The orchestrator with the service gate -------------------------------------------------

probe::ProbeResult no_license_server() {
  probe::ProbeResult r;
  r.outcome.kind = connector::OutcomeKind::LicensingFailed;
  r.outcome.phase = connector::Phase::Licensing;
  r.outcome.license_error_code = wire::lic::ERR_NO_LICENSE_SERVER;
  r.outcome.error_info = wire::ERRINFO_LICENSE_NO_LICENSE_SERVER;
  r.total = 5ms;
  return r;
}

probe::ProbeResult licensed() {
  probe::ProbeResult r;
  r.outcome.kind = connector::OutcomeKind::Licensed;
  r.outcome.phase = connector::Phase::Done;
  r.outcome.licensed = connector::LicensedKind::ValidClient;
  r.outcome.demand_active = true;
  r.outcome.server_certificate.kind = connector::CertificateKind::X509Chain;
  r.total = 5ms;
  return r;
}

class ServiceGateWarmup : public ServiceGateTest {
 protected:
  fs::path journal_file() const { return dir_.path() / "gate-journal.json"; }

  void install_certificate() const {
    change_host([](LabHostState& s) {
      s.x509_certificate2 =
          crypto::encode_registry_certificate_chain(test::make_chain("LAB-LS", "LAB-SH01", 365));
    });
  }

  WarmupOptions options(std::chrono::milliseconds deadline = 5s) const {
    WarmupOptions o;
    o.probe.port = 3389;  // never dialled: the probe is scripted
    o.deadline = deadline;
    o.retry.initial_delay = 20ms;
    o.retry.max_delay = 50ms;
    o.seed = 1;
    o.journal_file = journal_file();
    return o;
  }

  WarmupResult run(const WarmupOptions& o, const std::function<probe::ProbeResult(int)>& script) {
    ServiceGate gate(*platform_, {"BrokerAgent"}, 5s);
    Orchestrator orchestrator(
        o, {*platform_, gate, board_,
            [this, script](const probe::ProbeOptions&) { return script(++probes_); },
            [this](LogLevel, const std::string& line) { log_ += line + "\n"; }});
    return orchestrator.run();
  }

  GateJournalEntry journal() const {
    auto j = read_gate_journal(journal_file());
    EXPECT_TRUE(j.ok() && j->has_value());
    return j.ok() && j->has_value() ? **j : GateJournalEntry{};
  }

  StatusBoard board_;
  int probes_ = 0;
  std::string log_;
};

TEST_F(ServiceGateWarmup, ServicesAreStoppedWhileWarmingUpAndStartedWhenReady) {
  std::vector<std::optional<ServiceState>> during;
  const auto r = run(options(), [&](int n) {
    during.push_back(service("BrokerAgent"));
    if (n < 3) return no_license_server();
    install_certificate();
    return licensed();
  });
  EXPECT_EQ(r.exit_code, kExitReady) << r.headline << "\n" << log_;
  EXPECT_EQ(during, (std::vector<std::optional<ServiceState>>(3, kStopped)))
      << "every attempt ran with BrokerAgent stopped";
  EXPECT_EQ(service("BrokerAgent"), kRunning);
  EXPECT_EQ(journal().gate_kind, "service");
  EXPECT_EQ(journal().gate_state, "open");
  EXPECT_TRUE(journal().finished);
  EXPECT_EQ(board_.snapshot().gate_state, "open");
  EXPECT_EQ(board_.snapshot().broker_status, BrokerStatus::kAvailable);
}

TEST_F(ServiceGateWarmup, AServiceThatCannotBeStartedLeavesTheHostNeedingAssistance) {
  const auto r = run(options(), [&](int) {
    install_certificate();
    // Someone removes the service while the agent warms up.
    change_host([](LabHostState& s) { s.services.erase("BrokerAgent"); });
    return licensed();
  });
  EXPECT_EQ(r.exit_code, kExitReady) << r.headline;
  const auto st = board_.snapshot();
  EXPECT_EQ(st.broker_status, BrokerStatus::kNeedsAssistance);
  EXPECT_EQ(st.gate_state, "unknown");
  EXPECT_EQ(journal().gate_state, "unknown");
  EXPECT_NE(log_.find("could not open the service gate: service BrokerAgent: does not exist"),
            std::string::npos)
      << log_;
}

TEST_F(ServiceGateWarmup, DeadlineWithStayClosedKeepsThemStopped) {
  auto o = options(300ms);
  o.on_deadline = OnDeadline::kStayClosed;
  const auto r = run(o, [](int) { return no_license_server(); });
  EXPECT_EQ(r.exit_code, kExitNoLicenseServer) << r.headline;
  EXPECT_EQ(service("BrokerAgent"), kStopped);
  EXPECT_EQ(journal().gate_state, "left-closed");
  EXPECT_EQ(board_.snapshot().broker_status, BrokerStatus::kUnavailable);
}

TEST_F(ServiceGateWarmup, DeadlineWithOpenStartsThem) {
  auto o = options(300ms);
  o.on_deadline = OnDeadline::kOpen;
  const auto r = run(o, [](int) { return no_license_server(); });
  EXPECT_EQ(r.exit_code, kExitNoLicenseServer) << r.headline;
  EXPECT_EQ(service("BrokerAgent"), kRunning);
  EXPECT_EQ(journal().gate_state, "open");
}

TEST_F(ServiceGateWarmup, ANotApplicableHostStillStartsTheManualServices) {
  // Per-device licensing: nothing to warm up. BrokerAgent is Manual and has not run since boot;
  // unless the agent starts it, the VDA never registers and the host gets no users at all.
  change_host([](LabHostState& s) {
    s.policy_licensing_mode = 2;
    s.services["BrokerAgent"] = kStopped;
  });
  const auto r = run(options(), [](int) { return licensed(); });
  EXPECT_EQ(r.exit_code, kExitNotApplicable) << r.headline;
  EXPECT_EQ(probes_, 0);
  EXPECT_EQ(service("BrokerAgent"), kRunning);
  EXPECT_EQ(journal().gate_state, "open");
}

TEST_F(ServiceGateWarmup, TheRunAfterAKilledAgentStartsTheServicesAgain) {
  // What a killed agent leaves: BrokerAgent stopped and an unfinished journal of this boot whose
  // writer is gone (a version without process starts, so its pid is not checked).
  change_host([](LabHostState& s) { s.services["BrokerAgent"] = kStopped; });
  GateJournalEntry e;
  e.boot_id = current_boot_id();
  e.gate_kind = "service";
  e.gate_state = "closed";
  e.warmup_started_at = std::chrono::system_clock::now() - 2s;
  e.updated_at = e.warmup_started_at;
  e.pid = 999999;
  ASSERT_TRUE(write_gate_journal(journal_file(), e).ok());

  const auto r = run(options(30s), [&](int n) {
    if (n == 1) return no_license_server();
    install_certificate();
    return licensed();
  });
  EXPECT_EQ(r.exit_code, kExitReady) << r.headline << "\n" << log_;
  EXPECT_NE(log_.find("with the gate closed; this run takes over"), std::string::npos) << log_;
  EXPECT_EQ(service("BrokerAgent"), kRunning);
  EXPECT_EQ(journal().gate_state, "open");
  EXPECT_TRUE(journal().finished);
}

TEST_F(ServiceGateWarmup, NothingIsWrittenBetweenTheLicensedAttemptAndTheOpenGate) {
  // The bench's finding: status and journal writes delayed the open gate. Every status update
  // after the licensed attempt must already see BrokerAgent running, and the journal never says
  // "opening".
  std::uint64_t generation_at_licensed = 0;
  bool watching = false;
  std::vector<std::string> late_updates;
  std::vector<std::string> journal_states;
  board_.on_change([&](const AgentStatus& s) {
    if (auto j = read_gate_journal(journal_file()); j.ok() && j->has_value()) {
      journal_states.push_back((*j)->gate_state);
    }
    if (watching && service("BrokerAgent") != kRunning) {
      late_updates.push_back(phase_name(s.phase));
    }
  });
  const auto r = run(options(), [&](int n) {
    if (n == 1) return no_license_server();
    install_certificate();
    generation_at_licensed = board_.generation();
    watching = true;
    return licensed();
  });
  EXPECT_EQ(r.exit_code, kExitReady) << r.headline;
  EXPECT_GT(board_.generation(), generation_at_licensed);
  EXPECT_TRUE(late_updates.empty())
      << "status written before the gate opened, in phase " << late_updates.front();
  EXPECT_EQ(std::count(journal_states.begin(), journal_states.end(), "opening"), 0);
  EXPECT_EQ(journal().gate_state, "open");
}

}  // namespace
}  // namespace rdwarm::agent
