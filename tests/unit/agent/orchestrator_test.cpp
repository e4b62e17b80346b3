// The orchestrator against the lab platform (a real state file, the real drain gate, the real
// event log and journal) with the probe replaced by a scripted one, so every path is decided by
// the test: not applicable, NLA, the deadline under both policies, a certificate that arrives
// while the agent waits, a run that takes over from an agent that died with the gate closed, and
// a run that finds another agent still at work and leaves it alone.
#include "warmup/agent/orchestrator.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "licensing/crypto/registry_chain.hpp"
#include "licensing/host/lab/lab_platform.hpp"
#include "licensing/host/lab/lab_state_file.hpp"
#include "licensing/wire/errinfo.hpp"
#include "licensing/wire/licensing_error_message.hpp"
#include "licensing/wire/utc_time.hpp"
#include "licensing/wire/x224.hpp"
#include "tests/support/ports.hpp"
#include "tests/support/test_chain.hpp"
#include "warmup/agent/exit_codes.hpp"
#include "warmup/agent/gate_journal.hpp"

namespace rdwarm::agent {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using connector::OutcomeKind;
using host::lab::LabHostState;
using rdwarm::testing::ScopedTempDir;

// The orchestrator counts the time left in whole milliseconds, rounded down, so a run may end
// up to 1 ms before its deadline.
constexpr auto kRounding = 2ms;

probe::ProbeResult no_license_server() {
  probe::ProbeResult r;
  r.outcome.kind = OutcomeKind::LicensingFailed;
  r.outcome.phase = connector::Phase::Licensing;
  r.outcome.license_error_code = wire::lic::ERR_NO_LICENSE_SERVER;
  r.outcome.error_info = wire::ERRINFO_LICENSE_NO_LICENSE_SERVER;
  r.outcome.server_certificate.kind = connector::CertificateKind::Proprietary;
  r.total = 20ms;
  return r;
}

probe::ProbeResult licensed() {
  probe::ProbeResult r;
  r.outcome.kind = OutcomeKind::Licensed;
  r.outcome.phase = connector::Phase::Done;
  r.outcome.licensed = connector::LicensedKind::ValidClient;
  r.outcome.demand_active = true;
  r.outcome.server_certificate.kind = connector::CertificateKind::X509Chain;
  r.total = 20ms;
  return r;
}

probe::ProbeResult nla_required() {
  probe::ProbeResult r;
  r.outcome.kind = OutcomeKind::NegotiationFailure;
  r.outcome.phase = connector::Phase::Negotiation;
  r.outcome.negotiation_failure = wire::HYBRID_REQUIRED_BY_SERVER;
  r.total = 5ms;
  return r;
}

probe::ProbeResult credentials_refused() {
  probe::ProbeResult r;
  r.outcome.kind = OutcomeKind::AuthenticationFailed;
  r.outcome.phase = connector::Phase::Authentication;
  r.outcome.nla_error_code = 0xC000006D;
  r.outcome.detail = "CredSSP.errorCode: the server refused the logon: STATUS_LOGON_FAILURE";
  r.total = 5ms;
  return r;
}

// The scripted probe keeps to its time budget as the real one does: an attempt given less time
// than it needs ends in a Timeout in the phase it had reached.
probe::ProbeResult within_budget(const probe::ProbeOptions& options, probe::ProbeResult r) {
  if (options.overall_timeout >= r.total) return r;
  probe::ProbeResult cut;
  cut.outcome.kind = OutcomeKind::Timeout;
  cut.outcome.phase = r.outcome.phase;
  cut.outcome.detail = "overall timeout";
  cut.total = options.overall_timeout;
  return cut;
}

// A pid that certainly belongs to no process: a child that has exited and been reaped.
std::int64_t dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}

