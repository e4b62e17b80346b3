// `rdwarm boot` end to end: the real rdwarm binary against rdwarm-lab, both as separate processes,
// with real sockets, TLS and licensing. What an operator must be able to rely on (project issue 5):
// the gate is closed while the host warms up and opened when it is ready; the deadline policy
// decides the gate when the license server never answers; NLA and hosts that need no warm-up end
// at once; a real RDP client (xfreerdp) is refused behind the gate and admitted after it; an
// agent killed with the gate closed is taken over by the next run, which keeps the deadline; the
// service gate holds the lab host's BrokerAgent stopped until the host is ready, also across a
// SIGKILL; and a second agent started while one is at work leaves it alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/integration/agent_harness.hpp"
#include "tests/support/peers.hpp"

namespace rdwarm::testing {
namespace {

using namespace std::chrono_literals;

// Event ids (docs/events.md, warmup/agent/orchestrator.hpp).
constexpr std::uint32_t kStarted = 1000;
constexpr std::uint32_t kNotApplicable = 1001;
constexpr std::uint32_t kGateClosed = 1002;
constexpr std::uint32_t kAttemptFailed = 1003;
constexpr std::uint32_t kReady = 1004;
constexpr std::uint32_t kDeadlineGateClosed = 1005;
constexpr std::uint32_t kDeadlineGateOpened = 1006;
constexpr std::uint32_t kRecoveredGate = 1007;
constexpr std::uint32_t kAnotherAgent = 1011;

constexpr int kExitReady = 0;
constexpr int kExitInternal = 1;
constexpr int kExitNotApplicable = 3;
constexpr int kExitNoLicenseServer = 10;
constexpr int kExitNlaRequired = 12;

// Bounds for waits that normally take a fraction of this; a loaded 2-core CI machine is slow.
constexpr auto kStartBound = 15s;

bool contains(const std::vector<std::uint32_t>& ids, std::uint32_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// `want` appears in `ids` in this order (other ids may come between).
bool in_order(const std::vector<std::uint32_t>& ids, const std::vector<std::uint32_t>& want) {
  auto it = ids.begin();
  for (const auto id : want) {
    it = std::find(it, ids.end(), id);
    if (it == ids.end()) return false;
    ++it;
  }
  return true;
}

std::string ids_text(const std::vector<std::uint32_t>& ids) {
  std::string s;
  for (const auto id : ids) s += std::to_string(id) + " ";
  return s;
}

// A scenario file next to the test's other files (the lab takes a .toml path for --scenario).
std::filesystem::path write_scenario(const AgentFiles& files, const std::string& name,
                                     const std::string& toml) {
  const auto file = files.dir() / (name + ".toml");
  std::ofstream(file) << toml;
  return file;
}

// Runs the agent to its end, watching the lab's drain mode meanwhile. Returns the exit code
// (nullopt if it ran past `limit`) and the highest drain mode seen during the run.
struct WatchedRun {
  std::optional<int> exit_code;
  std::uint32_t max_drain_mode = 0;
  double seconds = 0;
};

WatchedRun run_watching_gate(AgentProcess& agent, const LabProcess& lab,
                             std::chrono::milliseconds limit) {
  WatchedRun w;
  const auto end = AgentClock::now() + limit;
  while (AgentClock::now() < end) {
    if (const auto d = drain_mode(lab)) w.max_drain_mode = std::max(w.max_drain_mode, *d);
    w.exit_code = agent.wait(10ms);
    if (w.exit_code) break;
  }
  w.seconds = seconds_since(agent.started());
  return w;
}

// 1. A fresh VM from an image: the license server answers 3 s after the first connection.
TEST(AgentBoot, FirstBootClosesTheGateWarmsUpAndOpensIt) {
  LabProcess lab("first-boot");
  AgentFiles files;
  ASSERT_EQ(drain_mode(lab), 0u);
  AgentProcess agent(lab, files, "30s");
  const auto run = run_watching_gate(agent, lab, 30s);
  ASSERT_TRUE(run.exit_code.has_value()) << agent.log();
  EXPECT_EQ(*run.exit_code, kExitReady) << agent.log() << lab.log();
  EXPECT_EQ(agent.printed_exit_code(), kExitReady) << agent.log();
  EXPECT_EQ(run.max_drain_mode, 2u) << "the gate was never closed during the warm-up";
  EXPECT_EQ(drain_mode(lab), 0u) << "the gate must be open at the end";

  const auto status = files.status();
  EXPECT_EQ(field<std::string>(status, {"schema"}, ""), "rdwarm.agent-status/1");
  EXPECT_EQ(field(status, {"ready"}, false), true) << status.dump(2);
  EXPECT_EQ(field<std::string>(status, {"status"}, ""), "Available") << status.dump(2);
  EXPECT_EQ(field<std::string>(status, {"gate", "state"}, ""), "open") << status.dump(2);
  EXPECT_GE(field(status, {"attempts", "total"}, 0), 2) << "the first attempt cannot succeed";
  // The license server's latency is the floor; the rest is the agent's reaction to the
  // certificate (a file watch) and a loaded machine.
  const double ttr = field(status, {"time_to_ready_seconds"}, 0.0);
  EXPECT_GE(ttr, 2.5) << status.dump(2);
  EXPECT_LE(ttr, 8.0) << status.dump(2) << agent.log();

  const auto ids = event_ids(lab);
  EXPECT_TRUE(in_order(ids, {kStarted, kGateClosed, kAttemptFailed, kReady})) << ids_text(ids);
  std::ifstream events(lab.state_dir() / host::lab::kLabEventLogName);
  const std::string event_text{std::istreambuf_iterator<char>(events), {}};
  EXPECT_NE(event_text.find("(0x101)"), std::string::npos) << event_text;

  const auto journal = files.journal();
  EXPECT_EQ(field<std::string>(journal, {"gate_state"}, ""), "open") << journal.dump(2);
  EXPECT_EQ(field(journal, {"finished"}, false), true) << journal.dump(2);
}

// 2. The license server never answers: exit 10 at the deadline, and /readyz says 503 to the
// broker throughout. Under stay-closed (the default) the gate stays closed.
TEST(AgentBoot, LicenseServerDownStaysClosedAndReadyzSays503) {
  LabProcess lab("ls-down");
  AgentFiles files;
  AgentProcess agent(lab, files, "3s", {"--serve"});
  const auto port = agent.health_port(kStartBound);
  ASSERT_TRUE(port.has_value()) << agent.log();

  // During the warm-up (the 3 s deadline has not passed yet on any sane machine).
  const auto during = http_get(*port, "/readyz");
  ASSERT_TRUE(during.has_value()) << agent.log();
  EXPECT_EQ(during->status, 503u) << during->body;
  const auto during_status = http_get(*port, "/status");
  ASSERT_TRUE(during_status.has_value());
  const bool still_warming = !agent.printed_exit_code().has_value();
  EXPECT_NE(during_status->body.find("\"WarmingUp\""), std::string::npos) << during_status->body;

  std::optional<int> printed;
  ASSERT_TRUE(poll_until([&] { return (printed = agent.printed_exit_code()).has_value(); }, 20s))
      << agent.log();
  const double took = seconds_since(agent.started());
  EXPECT_EQ(*printed, kExitNoLicenseServer) << agent.log();
  EXPECT_GE(took, 2.9) << "ended before its deadline: " << agent.log();
  EXPECT_LT(took, 12.0) << agent.log();
  EXPECT_TRUE(still_warming) << "the first /readyz came after the warm-up had ended";

  // After the deadline, still serving: not ready, and why.
  const auto after = http_get(*port, "/readyz");
  ASSERT_TRUE(after.has_value()) << agent.log();
  EXPECT_EQ(after->status, 503u) << after->body;
  const auto status_reply = http_get(*port, "/status");
  ASSERT_TRUE(status_reply.has_value());
  EXPECT_EQ(status_reply->status, 200u);
  const auto parsed = nlohmann::json::parse(status_reply->body, nullptr, false);
  const auto status = parsed.is_object() ? parsed : nlohmann::json::object();
  EXPECT_EQ(field(status, {"ready"}, true), false) << status_reply->body;
  EXPECT_EQ(field<std::string>(status, {"status"}, ""), "Unavailable") << status_reply->body;
  EXPECT_EQ(field<std::string>(status, {"gate", "state"}, ""), "closed") << status_reply->body;

  EXPECT_EQ(drain_mode(lab), 2u) << "on_deadline = stay-closed must keep the gate closed";
  EXPECT_EQ(field<std::string>(files.journal(), {"gate_state"}, ""), "left-closed")
      << files.journal().dump(2);
  EXPECT_TRUE(contains(event_ids(lab), kDeadlineGateClosed)) << ids_text(event_ids(lab));

  EXPECT_EQ(agent.terminate(), kExitNoLicenseServer) << "SIGTERM ends the serving, not the verdict";
}

TEST(AgentBoot, LicenseServerDownWithOnDeadlineOpenOpensTheGate) {
  LabProcess lab("ls-down");
  AgentFiles files("[warmup]\non_deadline = \"open\"\n");
  AgentProcess agent(lab, files, "3s");
  const auto run = run_watching_gate(agent, lab, 20s);
  ASSERT_TRUE(run.exit_code.has_value()) << agent.log();
  EXPECT_EQ(*run.exit_code, kExitNoLicenseServer) << agent.log();
  EXPECT_GE(run.seconds, 2.9) << agent.log();
  EXPECT_EQ(run.max_drain_mode, 2u) << "closed during the warm-up";
  EXPECT_EQ(drain_mode(lab), 0u) << "on_deadline = open must open the gate";
  const auto status = files.status();
  EXPECT_EQ(field(status, {"ready"}, true), false) << status.dump(2);
  EXPECT_EQ(field<std::string>(status, {"status"}, ""), "NeedsAssistance") << status.dump(2);
  EXPECT_EQ(field<std::string>(files.journal(), {"gate_state"}, ""), "open")
      << files.journal().dump(2);
  EXPECT_TRUE(contains(event_ids(lab), kDeadlineGateOpened)) << ids_text(event_ids(lab));
  EXPECT_NE(agent.log().find("opened anyway"), std::string::npos) << agent.log();
}

// 3. NLA required: no retry can help, so it is final at once, not at the deadline.
TEST(AgentBoot, NlaRequiredEndsAtOnce) {
  LabProcess lab("nla-required");
  AgentFiles files;
  AgentProcess agent(lab, files, "60s");
  const auto code = agent.wait(20s);
  const double took = seconds_since(agent.started());
  ASSERT_TRUE(code.has_value()) << agent.log();
  EXPECT_EQ(*code, kExitNlaRequired) << agent.log();
  EXPECT_LT(took, 3.0) << agent.log();
  EXPECT_NE(agent.log().find("NLA"), std::string::npos) << agent.log();
}

// With an [nla] account the agent authenticates (CredSSP, NTLMv2 in SPNEGO) and gets the host
// ready; a refused password is final at once (exit 16), never retried into a lockout.
std::string nla_config(const AgentFiles& files, const std::string& password) {
  const auto file = files.dir() / "nla-password";
  std::ofstream(file) << password << "\n";
  std::filesystem::permissions(
      file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
      std::filesystem::perm_options::replace);
  return "[nla]\nuser = \"probe\"\ndomain = \"LAB\"\npassword_source = \"file\"\n"
         "password_file = \"" +
         file.string() + "\"\n";
}

TEST(AgentBoot, NlaRequiredWithAnAccountAuthenticatesAndGetsReady) {
  LabProcess lab("nla-required");  // its account: LAB\probe, lab-only-Passw0rd
  AgentFiles files;
  std::ofstream(files.config_file()) << nla_config(files, "lab-only-Passw0rd");
  AgentProcess agent(lab, files, "60s");
  const auto code = agent.wait(20s);
  ASSERT_TRUE(code.has_value()) << agent.log();
  EXPECT_EQ(*code, 0) << agent.log() << lab.log();
  EXPECT_NE(agent.log().find("NLA credentials: LAB\\probe"), std::string::npos) << agent.log();
  EXPECT_EQ(agent.log().find("lab-only-Passw0rd"), std::string::npos) << "the password leaked";
  EXPECT_EQ(files.status()["ready"], true) << files.status().dump(2);
}

TEST(AgentBoot, RefusedNlaCredentialsEndAtOnceWithExit16) {
  LabProcess lab("nla-required");
  AgentFiles files;
  std::ofstream(files.config_file()) << nla_config(files, "not-the-password");
  AgentProcess agent(lab, files, "60s");
  const auto code = agent.wait(20s);
  const double took = seconds_since(agent.started());
  ASSERT_TRUE(code.has_value()) << agent.log();
  EXPECT_EQ(*code, 16) << agent.log();
  EXPECT_LT(took, 3.0) << "a refused password must not be retried until the deadline";
  EXPECT_NE(agent.log().find("STATUS_LOGON_FAILURE"), std::string::npos) << agent.log();
  EXPECT_EQ(agent.log().find("not-the-password"), std::string::npos) << "the password leaked";
  EXPECT_EQ(files.journal()["gate_state"], "left-closed") << files.journal().dump(2);
}

// 4. Hosts with nothing to warm up: exit 3 without touching the gate, which an operator may have
// set for reasons of their own, and without connecting.
class NotApplicableHost : public ::testing::TestWithParam<const char*> {};

TEST_P(NotApplicableHost, ExitsThreeAndLeavesTheGateAlone) {
  LabProcess lab(GetParam());
  AgentFiles files;
  // An operator drained the host (TSServerDrainMode 1) before the agent ran.
  auto set = host::lab::update_lab_state_file(lab.state_file(),
                                              [](host::lab::LabHostState& s) { s.drain_mode = 1; });
  ASSERT_TRUE(set.ok()) << set.error().message();
  AgentProcess agent(lab, files, "30s");
  const auto run = run_watching_gate(agent, lab, 20s);
  ASSERT_TRUE(run.exit_code.has_value()) << agent.log();
  EXPECT_EQ(*run.exit_code, kExitNotApplicable) << agent.log();
  EXPECT_LT(run.seconds, 5.0) << agent.log();
  EXPECT_EQ(run.max_drain_mode, 1u) << "the gate was changed during the run";
  EXPECT_EQ(drain_mode(lab), 1u) << "the operator's drain mode must be left as it was";
  const auto ids = event_ids(lab);
  EXPECT_TRUE(contains(ids, kNotApplicable)) << ids_text(ids);
  EXPECT_FALSE(contains(ids, kGateClosed)) << ids_text(ids);
  EXPECT_EQ(lab.log().find("client RDWARM"), std::string::npos)
      << "the agent connected to a host that needs no warm-up:\n"
      << lab.log();
  EXPECT_EQ(field(files.status(), {"exit_code"}, -1), kExitNotApplicable);
}

INSTANTIATE_TEST_SUITE_P(AgentBoot, NotApplicableHost, ::testing::Values("not-rdsh", "per-device"),
                         [](const ::testing::TestParamInfo<const char*>& p) {
                           std::string name = p.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// 5. A real client. The host is in its grace period and has no certificate yet, so licensing
// works for clients and the only thing that can turn one away is the gate: while the agent waits
// for the certificate (the license server takes 6 s), xfreerdp is refused with
// ERRINFO_SERVER_DENIED_CONNECTION; once the agent has opened the gate, xfreerdp reaches the
// active session state (the way interop/lab_xfreerdp_test.cpp detects it).
TEST(AgentBoot, XfreerdpIsRefusedBehindTheGateAndAdmittedAfterIt) {
  RDWARM_REQUIRE_PEER(Peer::xfreerdp);
  AgentFiles files;
  const auto scenario = write_scenario(files, "grace-warming",
                                       "description = \"grace active, no certificate yet, slow "
                                       "license server\"\n"
                                       "[host]\ngrace = \"active\"\ncertificate = false\n"
                                       "[license_server]\nlatency = \"6s\"\n");
  auto& display = shared_xvfb_display();
  LabProcess lab(scenario.string());
  AgentProcess agent(lab, files, "30s");
  ASSERT_TRUE(poll_until([&] { return drain_mode(lab) == 2u; }, kStartBound)) << agent.log();

  const auto refused = run_xfreerdp(display, lab.port(), xfreerdp_auth_only_args(), 20s);
  EXPECT_TRUE(agent.running()) << "the warm-up ended before xfreerdp was refused; machine too slow?"
                               << agent.log();
  EXPECT_FALSE(refused.timed_out) << refused.output;
  EXPECT_NE(refused.exit_code, 0) << refused.output;
  EXPECT_NE(refused.output.find("ERRINFO_SERVER_DENIED_CONNECTION"), std::string::npos)
      << refused.output;
  EXPECT_EQ(refused.output.find(kXfreerdpActiveState), std::string::npos) << refused.output;
  EXPECT_NE(lab.log().find("logon refused: drain mode"), std::string::npos) << lab.log();

  const auto code = agent.wait(30s);
  ASSERT_TRUE(code.has_value()) << agent.log();
  ASSERT_EQ(*code, kExitReady) << agent.log();
  ASSERT_EQ(drain_mode(lab), 0u);

  const auto admitted = run_xfreerdp(display, lab.port(), xfreerdp_auth_only_args(), 20s);
  EXPECT_FALSE(admitted.timed_out) << admitted.output;
  EXPECT_EQ(admitted.exit_code, 0) << admitted.output;
  EXPECT_NE(admitted.output.find(kXfreerdpActiveState), std::string::npos) << admitted.output;
  EXPECT_EQ(admitted.output.find("ERRINFO_SERVER_DENIED_CONNECTION"), std::string::npos)
      << admitted.output;
  EXPECT_NE(lab.log().find("activated"), std::string::npos) << lab.log();
}

// 6. An agent killed with SIGKILL while the gate is closed leaves the journal saying so; the next
// run in the same boot takes over.

// Starts an agent and kills it with SIGKILL as soon as it has closed the gate and journaled it.
void start_and_kill_after_gate_closed(const LabProcess& lab, const AgentFiles& files,
                                      const std::string& deadline,
                                      std::chrono::milliseconds min_age = 0ms) {
  AgentProcess first(lab, files, deadline);
  ASSERT_TRUE(poll_until(
      [&] {
        return drain_mode(lab) == 2u &&
               field<std::string>(files.journal(), {"gate_state"}, "") == "closed";
      },
      kStartBound))
      << first.log();
  while (AgentClock::now() - first.started() < min_age) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(first.running()) << "the first agent ended on its own:\n" << first.log();
  first.kill_hard();

  const auto journal = files.journal();
  EXPECT_EQ(field<std::string>(journal, {"gate_state"}, ""), "closed") << journal.dump(2);
  EXPECT_EQ(field(journal, {"finished"}, true), false) << journal.dump(2);
  EXPECT_EQ(field(journal, {"pid"}, 0), first.pid()) << journal.dump(2);
  EXPECT_EQ(drain_mode(lab), 2u) << "a dead agent's gate is still closed";
}

// (a) The license server answers (first-boot: 3 s after the first request, which the killed agent
// made). The next run takes over the closed gate and opens it when the host is ready.
TEST(AgentBoot, AfterSigkillTheNextRunTakesOverAndOpensTheGate) {
  LabProcess lab("first-boot");
  AgentFiles files;
  ASSERT_NO_FATAL_FAILURE(start_and_kill_after_gate_closed(lab, files, "60s"));
  const auto first_start = field<std::string>(files.journal(), {"warmup_started_at"}, "");

  AgentProcess second(lab, files, "60s");
  const auto code = second.wait(30s);
  ASSERT_TRUE(code.has_value()) << second.log();
  EXPECT_EQ(*code, kExitReady) << second.log() << lab.log();
  EXPECT_NE(second.log().find("this run takes over and keeps its deadline"), std::string::npos)
      << second.log();
  EXPECT_EQ(drain_mode(lab), 0u);
  const auto journal = files.journal();
  EXPECT_EQ(field<std::string>(journal, {"gate_state"}, ""), "open") << journal.dump(2);
  EXPECT_EQ(field(journal, {"finished"}, false), true) << journal.dump(2);
  EXPECT_EQ(field<std::string>(journal, {"warmup_started_at"}, ""), first_start) << journal.dump(2);
  EXPECT_TRUE(contains(event_ids(lab), kRecoveredGate)) << ids_text(event_ids(lab));
}

// (b) The license server stays down. Both runs are given 9 s; the first is killed 3 s in, so the
// second, counting from the first start, must give up about 6 s after it starts, not 9 s.
TEST(AgentBoot, AfterSigkillTheDeadlineCountsFromTheFirstStart) {
  LabProcess lab("ls-down");
  AgentFiles files;
  const auto first_started = AgentClock::now();
  ASSERT_NO_FATAL_FAILURE(start_and_kill_after_gate_closed(lab, files, "9s", 3s));
  const auto first_start = field<std::string>(files.journal(), {"warmup_started_at"}, "");

  AgentProcess second(lab, files, "9s");
  const double gap = std::chrono::duration<double>(second.started() - first_started).count();
  const auto code = second.wait(30s);
  const double took = seconds_since(second.started());
  ASSERT_TRUE(code.has_value()) << second.log();
  EXPECT_EQ(*code, kExitNoLicenseServer) << second.log();
  // The journal keeps whole seconds, so the kept deadline may end up to 1 s early; the upper
  // bound allows for a slow start of the second process.
  EXPECT_LT(took, 9.0 - gap + 1.5) << "gap " << gap << " s\n" << second.log();
  EXPECT_LT(took, 9.0 - 1.5) << "the second run used its own full deadline\n" << second.log();
  EXPECT_GT(took, 9.0 - gap - 1.5) << "gap " << gap << " s\n" << second.log();
  EXPECT_NE(second.log().find("keeps its deadline"), std::string::npos) << second.log();
  const auto journal = files.journal();
  EXPECT_EQ(field<std::string>(journal, {"warmup_started_at"}, ""), first_start) << journal.dump(2);
  EXPECT_EQ(field<std::string>(journal, {"gate_state"}, ""), "left-closed") << journal.dump(2);
  EXPECT_EQ(drain_mode(lab), 2u) << "stay-closed: still closed, now on purpose";
  const auto ids = event_ids(lab);
  EXPECT_TRUE(in_order(
      ids, {kStarted, kGateClosed, kStarted, kRecoveredGate, kGateClosed, kDeadlineGateClosed}))
      << ids_text(ids);
}

// 7. The service gate, as on a Citrix VDA: the lab host has the Citrix Desktop Service
// (BrokerAgent), running when the lab starts. The agent holds it stopped while the host warms up
// (the VDA cannot register, so the broker sends no users) and starts it when the host is ready.
constexpr const char* kServiceGate =
    "[gate]\nkind = \"service\"\nservices = [\"BrokerAgent\"]\nservice_timeout = \"10s\"\n";

std::filesystem::path citrix_first_boot(const AgentFiles& files) {
  return write_scenario(files, "citrix-first-boot",
                        "description = \"first boot of a Citrix VDA: BrokerAgent installed, grace "
                        "over, no certificate\"\n"
                        "[host]\nservices = [\"BrokerAgent\"]\n"
                        "[license_server]\nlatency = \"3s\"\n");
}

TEST(AgentBoot, ServiceGateHoldsBrokerAgentStoppedUntilTheHostIsReady) {
  AgentFiles files(kServiceGate);
  LabProcess lab(citrix_first_boot(files).string());
  ASSERT_EQ(service_state(lab, "BrokerAgent"), "running") << "the lab starts scenario services";
  AgentProcess agent(lab, files, "30s");
  bool seen_stopped = false;
  std::uint32_t max_drain = 0;
  std::optional<int> code;
  const auto end = AgentClock::now() + 30s;
  while (!code && AgentClock::now() < end) {
    if (service_state(lab, "BrokerAgent") == "stopped") seen_stopped = true;
    if (const auto d = drain_mode(lab)) max_drain = std::max(max_drain, *d);
    code = agent.wait(10ms);
  }
  ASSERT_TRUE(code.has_value()) << agent.log();
  EXPECT_EQ(*code, kExitReady) << agent.log() << lab.log();
  EXPECT_TRUE(seen_stopped) << "BrokerAgent was never held stopped during the warm-up";
  EXPECT_EQ(service_state(lab, "BrokerAgent"), "running") << "started when ready";
  EXPECT_EQ(max_drain, 0u) << "the service gate must not drain the host";

  const auto status = files.status();
  EXPECT_EQ(field<std::string>(status, {"gate", "kind"}, ""), "service") << status.dump(2);
  EXPECT_EQ(field<std::string>(status, {"gate", "state"}, ""), "open") << status.dump(2);
  EXPECT_EQ(field<std::string>(status, {"status"}, ""), "Available") << status.dump(2);
  EXPECT_GE(field(status, {"attempts", "total"}, 0), 2) << "the first attempt cannot succeed";
  const auto journal = files.journal();
  EXPECT_EQ(field<std::string>(journal, {"gate_kind"}, ""), "service") << journal.dump(2);
  EXPECT_EQ(field<std::string>(journal, {"gate_state"}, ""), "open") << journal.dump(2);
  EXPECT_EQ(field(journal, {"finished"}, false), true) << journal.dump(2);
  const auto ids = event_ids(lab);
  EXPECT_TRUE(in_order(ids, {kStarted, kGateClosed, kAttemptFailed, kReady})) << ids_text(ids);
}

TEST(AgentBoot, AfterSigkillTheNextRunStartsTheServicesAgain) {
  AgentFiles files(kServiceGate);
  LabProcess lab(citrix_first_boot(files).string());
  {
    AgentProcess first(lab, files, "60s");
    ASSERT_TRUE(poll_until(
        [&] {
          return service_state(lab, "BrokerAgent") == "stopped" &&
                 field<std::string>(files.journal(), {"gate_state"}, "") == "closed";
        },
        kStartBound))
        << first.log();
    ASSERT_TRUE(first.running()) << "the first agent ended on its own:\n" << first.log();
    first.kill_hard();
  }
  EXPECT_EQ(service_state(lab, "BrokerAgent"), "stopped") << "a dead agent's services stay stopped";
  const auto left = files.journal();
  EXPECT_EQ(field<std::string>(left, {"gate_kind"}, ""), "service") << left.dump(2);
  EXPECT_EQ(field<std::string>(left, {"gate_state"}, ""), "closed") << left.dump(2);
  EXPECT_EQ(field(left, {"finished"}, true), false) << left.dump(2);

  AgentProcess second(lab, files, "60s");
  const auto code = second.wait(30s);
  ASSERT_TRUE(code.has_value()) << second.log();
  EXPECT_EQ(*code, kExitReady) << second.log() << lab.log();
  EXPECT_NE(second.log().find("this run takes over"), std::string::npos) << second.log();
  EXPECT_EQ(service_state(lab, "BrokerAgent"), "running");
  const auto journal = files.journal();
  EXPECT_EQ(field<std::string>(journal, {"gate_state"}, ""), "open") << journal.dump(2);
  EXPECT_EQ(field(journal, {"finished"}, false), true) << journal.dump(2);
  EXPECT_TRUE(contains(event_ids(lab), kRecoveredGate)) << ids_text(event_ids(lab));
}

// 8. One agent per host: a second `rdwarm boot` while the first warms up (an admin runs it by hand
// while the boot task is at work) ends with exit 1 and leaves the gate, the journal and the
// status file to the first, which goes on and opens the gate.
TEST(AgentBoot, ASecondAgentLeavesTheFirstAloneAndExitsOne) {
  AgentFiles files;
  const auto scenario = write_scenario(files, "slow-license-server",
                                       "description = \"first boot, license server answers after "
                                       "6 s\"\n[license_server]\nlatency = \"6s\"\n");
  LabProcess lab(scenario.string());
  AgentProcess first(lab, files, "30s");
  ASSERT_TRUE(poll_until(
      [&] {
        return drain_mode(lab) == 2u &&
               field<std::string>(files.journal(), {"gate_state"}, "") == "closed";
      },
      kStartBound))
      << first.log();
  const auto journal_before = files.journal();

  AgentProcess second(lab, files, "30s");
  const auto second_code = second.wait(15s);
  ASSERT_TRUE(second_code.has_value()) << second.log();
  EXPECT_EQ(*second_code, kExitInternal) << second.log();
  EXPECT_NE(second.log().find("another rdwarm boot (pid " + std::to_string(first.pid())),
            std::string::npos)
      << second.log();
  EXPECT_TRUE(first.running()) << "the first agent must be undisturbed:\n" << first.log();
  EXPECT_EQ(drain_mode(lab), 2u) << "the second agent touched the gate";
  EXPECT_EQ(files.journal(), journal_before) << "the second agent rewrote the journal";
  EXPECT_TRUE(contains(event_ids(lab), kAnotherAgent)) << ids_text(event_ids(lab));

  const auto first_code = first.wait(30s);
  ASSERT_TRUE(first_code.has_value()) << first.log();
  EXPECT_EQ(*first_code, kExitReady) << first.log();
  EXPECT_EQ(drain_mode(lab), 0u);
  EXPECT_EQ(field(files.journal(), {"pid"}, 0), first.pid()) << files.journal().dump(2);
  EXPECT_EQ(field<std::string>(files.status(), {"status"}, ""), "Available")
      << files.status().dump(2);
}

}  // namespace
}  // namespace rdwarm::testing
