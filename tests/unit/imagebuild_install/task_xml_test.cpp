// The boot task's Task Scheduler XML: its content, its escaping, its durations, and (on Linux)
// validation with libxml2's xmllint against the subset schema imagebuild/install/schema/
// boot-task-subset.xsd, with broken variants that must fail.
#include "imagebuild/install/task_xml.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "config/agent_config.hpp"
#include "imagebuild/install/install_layout.hpp"
#include "tests/support/ports.hpp"
#include "tests/support/shell_command.hpp"

namespace rdwarm::imagebuild::install {
namespace {

using namespace std::chrono_literals;

BootTaskSpec sample_spec() {
  InstallLayout layout;
  layout.install_dir = "C:\\Program Files\\rdwarm";
  layout.data_dir = "C:\\ProgramData\\rdwarm";
  layout.config_file = "C:\\ProgramData\\rdwarm\\rdwarm.toml";
  return boot_task_spec(layout, config::default_config(), "0.1.0");
}

std::string between(const std::string& xml, const std::string& open, const std::string& close) {
  const auto a = xml.find(open);
  if (a == std::string::npos) return "<missing " + open + ">";
  const auto b = xml.find(close, a + open.size());
  return xml.substr(a + open.size(), b - a - open.size());
}

TEST(Iso8601Duration, WritesTaskSchedulerDurations) {
  EXPECT_EQ(iso8601_duration(0s), "PT0S");
  EXPECT_EQ(iso8601_duration(-5s), "PT0S");
  EXPECT_EQ(iso8601_duration(45s), "PT45S");
  EXPECT_EQ(iso8601_duration(60s), "PT1M");
  EXPECT_EQ(iso8601_duration(16min), "PT16M");
  EXPECT_EQ(iso8601_duration(90min), "PT1H30M");
  EXPECT_EQ(iso8601_duration(3h + 1s), "PT3H1S");
  EXPECT_EQ(iso8601_duration(std::chrono::days(1)), "P1D");
  EXPECT_EQ(iso8601_duration(std::chrono::days(3) + 2h), "P3DT2H");
}

TEST(XmlEscape, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(xml_escape(R"(a&b<c>d"e'f)"), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
  EXPECT_EQ(xml_escape("C:\\Program Files\\rdwarm"), "C:\\Program Files\\rdwarm");
}

TEST(BootTaskXml, HasTheSettingsOfABootGate) {
  const auto xml = boot_task_xml(sample_spec());
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<Task version=\"1.2\" "
                      "xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\">",
                      0),
            0U)
      << xml;
  EXPECT_EQ(between(xml, "<URI>", "</URI>"), "\\rdwarm\\boot-warmup");
  EXPECT_EQ(between(xml, "<Version>", "</Version>"), "0.1.0");
  // At boot, enabled, and no Delay element: the gate closes as early as Task Scheduler can.
  EXPECT_EQ(between(xml, "<BootTrigger>", "</BootTrigger>"),
            "\n      <Enabled>true</Enabled>\n    ");
  EXPECT_EQ(xml.find("<Delay>"), std::string::npos);
  EXPECT_EQ(between(xml, "<UserId>", "</UserId>"), "S-1-5-18");
  EXPECT_EQ(between(xml, "<RunLevel>", "</RunLevel>"), "HighestAvailable");
  EXPECT_EQ(between(xml, "<MultipleInstancesPolicy>", "</MultipleInstancesPolicy>"), "IgnoreNew");
  EXPECT_EQ(between(xml, "<DisallowStartIfOnBatteries>", "</DisallowStartIfOnBatteries>"), "false");
  EXPECT_EQ(between(xml, "<RunOnlyIfNetworkAvailable>", "</RunOnlyIfNetworkAvailable>"), "false");
  // Defaults: deadline 10m + attempt 20s + drain gate 0 + 5m = 15m20s, in whole minutes.
  EXPECT_EQ(between(xml, "<ExecutionTimeLimit>", "</ExecutionTimeLimit>"), "PT16M");
  EXPECT_EQ(between(xml, "<Priority>", "</Priority>"), "4");
  EXPECT_EQ(between(xml, "<RestartOnFailure>", "</RestartOnFailure>"),
            "\n      <Interval>PT1M</Interval>\n      <Count>3</Count>\n    ");
  EXPECT_EQ(between(xml, "<Principal id=\"", "\""), "System");
  EXPECT_EQ(between(xml, "<Actions Context=\"", "\""), "System");
}

TEST(BootTaskXml, ActionQuotesPathsWithSpacesAndEscapesThem) {
  InstallLayout layout;
  layout.install_dir = "C:\\Program Files\\rdwarm";
  layout.data_dir = "D:\\VDI Config";
  layout.config_file = "D:\\VDI Config\\rdwarm.toml";
  const auto spec = boot_task_spec(layout, config::default_config(), "0.1.0");
  const auto xml = boot_task_xml(spec);
  // Command is a program path of its own, never quoted.
  EXPECT_EQ(between(xml, "<Command>", "</Command>"), spec.command);
  EXPECT_NE(spec.command.find("Program Files"), std::string::npos);
  // The quotes around the configuration path reach Task Scheduler as &quot;.
  EXPECT_EQ(between(xml, "<Arguments>", "</Arguments>"),
            "boot --config &quot;D:\\VDI Config\\rdwarm.toml&quot; --no-progress");
  EXPECT_EQ(between(xml, "<WorkingDirectory>", "</WorkingDirectory>"), "D:\\VDI Config");
}

TEST(BootTaskXml, EscapesMarkupInEveryText) {
  auto spec = sample_spec();
  spec.description = "a <b> & \"c\"";
  spec.command = "C:\\R&D\\rdwarm.exe";
  const auto xml = boot_task_xml(spec);
  EXPECT_NE(xml.find("<Description>a &lt;b&gt; &amp; &quot;c&quot;</Description>"),
            std::string::npos);
  EXPECT_NE(xml.find("<Command>C:\\R&amp;D\\rdwarm.exe</Command>"), std::string::npos);
}

TEST(TaskFileBytes, AreUtf16LittleEndianWithAByteOrderMark) {
  const auto bytes = task_file_bytes("<T>\xC3\xA9</T>");  // é
  const std::vector<std::uint8_t> expected{0xFF, 0xFE, '<', 0,   'T', 0,   '>', 0,   0xE9,
                                           0,    '<',  0,   '/', 0,   'T', 0,   '>', 0};
  EXPECT_EQ(bytes, expected);
}

TEST(TaskExecutionTimeLimit, CoversDeadlineAttemptAndGateTimeouts) {
  auto cfg = config::default_config();
  EXPECT_EQ(task_execution_time_limit(cfg), 16min);
  cfg.warmup.deadline = 30min;
  EXPECT_EQ(task_execution_time_limit(cfg), 36min);  // 30m + 20s + 5m -> 36m
  cfg.gate.kind = config::GateKind::Service;
  cfg.gate.services = {"BrokerAgent", "RdAgent"};
  cfg.gate.service_timeout = 60s;
  EXPECT_EQ(task_execution_time_limit(cfg), 40min);  // + 2 services x stop and start x 60 s
  cfg.gate.kind = config::GateKind::Command;
  cfg.gate.command_timeout = 30s;
  EXPECT_EQ(task_execution_time_limit(cfg), 37min);  // + close and open x 30 s
  // A task that keeps serving health has no end of its own.
  cfg.health.serve_after_warmup = true;
  EXPECT_EQ(task_execution_time_limit(cfg), 0s);
  cfg.health.enabled = false;
  EXPECT_EQ(task_execution_time_limit(cfg), 37min);
}

#ifndef _WIN32
// xmllint (libxml2-utils) validates the document as Task Scheduler receives it: a UTF-16 file.
class TaskSchemaTest : public ::testing::Test {
 protected:
  testing::ShellResult validate(const std::string& xml_utf8) {
    const auto file = dir_.path() / ("task-" + std::to_string(++n_) + ".xml");
    const auto bytes = task_file_bytes(xml_utf8);
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),  // NOLINT: byte buffer to stream
               static_cast<std::streamsize>(bytes.size()));
    return testing::run_shell("xmllint --noout --schema '" RDWARM_SOURCE_DIR
                              "/imagebuild/install/schema/boot-task-subset.xsd' '" +
                              file.string() + "'");
  }
  static std::string replaced(std::string xml, const std::string& from, const std::string& to) {
    const auto at = xml.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) xml.replace(at, from.size(), to);
    return xml;
  }
  testing::ScopedTempDir dir_{"rdwarm-task-xml"};
  int n_ = 0;
};