// A live process that is not this one: a child that sleeps until it is killed.
class SleepingChild {
 public:
  SleepingChild() : pid_(::fork()) {
    if (pid_ == 0) {
      while (true) ::pause();
    }
  }
  ~SleepingChild() { kill(); }
  SleepingChild(const SleepingChild&) = delete;
  SleepingChild& operator=(const SleepingChild&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_;
};

class OrchestratorTest : public ::testing::Test {
 protected:
  void SetUp() override { write_host(first_boot_host()); }

  // Per-user by policy, a license server configured, grace over, no certificate.
  static LabHostState first_boot_host() {
    LabHostState s;
    s.policy_licensing_mode = 4;
    s.policy_license_servers = "LAB-LS";
    s.grace_period_end = std::chrono::system_clock::now() - std::chrono::hours(24);
    return s;
  }

  fs::path state_file() const { return dir_.path() / host::lab::kLabStateFileName; }
  fs::path journal_file() const { return dir_.path() / "gate-journal.json"; }

  void write_host(const LabHostState& s) const {
    ASSERT_TRUE(host::lab::write_lab_state_file(state_file(), s).ok());
  }
  void set_drain_mode(std::uint32_t mode) const {
    auto w = host::lab::update_lab_state_file(state_file(),
                                              [mode](LabHostState& s) { s.drain_mode = mode; });
    ASSERT_TRUE(w.ok()) << w.error().message();
  }
  // What the session host does when its license server issues the chain.
  void install_certificate() const {
    auto w = host::lab::update_lab_state_file(state_file(), [](LabHostState& s) {
      s.x509_certificate2 =
          crypto::encode_registry_certificate_chain(test::make_chain("LAB-LS", "LAB-SH01", 365));
    });
    ASSERT_TRUE(w.ok()) << w.error().message();
  }
  std::uint32_t drain_mode() const {
    auto s = host::lab::read_lab_state_file(state_file());
    EXPECT_TRUE(s.ok());
    return s.ok() ? s->drain_mode : 0xFFFFFFFFu;
  }
  std::vector<std::uint32_t> event_ids() const {
    std::vector<std::uint32_t> ids;
    std::ifstream in(dir_.path() / host::lab::kLabEventLogName);
    std::string line;
    while (std::getline(in, line)) ids.push_back(nlohmann::json::parse(line).at("id"));
    return ids;
  }
  bool has_event(std::uint32_t id) const {
    const auto ids = event_ids();
    return std::find(ids.begin(), ids.end(), id) != ids.end();
  }
  GateJournalEntry journal() const {
    auto j = read_gate_journal(journal_file());
    EXPECT_TRUE(j.ok() && j->has_value());
    return j.ok() && j->has_value() ? **j : GateJournalEntry{};
  }
  void write_journal(const std::string& boot_id, const std::string& state, bool finished,
                     std::chrono::system_clock::time_point started, std::int64_t pid = 0,
                     const std::string& process_start = "") const {
    GateJournalEntry e;
    e.boot_id = boot_id;
    e.gate_kind = "drain";
    e.gate_state = state;
    e.warmup_started_at = started;
    e.updated_at = started;
    e.pid = pid != 0 ? pid : dead_pid();
    e.process_start = process_start;
    e.finished = finished;
    ASSERT_TRUE(write_gate_journal(journal_file(), e).ok());
  }
  std::string journal_text() const {
    std::ifstream in(journal_file(), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }

  WarmupOptions options(std::chrono::milliseconds deadline = 5s) const {
    WarmupOptions o;
    o.probe.port = 3389;  // never dialled: the probe is scripted
    o.deadline = deadline;
    o.retry.initial_delay = 20ms;
    o.retry.max_delay = 100ms;
    o.seed = 1;
    o.journal_file = journal_file();
    return o;
  }

  // A gate that lets a test look at the agent's records at the moment the gate opens.
  class WatchedGate final : public AdmissionGate {
   public:
    WatchedGate(AdmissionGate& inner, const std::function<void()>& on_open)
        : inner_(inner), on_open_(on_open) {}
    [[nodiscard]] std::string kind() const override { return inner_.kind(); }
    [[nodiscard]] bool holds_users() const override { return inner_.holds_users(); }
    Status close() override { return inner_.close(); }
    Status open() override {
      if (on_open_) on_open_();
      return inner_.open();
    }

   private:
    AdmissionGate& inner_;
    const std::function<void()>& on_open_;
  };

  // Runs the orchestrator with `script(n)` answering the n-th probe (1-based).
  WarmupResult run(const WarmupOptions& o, std::function<probe::ProbeResult(int)> script) {
    auto platform = host::lab::make_lab_platform(state_file());
    auto drain = make_drain_gate(*platform);
    WatchedGate gate(*drain, on_gate_open_);
    Orchestrator orchestrator(o,
                              {*platform, gate, board_,
                               [this, script](const probe::ProbeOptions& po) {
                                 EXPECT_GE(po.overall_timeout.count(), 1);
                                 return within_budget(po, script(++probes_));
                               },
                               [this](LogLevel, const std::string& line) { log_ += line + "\n"; }});
    const auto start = Clock::now();
    auto r = orchestrator.run();
    took_ = Clock::now() - start;
    return r;
  }

  ScopedTempDir dir_{"rdwarm-orchestrator"};
  StatusBoard board_;
  std::function<void()> on_gate_open_;  // called as the gate opens, before it opens
  int probes_ = 0;
  std::string log_;
  Clock::duration took_{};
};

TEST_F(OrchestratorTest, NotApplicableWithoutTheSessionHostRoleLeavesTheGateAlone) {
  auto s = first_boot_host();
  s.rdsh_role = false;
  s.drain_mode = 1;  // an operator drained this host; not rdwarm's business
  write_host(s);
  const auto r = run(options(), [](int) { return licensed(); });
  EXPECT_EQ(r.exit_code, kExitNotApplicable) << r.headline;
  EXPECT_EQ(probes_, 0);
  EXPECT_EQ(drain_mode(), 1u);
  EXPECT_TRUE(has_event(kEventNotApplicable));
  EXPECT_FALSE(has_event(kEventGateClosed));
  EXPECT_EQ(journal().gate_state, "open");
  EXPECT_TRUE(journal().finished);
  const auto st = board_.snapshot();
  EXPECT_EQ(st.phase, AgentPhase::kNotApplicable);
  EXPECT_EQ(st.exit_code, kExitNotApplicable);
}

TEST_F(OrchestratorTest, NotApplicableWithPerDeviceLicensing) {
  auto s = first_boot_host();
  s.policy_licensing_mode = 2;
  write_host(s);
  const auto r = run(options(), [](int) { return licensed(); });
  EXPECT_EQ(r.exit_code, kExitNotApplicable) << r.headline;
  EXPECT_NE(r.headline.find("not applicable"), std::string::npos) << r.headline;
  EXPECT_EQ(probes_, 0);
  EXPECT_EQ(drain_mode(), 0u);
}

TEST_F(OrchestratorTest, NlaRequiredIsFinalAtOnce) {
  const auto r = run(options(60s), [](int) { return nla_required(); });
  EXPECT_EQ(r.exit_code, kExitNlaRequired) << r.headline;
  EXPECT_EQ(probes_, 1) << "no retry can change an NLA requirement";
  EXPECT_LT(took_, 5s) << "must not wait for the 60 s deadline";
  EXPECT_TRUE(has_event(kEventFinalVerdict));
  EXPECT_TRUE(journal().finished);
}

TEST_F(OrchestratorTest, RefusedNlaCredentialsAreFinalAtOnce) {
  // Retrying a refused password at every boot would lock the account out.
  const auto r = run(options(60s), [](int) { return credentials_refused(); });
  EXPECT_EQ(r.exit_code, kExitNlaAuthenticationFailed) << r.headline;
  EXPECT_EQ(probes_, 1);
  EXPECT_LT(took_, 5s);
  EXPECT_NE(r.headline.find("STATUS_LOGON_FAILURE"), std::string::npos) << r.headline;
  EXPECT_TRUE(has_event(kEventFinalVerdict));
  EXPECT_EQ(journal().gate_state, "left-closed") << "stay-closed still applies";
}

TEST_F(OrchestratorTest, DeadlineWithStayClosedKeepsTheGateClosed) {
  auto o = options(400ms);
  o.on_deadline = OnDeadline::kStayClosed;
  const auto r = run(o, [](int) { return no_license_server(); });
  EXPECT_EQ(r.exit_code, kExitNoLicenseServer) << r.headline;
  EXPECT_GE(probes_, 2) << "it retries until the deadline";
  EXPECT_GE(took_ + kRounding, 400ms);
  EXPECT_LT(took_, 5s);
  EXPECT_EQ(drain_mode(), 2u);
  EXPECT_EQ(journal().gate_state, "left-closed");
  EXPECT_TRUE(journal().finished);
  EXPECT_TRUE(has_event(kEventGateClosed));
  EXPECT_TRUE(has_event(kEventAttemptFailed));
  EXPECT_TRUE(has_event(kEventDeadlineGateClosed));
  const auto st = board_.snapshot();
  EXPECT_FALSE(st.ready);
  EXPECT_EQ(st.broker_status, BrokerStatus::kUnavailable);
  EXPECT_EQ(st.gate_state, "closed");
  EXPECT_EQ(st.attempts, static_cast<std::uint32_t>(probes_));
}

TEST_F(OrchestratorTest, DeadlineWithOpenOpensTheGate) {
  auto o = options(400ms);
  o.on_deadline = OnDeadline::kOpen;
  const auto r = run(o, [](int) { return no_license_server(); });
  EXPECT_EQ(r.exit_code, kExitNoLicenseServer) << r.headline;
  EXPECT_NE(r.headline.find("opened anyway"), std::string::npos) << r.headline;
  EXPECT_EQ(drain_mode(), 0u);
  EXPECT_EQ(journal().gate_state, "open");
  EXPECT_TRUE(has_event(kEventDeadlineGateOpened));
  const auto st = board_.snapshot();
  EXPECT_FALSE(st.ready);
  EXPECT_EQ(st.broker_status, BrokerStatus::kNeedsAssistance);
  EXPECT_EQ(st.gate_state, "open");
}

TEST_F(OrchestratorTest, ReadyOnceLicensedWithTheCertificate) {
  std::vector<std::uint32_t> drain_during_probes;
  const auto r = run(options(), [&](int n) {
    drain_during_probes.push_back(drain_mode());
    if (n < 3) return no_license_server();
    install_certificate();
    return licensed();
  });
  EXPECT_EQ(r.exit_code, kExitReady) << r.headline;
  EXPECT_EQ(probes_, 3);
  EXPECT_EQ(drain_during_probes, (std::vector<std::uint32_t>{2, 2, 2})) << "probed behind the gate";
  EXPECT_EQ(drain_mode(), 0u);
  EXPECT_EQ(journal().gate_state, "open");
  EXPECT_TRUE(journal().finished);
  EXPECT_TRUE(has_event(kEventReady));
  const auto st = board_.snapshot();
  EXPECT_TRUE(st.ready);
  EXPECT_EQ(st.broker_status, BrokerStatus::kAvailable);
  ASSERT_TRUE(st.time_to_ready_seconds.has_value());
  EXPECT_GT(*st.time_to_ready_seconds, 0.0);
  EXPECT_EQ(st.certificate_issuer.find("LAB-LS") != std::string::npos, true)
      << st.certificate_issuer;
}

TEST_F(OrchestratorTest, TheGateOpensBeforeTheAttemptIsRecorded) {
  // Nothing is written between the certificate and the open gate (bench/README.md: status and
  // journal writes sat on that path): when the gate opens, the journal still says closed and the
  // status still shows the licensed attempt under way.
  std::string journal_at_open;
  AgentStatus status_at_open;
  on_gate_open_ = [&] {
    journal_at_open = journal().gate_state;
    status_at_open = board_.snapshot();
  };
  const auto r = run(options(), [&](int n) {
    if (n < 2) return no_license_server();
    install_certificate();
    return licensed();
  });
  EXPECT_EQ(r.exit_code, kExitReady) << r.headline;
  EXPECT_EQ(journal_at_open, "closed");
  EXPECT_EQ(status_at_open.phase, AgentPhase::kProbing);
  EXPECT_EQ(status_at_open.attempts, 1u) << "the licensed second attempt is not recorded yet";
  EXPECT_FALSE(status_at_open.ready);
  EXPECT_EQ(journal().gate_state, "open");
}

TEST_F(OrchestratorTest, LicensedWithoutACertificateIsNotReady) {
  // A host in its grace period licenses clients without a license server's certificate: that is
  // exactly the host the first user past the grace period will be refused on.
  const auto r = run(options(400ms), [](int) { return licensed(); });
  EXPECT_EQ(r.exit_code, kExitNoCertificate) << r.headline;
  EXPECT_GE(probes_, 2);
  EXPECT_EQ(drain_mode(), 2u);
}

TEST_F(OrchestratorTest, ACertificateArrivingDuringTheWaitEndsItEarly) {
  auto o = options(20s);
  o.retry.initial_delay = 10s;  // without the certificate wait the agent would sleep ~0-10 s
  o.retry.max_delay = 10s;
  o.retry.full_jitter = false;
  std::thread issuer;
  const auto r = run(o, [&](int n) {
    if (n == 1) {
      issuer = std::thread([this] {
        std::this_thread::sleep_for(300ms);
        install_certificate();
      });
      return no_license_server();
    }
    return licensed();
  });
  if (issuer.joinable()) issuer.join();
  EXPECT_EQ(r.exit_code, kExitReady) << r.headline << "\n" << log_;
  EXPECT_EQ(probes_, 2);
  EXPECT_GE(took_, 300ms);
  EXPECT_LT(took_, 5s) << "the certificate change must cut the 10 s backoff short";
  EXPECT_NE(log_.find("certificate changed"), std::string::npos) << log_;
}

TEST_F(OrchestratorTest, GateNoneReportsWithoutSpeakingOfAClosedGate) {
  // What `rdwarm image prewarm` runs: nobody is held back, so nothing may say a gate is closed.
  auto platform = host::lab::make_lab_platform(state_file());
  auto gate = make_none_gate();
  auto o = options(300ms);
  o.on_deadline = OnDeadline::kStayClosed;
  Orchestrator orchestrator(
      o, {*platform, *gate, board_, [](const probe::ProbeOptions&) { return no_license_server(); },
          [this](LogLevel, const std::string& line) { log_ += line + "\n"; }});
  const auto r = orchestrator.run();
  EXPECT_EQ(r.exit_code, kExitNoLicenseServer) << r.headline;
  EXPECT_NE(r.headline.find("gate none: users were not held back"), std::string::npos)
      << r.headline;
  for (const auto* wrong : {"stays closed", "closed the", "closing the", "opening the"}) {
    EXPECT_EQ(r.headline.find(wrong), std::string::npos) << r.headline;
    EXPECT_EQ(log_.find(wrong), std::string::npos) << log_;
  }
  EXPECT_FALSE(has_event(kEventGateClosed));
  EXPECT_EQ(drain_mode(), 0u) << "gate none never touches drain mode";
  EXPECT_EQ(board_.snapshot().gate_state, "open");
  EXPECT_EQ(board_.snapshot().broker_status, BrokerStatus::kNeedsAssistance);
  EXPECT_EQ(journal().gate_state, "open");
}

TEST_F(OrchestratorTest, StopRequestEndsTheWaitAndAppliesTheDeadlinePolicy) {
  auto platform = host::lab::make_lab_platform(state_file());
  auto gate = make_drain_gate(*platform);
  auto o = options(60s);
  o.retry.initial_delay = 30s;
  o.retry.max_delay = 30s;
  o.retry.full_jitter = false;
  Orchestrator orchestrator(o, {*platform,
                                *gate,
                                board_,
                                [](const probe::ProbeOptions&) { return no_license_server(); },
                                {}});
  std::thread stopper([&] {
    std::this_thread::sleep_for(300ms);
    orchestrator.request_stop();
  });
  const auto start = Clock::now();
  const auto r = orchestrator.run();
  stopper.join();
  EXPECT_EQ(r.exit_code, kExitNoLicenseServer) << r.headline;
  EXPECT_NE(r.headline.find("stopped"), std::string::npos) << r.headline;
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_EQ(drain_mode(), 2u);
  EXPECT_EQ(journal().gate_state, "left-closed");
}

TEST_F(OrchestratorTest, AnUnreadableHostIsAnInternalError) {
  fs::remove(state_file());
  const auto r = run(options(), [](int) { return licensed(); });
  EXPECT_EQ(r.exit_code, kExitInternal) << r.headline;
  EXPECT_NE(r.headline.find("cannot read the host"), std::string::npos) << r.headline;
  EXPECT_EQ(probes_, 0);
  EXPECT_TRUE(has_event(kEventHostUnreadable));
}

TEST_F(OrchestratorTest, TakingOverInTheSameBootKeepsTheFirstStartTime) {
  // A previous agent of this boot started 10 s ago, closed the gate and died. With a 12 s
  // deadline the new run has about 2 s left, not 12.
  set_drain_mode(2);
  const auto first_start = std::chrono::system_clock::now() - 10s;
  write_journal(current_boot_id(), "closed", false, first_start);
  const auto original = journal().warmup_started_at;
  const auto r = run(options(12s), [](int) { return no_license_server(); });
  EXPECT_EQ(r.exit_code, kExitNoLicenseServer) << r.headline;
  EXPECT_GE(took_, 900ms);
  EXPECT_LT(took_, 6s) << "the deadline must count from the first start";
  EXPECT_NE(log_.find("takes over and keeps its deadline"), std::string::npos) << log_;
  EXPECT_TRUE(has_event(kEventRecoveredGate));
  EXPECT_EQ(journal().warmup_started_at, original);
  EXPECT_EQ(journal().gate_state, "left-closed");
  EXPECT_EQ(drain_mode(), 2u);
}

TEST_F(OrchestratorTest, TakingOverPastTheDeadlineStillProbesOnceThenStops) {
  set_drain_mode(2);
  write_journal(current_boot_id(), "closed", false, std::chrono::system_clock::now() - 1h);
  const auto r = run(options(10min), [](int) { return no_license_server(); });
  EXPECT_EQ(r.exit_code, kExitNoLicenseServer) << r.headline;
  EXPECT_EQ(probes_, 1);
  EXPECT_LT(took_, 3s);
}

TEST_F(OrchestratorTest, TakingOverPastTheDeadlineStillOpensTheGateOfAReadyHost) {
  // The dead agent's deadline has passed, but the license server has answered since: the one
  // attempt this run makes must be a real one, and it must open the gate.
  set_drain_mode(2);
  install_certificate();
  write_journal(current_boot_id(), "closed", false, std::chrono::system_clock::now() - 1h);
  const auto r = run(options(10min), [](int) { return licensed(); });
  EXPECT_EQ(r.exit_code, kExitReady) << r.headline << "\n" << log_;
  EXPECT_EQ(probes_, 1);
  EXPECT_EQ(drain_mode(), 0u);
}

TEST_F(OrchestratorTest, TakingOverInTheSameBootCanStillGetReady) {
  set_drain_mode(2);
  write_journal(current_boot_id(), "closed", false, std::chrono::system_clock::now() - 2s);
  const auto r = run(options(30s), [&](int n) {
    if (n == 1) return no_license_server();
    install_certificate();
    return licensed();
  });
  EXPECT_EQ(r.exit_code, kExitReady) << r.headline;
  EXPECT_EQ(drain_mode(), 0u);
  EXPECT_EQ(journal().gate_state, "open");
  EXPECT_TRUE(journal().finished);
}

TEST_F(OrchestratorTest, AJournalFromAnotherBootGetsAFreshDeadline) {
  set_drain_mode(2);
  const auto old = std::chrono::system_clock::now() - 1h;
  write_journal("some-earlier-boot", "closed", false, old);
  const auto before = std::chrono::system_clock::now();
  const auto r = run(options(600ms), [](int) { return no_license_server(); });
  EXPECT_EQ(r.exit_code, kExitNoLicenseServer) << r.headline;
  EXPECT_GE(took_ + kRounding, 600ms) << "a reboot starts a new warm-up with its full deadline";
  EXPECT_NE(log_.find("takes over"), std::string::npos) << log_;
  EXPECT_EQ(log_.find("keeps its deadline"), std::string::npos) << log_;
  EXPECT_GE(journal().warmup_started_at, std::chrono::floor<std::chrono::seconds>(before));
}

TEST_F(OrchestratorTest, AFinishedJournalIsNotTakenOver) {
  write_journal(current_boot_id(), "open", true, std::chrono::system_clock::now() - 1h);
  const auto r = run(options(300ms), [](int) { return no_license_server(); });
  EXPECT_EQ(r.exit_code, kExitNoLicenseServer) << r.headline;
  EXPECT_GE(took_ + kRounding, 300ms) << "a finished run's start time must not shorten this run";
  EXPECT_EQ(log_.find("takes over"), std::string::npos) << log_;
  EXPECT_FALSE(has_event(kEventRecoveredGate));
}

TEST_F(OrchestratorTest, ANotApplicableHostReopensTheGateADeadAgentLeftClosed) {
  // The agent died with the gate closed; since then the host was switched to per-device
  // licensing. Nothing to warm up, but the gate must not stay closed for ever.
  auto s = first_boot_host();
  s.policy_licensing_mode = 2;
  s.drain_mode = 2;
  write_host(s);
  write_journal(current_boot_id(), "closed", false, std::chrono::system_clock::now() - 5s);
  const auto r = run(options(), [](int) { return licensed(); });
  EXPECT_EQ(r.exit_code, kExitNotApplicable) << r.headline;
  EXPECT_EQ(probes_, 0);
  EXPECT_EQ(drain_mode(), 0u);
  EXPECT_TRUE(has_event(kEventRecoveredGate));
  EXPECT_EQ(journal().gate_state, "open");
  EXPECT_TRUE(journal().finished);
}

TEST_F(OrchestratorTest, ACorruptJournalCountsAsAClosedGate) {
  auto s = first_boot_host();
  s.rdsh_role = false;
  s.drain_mode = 2;
  write_host(s);
  {
    std::ofstream out(journal_file());
    out << "{ half a journal";
  }
  const auto r = run(options(), [](int) { return licensed(); });
  EXPECT_EQ(r.exit_code, kExitNotApplicable) << r.headline;
  EXPECT_EQ(drain_mode(), 0u) << "when in doubt, reopen rather than lock users out";
  EXPECT_NE(log_.find(journal_file().string()), std::string::npos) << log_;
  EXPECT_EQ(journal().gate_state, "open");
}

// One agent per host. A second `rdwarm boot` (an admin starting it by hand while the boot task
// runs, a task restarted while the first still runs) must not fight the first over the gate.
TEST_F(OrchestratorTest, AnotherAgentAtWorkIsLeftAloneAndThisRunEndsWithExit1) {
  set_drain_mode(2);
  SleepingChild other;
  const auto started = process_start_of(other.pid());
  ASSERT_TRUE(started.has_value());
  write_journal(current_boot_id(), "closed", false, std::chrono::system_clock::now() - 5s,
                other.pid(), *started);
  const auto before = journal_text();
  const auto r = run(options(), [](int) { return licensed(); });
  EXPECT_EQ(r.exit_code, kExitInternal) << r.headline;
  EXPECT_NE(r.headline.find("another rdwarm boot (pid " + std::to_string(other.pid())),
            std::string::npos)
      << r.headline;
  EXPECT_NE(r.headline.find("holds its drain gate (closed)"), std::string::npos) << r.headline;
  EXPECT_NE(r.headline.find("stop process " + std::to_string(other.pid()) + " first"),
            std::string::npos)
      << r.headline;
  EXPECT_EQ(probes_, 0);
  EXPECT_EQ(drain_mode(), 2u) << "the other agent's gate was touched";
  EXPECT_EQ(journal_text(), before) << "the other agent's journal was rewritten";
  EXPECT_EQ(board_.generation(), 0u) << "a status update would rewrite the other's status file";
  EXPECT_TRUE(has_event(kEventAnotherAgent));
  EXPECT_FALSE(has_event(kEventStarted));
  EXPECT_NE(log_.find("another rdwarm boot"), std::string::npos) << log_;
}

TEST_F(OrchestratorTest, OnceTheOtherAgentIsGoneTheNextRunTakesOver) {
  set_drain_mode(2);
  SleepingChild other;
  const auto started = process_start_of(other.pid());
  ASSERT_TRUE(started.has_value());
  write_journal(current_boot_id(), "closed", false, std::chrono::system_clock::now() - 1s,
                other.pid(), *started);
  other.kill();
  EXPECT_FALSE(process_start_of(other.pid()).has_value());
  install_certificate();
  const auto r = run(options(), [](int) { return licensed(); });
  EXPECT_EQ(r.exit_code, kExitReady) << r.headline << "\n" << log_;
  EXPECT_NE(log_.find("this run takes over"), std::string::npos) << log_;
  EXPECT_EQ(drain_mode(), 0u);
}

TEST_F(OrchestratorTest, APidThatAnotherProcessReusedIsNotAnAgent) {
  // The journal's pid runs, but it is not the process that wrote the journal: it started later.
  set_drain_mode(2);
  SleepingChild unrelated;
  write_journal(current_boot_id(), "closed", false, std::chrono::system_clock::now() - 1s,
                unrelated.pid(), "linux:1");
  install_certificate();
  const auto r = run(options(), [](int) { return licensed(); });
  EXPECT_EQ(r.exit_code, kExitReady) << r.headline << "\n" << log_;
  EXPECT_EQ(drain_mode(), 0u) << "a reused pid must not lock the gate closed";
  EXPECT_FALSE(has_event(kEventAnotherAgent));
}

TEST_F(OrchestratorTest, AJournalThisProcessWroteIsNotAnotherAgent) {
  set_drain_mode(2);
  write_journal(current_boot_id(), "closed", false, std::chrono::system_clock::now() - 1s,
                current_pid(), current_process_start());
  install_certificate();
  const auto r = run(options(), [](int) { return licensed(); });
  EXPECT_EQ(r.exit_code, kExitReady) << r.headline << "\n" << log_;
  EXPECT_FALSE(has_event(kEventAnotherAgent));
}

TEST_F(OrchestratorTest, AnAgentOfAnEarlierBootIsNotAtWork) {
  set_drain_mode(2);
  SleepingChild other;
  const auto started = process_start_of(other.pid());
  ASSERT_TRUE(started.has_value());
  write_journal("some-earlier-boot", "closed", false, std::chrono::system_clock::now() - 1h,
                other.pid(), *started);
  install_certificate();
  const auto r = run(options(), [](int) { return licensed(); });
  EXPECT_EQ(r.exit_code, kExitReady) << r.headline << "\n" << log_;
  EXPECT_EQ(drain_mode(), 0u);
}

TEST_F(OrchestratorTest, TheJournalRecordsTheProcessStartForTheNextRun) {
  install_certificate();
  const auto r = run(options(), [](int) { return licensed(); });
  EXPECT_EQ(r.exit_code, kExitReady) << r.headline;
  EXPECT_EQ(journal().pid, current_pid());
  EXPECT_FALSE(journal().process_start.empty());
  EXPECT_EQ(journal().process_start, current_process_start());
}

}  // namespace
}  // namespace rdwarm::agent
