// /metrics: the agent status as Prometheus text 0.0.4, read back with a strict format reader.
#include "warmup/agent/metrics.hpp"

#include <gtest/gtest.h>

#include "tests/unit/agent_health/prometheus_format.hpp"

namespace rdwarm::agent {
namespace {

using testing::parse_prometheus_text;

AgentStatus ready_status() {
  AgentStatus s;
  s.version = "0.1.0";
  s.platform = "lab";
  s.phase = AgentPhase::kReady;
  s.broker_status = BrokerStatus::kAvailable;
  s.ready = true;
  s.gate_kind = "drain";
  s.gate_state = "open";
  s.attempts = 4;
  s.attempts_by_outcome = {{"LicensingFailed", 3}, {"Licensed", 1}};
  s.time_to_ready_seconds = 42.5;
  s.grace_days_left = 0;
  s.certificate_not_after_unix = 1'900'000'000;
  s.exit_code = 0;
  return s;
}

// The reader must reject what the format forbids, or the tests below prove nothing.
TEST(PrometheusReader, RejectsWhatTheFormatForbids) {
  EXPECT_EQ(parse_prometheus_text("# HELP a x\n# TYPE a gauge\na 1\n").error, "");
  EXPECT_NE(parse_prometheus_text("a 1\n").error, "");                            // no HELP/TYPE
  EXPECT_NE(parse_prometheus_text("# TYPE a gauge\na 1\n").error, "");            // no HELP
  EXPECT_NE(parse_prometheus_text("# HELP a x\n# TYPE a gauge\na 1").error, "");  // no final LF
  EXPECT_NE(parse_prometheus_text("# HELP a x\n# TYPE a gauge\na{l=\"\\t\"} 1\n").error, "");
  EXPECT_NE(parse_prometheus_text("# HELP a x\n# TYPE a gauge\na{l=x} 1\n").error, "");
  EXPECT_NE(parse_prometheus_text("# HELP a x\n# TYPE a gauge\na one\n").error, "");
  EXPECT_NE(parse_prometheus_text("# HELP a x\n# TYPE a gauge\na 1\na 2\n").error, "");
  EXPECT_NE(parse_prometheus_text("# HELP a x\n# TYPE a gauge\n# HELP b y\n# TYPE b gauge\n"
                                  "a 1\nb 1\na{x=\"1\"} 1\n")
                .error,
            "");  // interleaved
  EXPECT_NE(parse_prometheus_text("# HELP a x\n# TYPE a counter\na -1\n").error, "");
  EXPECT_NE(parse_prometheus_text("# HELP 1a x\n# TYPE 1a gauge\n1a 1\n").error, "");
  EXPECT_NE(parse_prometheus_text("# HELP a x\n# TYPE a gauge\na{1l=\"\"} 1\n").error, "");
}

TEST(PrometheusText, StartingStatusHasOnlyWhatIsKnown) {
  AgentStatus s;
  s.version = "0.1.0";
  s.platform = "windows";
  const auto text = prometheus_text(s);
  const auto p = parse_prometheus_text(text);
  ASSERT_EQ(p.error, "") << text;

  EXPECT_EQ(p.value("rdwarm_ready"), 0.0);
  EXPECT_EQ(p.value("rdwarm_info", {{"version", "0.1.0"}, {"platform", "windows"}}), 1.0);
  // Unknown yet: left out rather than reported as 0.
  EXPECT_EQ(p.family("rdwarm_time_to_ready_seconds"), nullptr);
  EXPECT_EQ(p.family("rdwarm_grace_days_left"), nullptr);
  EXPECT_EQ(p.family("rdwarm_certificate_expiry_timestamp_seconds"), nullptr);
  EXPECT_EQ(p.family("rdwarm_gate_closed"), nullptr);
  EXPECT_EQ(p.family("rdwarm_warmup_exit_code"), nullptr);

  // State sets: one series per phase and status, exactly one of them 1.
  const auto* phase = p.family("rdwarm_phase");
  ASSERT_NE(phase, nullptr);
  EXPECT_EQ(phase->samples.size(), std::size(kAllAgentPhases));
  double ones = 0;
  for (const auto& sample : phase->samples) ones += sample.value;
  EXPECT_EQ(ones, 1.0);
  EXPECT_EQ(p.value("rdwarm_phase", {{"phase", "Starting"}}), 1.0);
  EXPECT_EQ(p.value("rdwarm_broker_status", {{"status", "WarmingUp"}}), 1.0);
  EXPECT_EQ(p.value("rdwarm_broker_status", {{"status", "Available"}}), 0.0);

  // Every outcome the probe knows starts at 0, so the first failure shows up in rate().
  const auto* attempts = p.family("rdwarm_warmup_attempts_total");
  ASSERT_NE(attempts, nullptr);
  EXPECT_EQ(attempts->type, "counter");
  EXPECT_EQ(attempts->samples.size(), 10u);
  for (const auto& sample : attempts->samples) EXPECT_EQ(sample.value, 0.0) << sample.name;
  EXPECT_EQ(p.value("rdwarm_warmup_attempts_total", {{"outcome", "LicensingFailed"}}), 0.0);
}

TEST(PrometheusText, ReadyStatusCarriesItsValues) {
  const auto text = prometheus_text(ready_status());
  const auto p = parse_prometheus_text(text);
  ASSERT_EQ(p.error, "") << text;

  EXPECT_EQ(p.value("rdwarm_ready"), 1.0);
  EXPECT_EQ(p.value("rdwarm_gate_closed", {{"gate", "drain"}}), 0.0);
  EXPECT_EQ(p.value("rdwarm_time_to_ready_seconds"), 42.5);
  EXPECT_EQ(p.value("rdwarm_grace_days_left"), 0.0);
  EXPECT_EQ(p.value("rdwarm_certificate_expiry_timestamp_seconds"), 1.9e9);
  EXPECT_EQ(p.value("rdwarm_warmup_exit_code"), 0.0);
  EXPECT_EQ(p.value("rdwarm_warmup_attempts_total", {{"outcome", "LicensingFailed"}}), 3.0);
  EXPECT_EQ(p.value("rdwarm_warmup_attempts_total", {{"outcome", "Licensed"}}), 1.0);
  EXPECT_EQ(p.value("rdwarm_warmup_attempts_total", {{"outcome", "Refused"}}), 0.0);
  EXPECT_EQ(p.value("rdwarm_phase", {{"phase", "Ready"}}), 1.0);
  EXPECT_EQ(p.value("rdwarm_phase", {{"phase", "Starting"}}), 0.0);
  EXPECT_EQ(p.value("rdwarm_broker_status", {{"status", "Available"}}), 1.0);

  for (const auto& f : p.families) {
    const bool total = f.name.size() > 6 && f.name.ends_with("_total");
    EXPECT_EQ(f.type == "counter", total) << f.name;
  }
}

TEST(PrometheusText, ClosedGateAndOddOutcomes) {
  auto s = ready_status();
  s.ready = false;
  s.gate_state = "closed";
  s.attempts_by_outcome = {{"Timeout", 2}, {"SomethingNew", 5}};
  const auto p = parse_prometheus_text(prometheus_text(s));
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.value("rdwarm_gate_closed", {{"gate", "drain"}}), 1.0);
  EXPECT_EQ(p.value("rdwarm_ready"), 0.0);
  EXPECT_EQ(p.value("rdwarm_warmup_attempts_total", {{"outcome", "Timeout"}}), 2.0);
  EXPECT_EQ(p.value("rdwarm_warmup_attempts_total", {{"outcome", "SomethingNew"}}), 5.0);
  EXPECT_EQ(p.family("rdwarm_warmup_attempts_total")->samples.size(), 11u);
}

TEST(PrometheusText, LabelValuesAreEscaped) {
  EXPECT_EQ(prometheus_escape_label(R"(a"b\c)"
                                    "\nd"),
            R"(a\"b\\c\nd)");
  EXPECT_EQ(prometheus_escape_label("plain ü"), "plain ü");

  AgentStatus s;
  s.version = "1.0 \"beta\"\\build\n7";
  s.platform = "lab}{,=";
  const auto text = prometheus_text(s);
  const auto p = parse_prometheus_text(text);
  ASSERT_EQ(p.error, "") << text;
  EXPECT_EQ(p.value("rdwarm_info", {{"version", s.version}, {"platform", s.platform}}), 1.0);
}

TEST(PrometheusText, NonFiniteAndFractionalValues) {
  auto s = ready_status();
  s.time_to_ready_seconds = 0.1;
  auto p = parse_prometheus_text(prometheus_text(s));
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.value("rdwarm_time_to_ready_seconds"), 0.1);  // shortest round trip
  s.time_to_ready_seconds = HUGE_VAL;
  p = parse_prometheus_text(prometheus_text(s));
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.value("rdwarm_time_to_ready_seconds"), HUGE_VAL);
}

}  // namespace
}  // namespace rdwarm::agent
