// What the boot agent reports while it warms the host up: one AgentStatus, kept on a StatusBoard
// that the orchestrator writes and the health server, the status file and the metrics read.
// Broker statuses are named after the AVD session-host statuses (reference/windows-rds-licensing.md
// §4.8) so an AVD, Citrix or Horizon admin reads them in familiar words. JSON: docs/health.md.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace rdwarm::agent {

enum class AgentPhase {
  kStarting,
  kNotApplicable,  // no RDSH role or not per-user licensing: nothing to warm up
  kClosingGate,
  kProbing,
  kWaiting,  // between attempts: backoff or waiting for the certificate to change
  kOpeningGate,
  kReady,
  kDeadlineReached,
  kFailed,
};

// Available: users may be admitted. NeedsAssistance: admitted, but something is wrong (e.g. the
// gate was opened on the deadline with on_deadline = open). WarmingUp: not yet decided.
// Unavailable: not admitted (deadline reached with the gate closed, or the agent failed).
enum class BrokerStatus { kAvailable, kNeedsAssistance, kWarmingUp, kUnavailable };

inline constexpr AgentPhase kAllAgentPhases[] = {
    AgentPhase::kStarting, AgentPhase::kNotApplicable,   AgentPhase::kClosingGate,
    AgentPhase::kProbing,  AgentPhase::kWaiting,         AgentPhase::kOpeningGate,
    AgentPhase::kReady,    AgentPhase::kDeadlineReached, AgentPhase::kFailed};
inline constexpr BrokerStatus kAllBrokerStatuses[] = {
    BrokerStatus::kAvailable, BrokerStatus::kNeedsAssistance, BrokerStatus::kWarmingUp,
    BrokerStatus::kUnavailable};

// "Starting", "NotApplicable", "ClosingGate", "Probing", "Waiting", "OpeningGate", "Ready",
// "DeadlineReached", "Failed".
std::string phase_name(AgentPhase phase);
// "Available", "NeedsAssistance", "WarmingUp", "Unavailable".
std::string broker_status_name(BrokerStatus status);

struct AttemptRecord {
  std::uint32_t number = 0;
  std::string outcome;  // OutcomeKind name, e.g. "LicensingFailed"
  std::string detail;
  double duration_ms = 0;
  std::chrono::system_clock::time_point started_at{};
};

struct AgentStatus {
  std::string version;
  std::string platform;
  std::string target;  // "127.0.0.1:3389"
  std::chrono::system_clock::time_point started_at{};
  std::chrono::system_clock::time_point updated_at{};
  AgentPhase phase = AgentPhase::kStarting;
  BrokerStatus broker_status = BrokerStatus::kWarmingUp;
  bool ready = false;  // users may be admitted (drives /readyz)
  std::string gate_kind = "none";
  std::string gate_state = "unknown";  // "open" | "closed" | "unknown"
  std::uint32_t attempts = 0;
  std::map<std::string, std::uint64_t> attempts_by_outcome;
  std::optional<AttemptRecord> last_attempt;
  std::optional<double> time_to_ready_seconds;  // from agent start to ready
  std::optional<std::int64_t> grace_days_left;
  std::optional<std::int64_t> certificate_not_after_unix;
  std::string certificate_issuer;
  std::vector<std::string> reasons;              // sentences, latest verdict first
  std::optional<int> exit_code;                  // set when the warm-up finished
  std::optional<nlohmann::json> image_manifest;  // facts of the seal manifest, when present
};

inline constexpr const char* kAgentStatusSchema = "rdwarm.agent-status/1";

// {"schema": "rdwarm.agent-status/1", ...}; every field is present, null when it does not apply.
nlohmann::json agent_status_json(const AgentStatus& status);
// The same as text. Never throws: bytes that are not UTF-8 (a server's error text) are replaced.
std::string agent_status_text(const AgentStatus& status, bool pretty);

// Thread-safe holder shared by the orchestrator thread (writer) and the health server (reader).
class StatusBoard {
 public:
  StatusBoard() = default;
  explicit StatusBoard(AgentStatus initial) : status_(std::move(initial)) {}

  // Sets updated_at to now, then applies `change` (which may set updated_at itself), then calls
  // the listeners with the new status on the calling thread, outside the status lock. Updates
  // are serialized, so listeners see every change once and in order. A listener must not call
  // update() (it would deadlock); it may call snapshot().
  void update(const std::function<void(AgentStatus&)>& change);

  [[nodiscard]] AgentStatus snapshot() const;

  // Increases with every update. Readers that cache what they render from a snapshot compare it
  // instead of copying the status on every request.
  [[nodiscard]] std::uint64_t generation() const;

  struct Versioned {
    AgentStatus status;
    std::uint64_t generation = 0;
  };
  // The status and the generation it belongs to, read together.
  [[nodiscard]] Versioned versioned_snapshot() const;

  void on_change(std::function<void(const AgentStatus&)> listener);

 private:
  std::mutex update_mutex_;  // held across change + listeners: keeps notifications in order
  mutable std::mutex mutex_;
  AgentStatus status_;
  std::atomic<std::uint64_t> generation_{0};  // written under mutex_, read without it
  std::vector<std::function<void(const AgentStatus&)>> listeners_;
};

}  // namespace rdwarm::agent
