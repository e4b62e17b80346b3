// The agent status: names, the rdwarm.agent-status/1 JSON, and the StatusBoard shared by the
// orchestrator thread and the health server.
#include "warmup/agent/agent_status.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "licensing/wire/utc_time.hpp"

namespace rdwarm::agent {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

TEST(AgentStatusNames, AreDistinctAndMatchTheAvdStatuses) {
  std::set<std::string> phases;
  for (const auto p : kAllAgentPhases) phases.insert(phase_name(p));
  EXPECT_EQ(phases.size(), std::size(kAllAgentPhases));
  EXPECT_EQ(phase_name(AgentPhase::kDeadlineReached), "DeadlineReached");
  EXPECT_EQ(phase_name(AgentPhase::kNotApplicable), "NotApplicable");

  EXPECT_EQ(broker_status_name(BrokerStatus::kAvailable), "Available");
  EXPECT_EQ(broker_status_name(BrokerStatus::kNeedsAssistance), "NeedsAssistance");
  EXPECT_EQ(broker_status_name(BrokerStatus::kWarmingUp), "WarmingUp");
  EXPECT_EQ(broker_status_name(BrokerStatus::kUnavailable), "Unavailable");
}

TEST(AgentStatusJson, FreshStatusHasEveryFieldWithNulls) {
  const json j = agent_status_json(AgentStatus{});
  EXPECT_EQ(j["schema"], "rdwarm.agent-status/1");
  for (const char* key :
       {"version", "platform", "target", "started_at", "updated_at", "phase", "status", "ready",
        "gate", "attempts", "last_attempt", "time_to_ready_seconds", "grace_days_left",
        "certificate", "reasons", "exit_code", "image_manifest"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j.size(), 18u);  // the keys above and "schema": a new field needs docs/health.md
  EXPECT_TRUE(j["started_at"].is_null());
  EXPECT_TRUE(j["last_attempt"].is_null());
  EXPECT_TRUE(j["time_to_ready_seconds"].is_null());
  EXPECT_TRUE(j["grace_days_left"].is_null());
  EXPECT_TRUE(j["exit_code"].is_null());
  EXPECT_TRUE(j["image_manifest"].is_null());
  EXPECT_TRUE(j["certificate"]["issuer"].is_null());
  EXPECT_TRUE(j["certificate"]["not_after"].is_null());
  EXPECT_EQ(j["phase"], "Starting");
  EXPECT_EQ(j["status"], "WarmingUp");
  EXPECT_EQ(j["ready"], false);
  EXPECT_EQ(j["gate"], (json{{"kind", "none"}, {"state", "unknown"}}));
  EXPECT_EQ(j["attempts"], (json{{"total", 0}, {"by_outcome", json::object()}}));
  EXPECT_EQ(j["reasons"], json::array());
}

TEST(AgentStatusJson, FilledStatus) {
  AgentStatus s;
  s.version = "0.1.0";
  s.platform = "lab";
  s.target = "127.0.0.1:3389";
  s.started_at = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  s.phase = AgentPhase::kReady;
  s.broker_status = BrokerStatus::kAvailable;
  s.ready = true;
  s.gate_kind = "drain";
  s.gate_state = "open";
  s.attempts = 3;
  s.attempts_by_outcome = {{"LicensingFailed", 2}, {"Licensed", 1}};
  s.last_attempt =
      AttemptRecord{3, "Licensed", "new license", 8.25, s.started_at + std::chrono::seconds(9)};
  s.time_to_ready_seconds = 9.5;
  s.grace_days_left = 0;
  s.certificate_not_after_unix = 1'900'000'000;
  s.certificate_issuer = "CN=LAB-LS";
  s.reasons = {"The license server issued a certificate.", "older"};
  s.exit_code = 0;
  s.image_manifest = json{{"grace_end", "2026-12-01T00:00:00Z"}};

  const json j = agent_status_json(s);
  EXPECT_EQ(j["started_at"], "2027-01-15T08:00:00Z");
  EXPECT_EQ(j["phase"], "Ready");
  EXPECT_EQ(j["status"], "Available");
  EXPECT_EQ(j["ready"], true);
  EXPECT_EQ(j["gate"]["state"], "open");
  EXPECT_EQ(j["attempts"]["total"], 3);
  EXPECT_EQ(j["attempts"]["by_outcome"]["LicensingFailed"], 2);
  EXPECT_EQ(j["last_attempt"]["number"], 3);
  EXPECT_EQ(j["last_attempt"]["outcome"], "Licensed");
  EXPECT_EQ(j["last_attempt"]["duration_ms"], 8.25);
  EXPECT_EQ(j["last_attempt"]["started_at"], "2027-01-15T08:00:09Z");
  EXPECT_EQ(j["time_to_ready_seconds"], 9.5);
  EXPECT_EQ(j["grace_days_left"], 0);
  EXPECT_EQ(j["certificate"]["not_after_unix"], 1'900'000'000);
  EXPECT_EQ(j["certificate"]["not_after"], format_utc(std::int64_t{1'900'000'000}));
  EXPECT_EQ(j["certificate"]["issuer"], "CN=LAB-LS");
  EXPECT_EQ(j["reasons"][0], "The license server issued a certificate.");
  EXPECT_EQ(j["exit_code"], 0);
  EXPECT_EQ(j["image_manifest"]["grace_end"], "2026-12-01T00:00:00Z");
}

TEST(AgentStatusJson, TextNeverThrowsOnBytesThatAreNotUtf8) {
  AgentStatus s;
  s.reasons = {std::string("server said \xff\xfe here")};
  s.last_attempt = AttemptRecord{1, "ProtocolError", std::string("\xc3\x28"), 1, {}};
  std::string text;
  ASSERT_NO_THROW(text = agent_status_text(s, false));
  const json back = json::parse(text);
  EXPECT_EQ(back["reasons"][0], "server said \xEF\xBF\xBD\xEF\xBF\xBD here");
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_NE(agent_status_text(s, true).find("\n  \"schema\""), std::string::npos);
}

TEST(StatusBoard, UpdateStampsTimeAndCountsGenerations) {
  StatusBoard board;
  EXPECT_EQ(board.generation(), 0u);
  const auto before = std::chrono::system_clock::now();
  board.update([](AgentStatus& s) { s.phase = AgentPhase::kProbing; });
  EXPECT_EQ(board.generation(), 1u);
  const auto snap = board.snapshot();
  EXPECT_EQ(snap.phase, AgentPhase::kProbing);
  EXPECT_GE(snap.updated_at, before);
  EXPECT_LE(snap.updated_at, std::chrono::system_clock::now());

  // The change may set updated_at itself (a replayed journal, a test).
  const std::chrono::system_clock::time_point fixed(std::chrono::seconds(1000));
  board.update([&](AgentStatus& s) { s.updated_at = fixed; });
  const auto v = board.versioned_snapshot();
  EXPECT_EQ(v.generation, 2u);
  EXPECT_EQ(v.status.updated_at, fixed);
  EXPECT_EQ(v.status.phase, AgentPhase::kProbing);
}

TEST(StatusBoard, ListenersSeeEveryChangeInOrderAndMaySnapshot) {
  StatusBoard board;
  std::vector<std::uint32_t> seen;
  std::vector<std::uint32_t> snapshots;
  board.on_change([&](const AgentStatus& s) {
    seen.push_back(s.attempts);
    snapshots.push_back(board.snapshot().attempts);  // no deadlock: called outside the lock
  });
  for (std::uint32_t i = 1; i <= 5; ++i) {
    board.update([i](AgentStatus& s) { s.attempts = i; });
  }
  EXPECT_EQ(seen, (std::vector<std::uint32_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(snapshots, seen);
}

TEST(StatusBoard, ConcurrentWritersAndReadersStayConsistent) {
  StatusBoard board;
  std::atomic<std::uint64_t> last_notified{0};
  std::atomic<bool> out_of_order{false};
  board.on_change([&](const AgentStatus& s) {
    // attempts only grows, and updates are serialized: notifications never go backwards.
    const auto prev = last_notified.exchange(s.attempts);
    if (prev >= s.attempts) out_of_order = true;
  });
  constexpr int kWriters = 4;
  constexpr int kUpdates = 500;
  std::atomic<bool> done{false};
  std::atomic<bool> torn{false};
  std::thread reader([&] {
    while (!done) {
      const auto v = board.versioned_snapshot();
      // Each update sets both fields together; a reader must never see half of one.
      const auto it = v.status.attempts_by_outcome.find("Licensed");
      const std::uint64_t licensed = it == v.status.attempts_by_outcome.end() ? 0 : it->second;
      if (v.status.attempts != licensed) torn = true;
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&] {
      for (int i = 0; i < kUpdates; ++i) {
        board.update([](AgentStatus& s) {
          ++s.attempts;
          s.attempts_by_outcome["Licensed"] = s.attempts;
        });
      }
    });
  }
  for (auto& t : writers) t.join();
  done = true;
  reader.join();
  EXPECT_FALSE(torn);
  EXPECT_FALSE(out_of_order);
  EXPECT_EQ(board.snapshot().attempts, kWriters * kUpdates);
  EXPECT_EQ(board.generation(), static_cast<std::uint64_t>(kWriters * kUpdates));
  EXPECT_EQ(last_notified.load(), static_cast<std::uint64_t>(kWriters * kUpdates));
}

}  // namespace
}  // namespace rdwarm::agent
