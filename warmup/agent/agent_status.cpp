#include "warmup/agent/agent_status.hpp"

#include <utility>

#include "licensing/wire/utc_time.hpp"

namespace rdwarm::agent {

using nlohmann::json;

std::string phase_name(AgentPhase phase) {
  switch (phase) {
    case AgentPhase::kStarting:
      return "Starting";
    case AgentPhase::kNotApplicable:
      return "NotApplicable";
    case AgentPhase::kClosingGate:
      return "ClosingGate";
    case AgentPhase::kProbing:
      return "Probing";
    case AgentPhase::kWaiting:
      return "Waiting";
    case AgentPhase::kOpeningGate:
      return "OpeningGate";
    case AgentPhase::kReady:
      return "Ready";
    case AgentPhase::kDeadlineReached:
      return "DeadlineReached";
    case AgentPhase::kFailed:
      return "Failed";
  }
  return "Unknown";
}

std::string broker_status_name(BrokerStatus status) {
  switch (status) {
    case BrokerStatus::kAvailable:
      return "Available";
    case BrokerStatus::kNeedsAssistance:
      return "NeedsAssistance";
    case BrokerStatus::kWarmingUp:
      return "WarmingUp";
    case BrokerStatus::kUnavailable:
      return "Unavailable";
  }
  return "Unknown";
}

namespace {

template <class T>
json or_null(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json text_or_null(const std::string& text) {
  return text.empty() ? json(nullptr) : json(text);
}

// A default-constructed time point means "not set yet".
json time_or_null(std::chrono::system_clock::time_point t) {
  return t == std::chrono::system_clock::time_point{} ? json(nullptr) : json(format_utc(t));
}

json attempt_json(const AttemptRecord& a) {
  return json{{"number", a.number},
              {"outcome", a.outcome},
              {"detail", text_or_null(a.detail)},
              {"duration_ms", a.duration_ms},
              {"started_at", time_or_null(a.started_at)}};
}

}  // namespace

json agent_status_json(const AgentStatus& s) {
  json by_outcome = json::object();
  for (const auto& [outcome, count] : s.attempts_by_outcome) by_outcome[outcome] = count;

  json certificate{
      {"issuer", text_or_null(s.certificate_issuer)},
      {"not_after", s.certificate_not_after_unix ? json(format_utc(*s.certificate_not_after_unix))
                                                 : json(nullptr)},
      {"not_after_unix", or_null(s.certificate_not_after_unix)}};

  return json{
      {"schema", kAgentStatusSchema},
      {"version", s.version},
      {"platform", s.platform},
      {"target", s.target},
      {"started_at", time_or_null(s.started_at)},
      {"updated_at", time_or_null(s.updated_at)},
      {"phase", phase_name(s.phase)},
      {"status", broker_status_name(s.broker_status)},
      {"ready", s.ready},
      {"gate", {{"kind", s.gate_kind}, {"state", s.gate_state}}},
      {"attempts", {{"total", s.attempts}, {"by_outcome", std::move(by_outcome)}}},
      {"last_attempt", s.last_attempt ? attempt_json(*s.last_attempt) : json(nullptr)},
      {"time_to_ready_seconds", or_null(s.time_to_ready_seconds)},
      {"grace_days_left", or_null(s.grace_days_left)},
      {"certificate", std::move(certificate)},
      {"reasons", s.reasons},
      {"exit_code", or_null(s.exit_code)},
      {"image_manifest", s.image_manifest ? *s.image_manifest : json(nullptr)},
  };
}

std::string agent_status_text(const AgentStatus& status, bool pretty) {
  return agent_status_json(status).dump(pretty ? 2 : -1, ' ', false,
                                        json::error_handler_t::replace);
}

void StatusBoard::update(const std::function<void(AgentStatus&)>& change) {
  const std::lock_guard serial(update_mutex_);
  AgentStatus copy;
  std::vector<std::function<void(const AgentStatus&)>> listeners;
  {
    const std::lock_guard lock(mutex_);
    status_.updated_at = std::chrono::system_clock::now();
    change(status_);
    generation_.fetch_add(1, std::memory_order_release);
    listeners = listeners_;
    if (!listeners.empty()) copy = status_;
  }
  for (const auto& listener : listeners) listener(copy);
}

AgentStatus StatusBoard::snapshot() const {
  const std::lock_guard lock(mutex_);
  return status_;
}

std::uint64_t StatusBoard::generation() const {
  return generation_.load(std::memory_order_acquire);
}

StatusBoard::Versioned StatusBoard::versioned_snapshot() const {
  const std::lock_guard lock(mutex_);
  return Versioned{status_, generation_.load(std::memory_order_relaxed)};
}

void StatusBoard::on_change(std::function<void(const AgentStatus&)> listener) {
  const std::lock_guard lock(mutex_);
  listeners_.push_back(std::move(listener));
}

}  // namespace rdwarm::agent
