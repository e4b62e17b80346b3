// The boot warm-up (DESIGN.md, The agent) as an explicit state machine:
//
//   Starting -> (not applicable) NotApplicable
//            -> ClosingGate -> Probing <-> Waiting
//                              Probing -> (gate opened) Ready
//                              Probing/Waiting -> DeadlineReached (gate per on_deadline)
//
// Every transition is logged, written to the status board (health server, status file) and, for
// the ones an operator must see, to the host's event log. The gate journal is written before the
// gate closes and after it opens: between the licensed attempt and the open gate nothing is
// written but the gate (the OpeningGate phase is therefore not entered any more). Probing uses the
// real probe; the wait between attempts is the retry policy's delay, cut short by a certificate
// change when the platform can watch for one. A second agent started while one is at work (the
// journal says so) ends at once with exit 1 and touches nothing (gate_journal.hpp).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "licensing/host/host_platform.hpp"
#include "licensing/host/readiness.hpp"
#include "licensing/probe/probe.hpp"
#include "warmup/agent/agent_status.hpp"
#include "warmup/agent/gate.hpp"
#include "warmup/agent/retry_policy.hpp"

namespace rdwarm::agent {

enum class OnDeadline { kStayClosed, kOpen };

struct WarmupOptions {
  probe::ProbeOptions probe;  // target, per-phase timeouts; overall = attempt timeout
  std::chrono::milliseconds deadline{std::chrono::minutes(10)};
  OnDeadline on_deadline = OnDeadline::kStayClosed;
  bool certificate_wait = true;
  RetryPolicy retry;
  std::uint64_t seed = 0;              // 0: random
  std::filesystem::path journal_file;  // empty: no journal (tests, image prewarm)
};

enum class LogLevel { kDebug, kInfo, kWarning, kError };

struct WarmupDeps {
  host::HostPlatform& platform;
  AdmissionGate& gate;
  StatusBoard& board;
  std::function<probe::ProbeResult(const probe::ProbeOptions&)> run_probe;  // default: real probe
  std::function<void(LogLevel, const std::string&)> log;                    // default: none
};

struct WarmupResult {
  int exit_code = 0;
  std::string headline;
};

// Event ids written to the host's event log (docs/events.md).
enum EventId : std::uint32_t {
  kEventStarted = 1000,
  kEventNotApplicable = 1001,
  kEventGateClosed = 1002,
  kEventAttemptFailed = 1003,
  kEventReady = 1004,
  kEventDeadlineGateClosed = 1005,
  kEventDeadlineGateOpened = 1006,
  kEventRecoveredGate = 1007,
  kEventGateFailed = 1008,
  kEventFinalVerdict = 1009,
  kEventHostUnreadable = 1010,
  kEventAnotherAgent = 1011,
};

class Orchestrator {
 public:
  Orchestrator(WarmupOptions options, WarmupDeps deps);
  WarmupResult run();
  // From another thread (signal handler thread): end the wait, stop after the current attempt and
  // apply the deadline policy.
  void request_stop();

 private:
  // `also` changes more of the status in the same update (one status file write).
  void enter(AgentPhase phase, const std::string& message, LogLevel level = LogLevel::kInfo,
             const std::function<void(AgentStatus&)>& also = {});
  void journal(const std::string& gate_state, bool finished);
  void event(std::uint32_t id, host::EventSeverity severity, const std::string& message);
  std::chrono::milliseconds remaining() const;
  bool close_gate();
  bool open_gate();
  WarmupResult finish_ready(const host::LicensingSnapshot& snapshot, const host::Readiness& r,
                            bool opened);
  WarmupResult finish_unready(int exit_code, const std::string& headline, bool deadline);
  void wait_before_retry(std::chrono::milliseconds delay);
  void note_certificate(const host::LicensingSnapshot& snapshot);
  static void copy_certificate(const host::LicensingSnapshot& snapshot, AgentStatus& status);

  WarmupOptions options_;
  WarmupDeps deps_;
  std::chrono::system_clock::time_point warmup_started_at_;
  std::chrono::steady_clock::time_point deadline_at_;
  std::chrono::steady_clock::time_point run_started_;
  std::string boot_id_;
  bool gate_closed_ = false;
  std::atomic<bool> stop_{false};
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
};

}  // namespace rdwarm::agent
