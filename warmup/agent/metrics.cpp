#include "warmup/agent/metrics.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <map>

#include "licensing/connector/outcome.hpp"

namespace rdwarm::agent {

namespace {

// Shortest text that reads back as the same double; the format's spellings for the specials.
std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::array<char, 32> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return std::string(buf.data(), r.ptr);
}

class Writer {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;  // constant text without backslashes or line feeds: nothing to escape
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }

  // labels: name="escaped value" pairs, already joined.
  void sample(std::string_view name, std::string_view labels, std::string_view value) {
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      out_ += labels;
      out_ += '}';
    }
    out_ += ' ';
    out_ += value;
    out_ += '\n';
  }

  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string label(std::string_view name, std::string_view value) {
  std::string l(name);
  l += "=\"";
  l += prometheus_escape_label(value);
  l += '"';
  return l;
}

// Every outcome the probe can report, so rate() works from the first scrape (a counter that
// appears only when it first counts hides its first increase).
std::map<std::string, std::uint64_t> all_outcomes(const AgentStatus& s) {
  std::map<std::string, std::uint64_t> counts;
  for (int k = 0; k <= static_cast<int>(connector::OutcomeKind::ProtocolError); ++k) {
    counts[std::string(connector::outcome_kind_name(static_cast<connector::OutcomeKind>(k)))] = 0;
  }
  for (const auto& [outcome, count] : s.attempts_by_outcome) counts[outcome] = count;
  return counts;
}

}  // namespace

std::string prometheus_escape_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string prometheus_text(const AgentStatus& s) {
  Writer w;
  w.family("rdwarm_info", "gauge", "Version and platform of the rdwarm agent; always 1.");
  w.sample("rdwarm_info", label("version", s.version) + "," + label("platform", s.platform), "1");

  w.family("rdwarm_ready", "gauge",
           "1 when users may be admitted to this session host (the /readyz verdict), else 0.");
  w.sample("rdwarm_ready", "", s.ready ? "1" : "0");

  w.family("rdwarm_broker_status", "gauge",
           "Status reported to brokers, named after the AVD session-host statuses; 1 for the "
           "current one.");
  for (const auto status : kAllBrokerStatuses) {
    w.sample("rdwarm_broker_status", label("status", broker_status_name(status)),
             status == s.broker_status ? "1" : "0");
  }

  w.family("rdwarm_phase", "gauge", "Phase of the warm-up; 1 for the current one.");
  for (const auto phase : kAllAgentPhases) {
    w.sample("rdwarm_phase", label("phase", phase_name(phase)), phase == s.phase ? "1" : "0");
  }

  if (s.gate_state == "open" || s.gate_state == "closed") {
    w.family("rdwarm_gate_closed", "gauge",
             "1 while the admission gate keeps users away from this host, 0 when it is open.");
    w.sample("rdwarm_gate_closed", label("gate", s.gate_kind),
             s.gate_state == "closed" ? "1" : "0");
  }

  w.family("rdwarm_warmup_attempts_total", "counter",
           "Warm-up probe attempts since the agent started, by outcome.");
  for (const auto& [outcome, count] : all_outcomes(s)) {
    w.sample("rdwarm_warmup_attempts_total", label("outcome", outcome), std::to_string(count));
  }

  if (s.time_to_ready_seconds) {
    w.family("rdwarm_time_to_ready_seconds", "gauge",
             "Seconds from the agent's start until users could be admitted.");
    w.sample("rdwarm_time_to_ready_seconds", "", number(*s.time_to_ready_seconds));
  }
  if (s.grace_days_left) {
    w.family("rdwarm_grace_days_left", "gauge",
             "Days left in the RDS licensing grace period (reported only, never the readiness "
             "signal).");
    w.sample("rdwarm_grace_days_left", "", std::to_string(*s.grace_days_left));
  }
  if (s.certificate_not_after_unix) {
    w.family("rdwarm_certificate_expiry_timestamp_seconds", "gauge",
             "Expiry (Unix time) of the session host's license-server-issued certificate.");
    w.sample("rdwarm_certificate_expiry_timestamp_seconds", "",
             std::to_string(*s.certificate_not_after_unix));
  }
  if (s.exit_code) {
    w.family("rdwarm_warmup_exit_code", "gauge",
             "Exit code of the finished warm-up (0 ready, 10 no license server, ...).");
    w.sample("rdwarm_warmup_exit_code", "", std::to_string(*s.exit_code));
  }
  return w.take();
}

}  // namespace rdwarm::agent
