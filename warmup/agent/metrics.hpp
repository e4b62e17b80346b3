// The agent's status as Prometheus metrics, text exposition format 0.0.4 (served at /metrics with
// Content-Type "text/plain; version=0.0.4"). Metric names and meanings: docs/health.md.
#pragma once

#include <string>
#include <string_view>

#include "warmup/agent/agent_status.hpp"

namespace rdwarm::agent {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

// Every family has its # HELP and # TYPE lines before its samples. A gauge whose value is not
// known yet (time to ready before ready, grace days before the first snapshot) is left out.
std::string prometheus_text(const AgentStatus& status);

// Label value escaping of the format: backslash, double quote and line feed.
std::string prometheus_escape_label(std::string_view value);

}  // namespace rdwarm::agent