TEST_F(TaskSchemaTest, GeneratedTaskValidates) {
  ASSERT_EQ(testing::run_shell("xmllint --version").exit_code, 0)
      << "xmllint is missing: install libxml2-utils (scripts/setup does)";
  const auto r = validate(boot_task_xml(sample_spec()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("validates"), std::string::npos) << r.output;

  auto spec = sample_spec();
  spec.execution_time_limit = 0s;  // serving health: no limit
  EXPECT_EQ(validate(boot_task_xml(spec)).exit_code, 0);
}

TEST_F(TaskSchemaTest, BrokenVariantsFail) {
  const auto good = boot_task_xml(sample_spec());
  // The unbroken document validates, so each failure below is the breakage's (not a missing
  // xmllint or schema file, which would fail every variant too).
  const auto baseline = validate(good);
  ASSERT_EQ(baseline.exit_code, 0) << baseline.output;
  const std::pair<std::string, std::string> breakages[] = {
      {"2004/02/mit/task", "2004/02/mit/tusk"},                         // namespace
      {"version=\"1.2\"", "version=\"1.1\""},                           // too old
      {"IgnoreNew", "IgnoreAll"},                                       // enumeration
      {"<ExecutionTimeLimit>PT16M", "<ExecutionTimeLimit>16 minutes"},  // duration
      {"<Interval>PT1M", "<Interval>PT30S"},                            // below the minimum
      {"<Count>3", "<Count>0"},                                         // below the minimum
      {"<Priority>4", "<Priority>11"},                                  // above the maximum
      {"<UserId>S-1-5-18", "<UserId>Administrator"},                    // not SYSTEM
      {"HighestAvailable", "LeastPrivilege"},                           // not elevated
      {"<Enabled>true</Enabled>\n    </BootTrigger>",
       "<Enabled>true</Enabled>\n      <Delay>PT1M</Delay>\n    </BootTrigger>"},  // delayed
      // Settings out of order: Priority before ExecutionTimeLimit.
      {"<ExecutionTimeLimit>PT16M</ExecutionTimeLimit>\n    <Priority>4</Priority>",
       "<Priority>4</Priority>\n    <ExecutionTimeLimit>PT16M</ExecutionTimeLimit>"},
      {"<Actions Context=\"System\">", "<Actions Context=\"Author\">"},  // unknown principal
      {"</Task>", ""},                                                   // not well-formed
  };
  for (const auto& [from, to] : breakages) {
    const auto r = validate(replaced(good, from, to));
    EXPECT_NE(r.exit_code, 0) << "accepted with " << from << " -> " << to;
  }
}
#endif

}  // namespace
}  // namespace rdwarm::imagebuild::install
