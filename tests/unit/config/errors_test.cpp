// Every kind of mistake in rdwarm.toml gives one precise message: file, line, column, key, and
// what is accepted.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "config/loader.hpp"
#include "tests/unit/config/config_test_support.hpp"

namespace rdwarm::config {
namespace {

// The message load_config_text gives, or "loaded" when the text is accepted.
std::string error_of(std::string_view text) {
  const auto config = load_config_text(text, "rdwarm.toml");
  return config.ok() ? std::string("loaded") : config.error().message();
}

TEST(ConfigErrors, SyntaxErrorsCarryTomlsMessageAndPosition) {
  // The descriptions are toml++'s (Debian 12: 3.3.0); the position and the prefix are ours.
  EXPECT_EQ(error_of("[gate]\nkind = \"drain\nservices = []\n"),
            "rdwarm.toml:2:14: TOML syntax error: Error while parsing string: unescaped control "
            "characters other than TAB (U+0009) are explicitly prohibited");
  EXPECT_EQ(error_of("[gate]\nkind = drain\n"),
            "rdwarm.toml:2:8: TOML syntax error: Error while parsing value: could not determine "
            "value type");
  EXPECT_EQ(error_of("[gate]\nkind = \"drain\"\nkind = \"none\"\n"),
            "rdwarm.toml:3:8: TOML syntax error: Error while parsing key-value pair: cannot "
            "redefine existing string 'kind'");
}

TEST(ConfigErrors, MalformedTableHeadersAreSyntaxErrorsNotAborts) {
  // toml++ 3.3.0 asserts on these in debug builds unless its asserts are off (config/toml.hpp).
  EXPECT_EQ(error_of("[\nkind = 1\n"),
            "rdwarm.toml:1:2: TOML syntax error: Error while parsing key: expected bare key "
            "starting character or string delimiter, saw '\\n'");
  EXPECT_EQ(error_of("[[\n"),
            "rdwarm.toml:1:3: TOML syntax error: Error while parsing key: expected bare key "
            "starting character or string delimiter, saw '\\n'");
  EXPECT_EQ(error_of("[#gate]\n"),
            "rdwarm.toml:1:2: TOML syntax error: Error while parsing key: expected bare key "
            "starting character or string delimiter, saw '#'");
}

TEST(ConfigErrors, UnknownTableSuggestsTheNearestOne) {
  EXPECT_EQ(error_of("[target]\nport = 3389\n\n[gaet]\nkind = \"drain\"\n"),
            "rdwarm.toml:4:2: gaet: unknown table [gaet]; did you mean [gate]?");
  EXPECT_EQ(error_of("[broker]\nname = \"x\"\n"),
            "rdwarm.toml:1:2: broker: unknown table [broker]; the tables are [target], [probe], "
            "[warmup], [retry], [gate], [health], [status], [logging], [platform], [image], [nla]");
}

TEST(ConfigErrors, UnknownKeySuggestsTheNearestKey) {
  EXPECT_EQ(error_of("[warmup]\ndedline = \"5m\"\n"),
            "rdwarm.toml:2:1: warmup.dedline: unknown key; did you mean \"deadline\"?");
  // A swapped pair of letters is one edit.
  EXPECT_EQ(error_of("[target]\nprot = 3390\n"),
            "rdwarm.toml:2:1: target.prot: unknown key; did you mean \"port\"?");
}

TEST(ConfigErrors, UnknownKeyNamesTheTableItBelongsIn) {
  EXPECT_EQ(error_of("[retry]\ndeadline = \"5m\"\n"),
            "rdwarm.toml:2:1: retry.deadline: unknown key; \"deadline\" belongs in [warmup]");
}

TEST(ConfigErrors, UnknownKeyListsTheTablesKeysWhenNothingIsClose) {
  EXPECT_EQ(error_of("[warmup]\ncolour = \"blue\"\n"),
            "rdwarm.toml:2:1: warmup.colour: unknown key; [warmup] accepts \"deadline\", "
            "\"on_deadline\", \"certificate_wait\"");
}

TEST(ConfigErrors, KeysOutsideATableAreRefused) {
  EXPECT_EQ(error_of("deadline = \"5m\"\n"),
            "rdwarm.toml:1:1: deadline: unknown key at the top level; \"deadline\" belongs in "
            "[warmup]");
  EXPECT_EQ(error_of("verbose = true\n"),
            "rdwarm.toml:1:1: verbose: unknown key at the top level; every setting belongs in one "
            "of the tables [target], [probe], [warmup], [retry], [gate], [health], [status], "
            "[logging], [platform], [image], [nla]");
}

TEST(ConfigErrors, ATableWrittenAsAValueIsRefused) {
  EXPECT_EQ(error_of("gate = \"drain\"\n"),
            "rdwarm.toml:1:1: gate: expected the table [gate]; found a string (\"drain\")");
  EXPECT_EQ(error_of("[[gate]]\nkind = \"drain\"\n"),
            "rdwarm.toml:1:3: gate: expected the table [gate]; found an array");
}

TEST(ConfigErrors, NestedTablesAndInlineTablesAreCheckedToo) {
  EXPECT_EQ(error_of("[gate.extra]\nx = 1\n"),
            "rdwarm.toml:1:7: gate.extra: unknown key; [gate] accepts \"kind\", \"services\", "
            "\"service_timeout\", \"close_command\", \"open_command\", \"command_timeout\", "
            "\"journal\"");
  EXPECT_EQ(error_of("target = { host = \"127.0.0.2\", portt = 3389 }\n"),
            "rdwarm.toml:1:32: target.portt: unknown key; did you mean \"port\"?");
  EXPECT_EQ(error_of("warmup.deadline = 5\n"),
            "rdwarm.toml:1:19: warmup.deadline: expected a duration from 1s to 1d, such as "
            "\"10m\"; found an integer (5)");
}

TEST(ConfigErrors, WrongTypeNamesWhatIsExpected) {
  EXPECT_EQ(error_of("[target]\nport = \"3389\"\n"),
            "rdwarm.toml:2:8: target.port: expected an integer from 1 to 65535; found a string "
            "(\"3389\")");
  EXPECT_EQ(error_of("[target]\nhost = 127\n"),
            "rdwarm.toml:2:8: target.host: expected a string, a host name or IP address; found an "
            "integer (127)");
  EXPECT_EQ(error_of("[health]\nenabled = \"yes\"\n"),
            "rdwarm.toml:2:11: health.enabled: expected true or false; found a string (\"yes\")");
  EXPECT_EQ(error_of("[gate]\nkind = \"service\"\nservices = \"BrokerAgent\"\n"),
            "rdwarm.toml:3:12: gate.services: expected an array of Windows service names, such as "
            "[\"BrokerAgent\"]; found a string (\"BrokerAgent\")");
  EXPECT_EQ(error_of("[gate]\nkind = \"service\"\nservices = [\"BrokerAgent\", 5]\n"),
            "rdwarm.toml:3:28: gate.services: expected an array of Windows service names, such as "
            "[\"BrokerAgent\"]; found an integer (5)");
  EXPECT_EQ(error_of("[gate]\nkind = 1\n"),
            "rdwarm.toml:2:8: gate.kind: expected a string, one of \"drain\", \"service\", "
            "\"command\", \"none\"; found an integer (1)");
  EXPECT_EQ(error_of("[retry]\nmultiplier = \"2\"\n"),
            "rdwarm.toml:2:14: retry.multiplier: expected a number greater than 1.0 and at most "
            "10.0; found a string (\"2\")");
  EXPECT_EQ(error_of("[status]\nfile = false\n"),
            "rdwarm.toml:2:8: status.file: expected a path (\"\" for the default); found a boolean "
            "(false)");
  EXPECT_EQ(error_of("[health]\nlisten = 9181\n"),
            "rdwarm.toml:2:10: health.listen: expected a string host:port, such as "
            "\"127.0.0.1:9181\"; found an integer (9181)");
}

TEST(ConfigErrors, DurationsWithoutAUnitOrWithABadOneAreRefused) {
  EXPECT_EQ(error_of("[probe]\nconnect_timeout = 2\n"),
            "rdwarm.toml:2:19: probe.connect_timeout: expected a duration from 100ms to 5m, such "
            "as \"2s\"; found an integer (2)");
  EXPECT_EQ(error_of("[probe]\nconnect_timeout = \"2\"\n"),
            "rdwarm.toml:2:19: probe.connect_timeout: \"2\" has no unit; write ms, s, m, h or d "
            "after the number, such as \"2s\"");
  EXPECT_EQ(error_of("[warmup]\ndeadline = \"10 min\"\n"),
            "rdwarm.toml:2:12: warmup.deadline: \"10 min\" has an unknown unit \" min\"; use ms, "
            "s, m, h or d, such as \"500ms\", \"2s\", \"5m\"");
  EXPECT_EQ(error_of("[warmup]\ndeadline = \"-5m\"\n"),
            "rdwarm.toml:2:12: warmup.deadline: \"-5m\" is not a duration; write a whole number "
            "and a unit (ms, s, m, h or d), such as \"500ms\", \"2s\", \"5m\"");
  EXPECT_EQ(error_of("[warmup]\ndeadline = \"1.5m\"\n"),
            "rdwarm.toml:2:12: warmup.deadline: \"1.5m\" has an unknown unit \".5m\"; use ms, s, "
            "m, h or d, such as \"500ms\", \"2s\", \"5m\"");
}

TEST(ConfigErrors, NumbersOutOfRangeNameTheRange) {
  EXPECT_EQ(error_of("[target]\nport = 70000\n"),
            "rdwarm.toml:2:8: target.port: 70000 is out of range; accepted 1 to 65535");
  EXPECT_EQ(error_of("[target]\nport = 0\n"),
            "rdwarm.toml:2:8: target.port: 0 is out of range; accepted 1 to 65535");
  EXPECT_EQ(error_of("[retry]\nmax_attempts = -1\n"),
            "rdwarm.toml:2:16: retry.max_attempts: -1 is out of range; accepted 0 (until the "
            "deadline) to 100000");
  EXPECT_EQ(error_of("[retry]\nmultiplier = 1.0\n"),
            "rdwarm.toml:2:14: retry.multiplier: 1.0 is out of range; accepted a number greater "
            "than 1.0 and at most 10.0");
  EXPECT_EQ(error_of("[retry]\nmultiplier = 1\n"),
            "rdwarm.toml:2:14: retry.multiplier: 1 is out of range; accepted a number greater "
            "than 1.0 and at most 10.0");
  EXPECT_EQ(error_of("[retry]\nmultiplier = nan\n"),
            "rdwarm.toml:2:14: retry.multiplier: nan is out of range; accepted a number greater "
            "than 1.0 and at most 10.0");
  EXPECT_EQ(error_of("[probe]\nconnect_timeout = \"10h\"\n"),
            "rdwarm.toml:2:19: probe.connect_timeout: \"10h\" is out of range; accepted 100ms to "
            "5m");
  EXPECT_EQ(error_of("[warmup]\ndeadline = \"99999999999d\"\n"),
            "rdwarm.toml:2:12: warmup.deadline: \"99999999999d\" is longer than ten years");
  EXPECT_EQ(error_of("[health]\nlisten = \"127.0.0.1:0\"\n"),
            "rdwarm.toml:2:10: health.listen: port 0 in \"127.0.0.1:0\" is out of range; accepted "
            "1 to 65535");
}

TEST(ConfigErrors, StringsOutsideTheirRulesNameTheRule) {
  EXPECT_EQ(error_of("[target]\nclient_name = \"SESSIONHOST-WARMUP\"\n"),
            "rdwarm.toml:2:15: target.client_name: \"SESSIONHOST-WARMUP\" is not accepted; "
            "expected 1 to 15 printable ASCII characters");
  EXPECT_EQ(error_of("[target]\nhost = \"\"\n"),
            "rdwarm.toml:2:8: target.host: \"\" is not accepted; expected a host name or IP "
            "address, such as \"127.0.0.1\"");
  EXPECT_EQ(error_of("[gate]\nkind = \"service\"\nservices = [\"Citrix\\\\BrokerAgent\"]\n"),
            "rdwarm.toml:3:13: gate.services: \"Citrix\\BrokerAgent\" is not accepted; expected a "
            "Windows service name such as \"BrokerAgent\" (1 to 256 characters, no / or \\)");
  EXPECT_EQ(error_of("[gate]\nservices = [\"BrokerAgent\", \"BrokerAgent\"]\n"),
            "rdwarm.toml:2:28: gate.services: \"BrokerAgent\" is listed twice");
  EXPECT_EQ(
      error_of("[status]\nfile = \"C:\\\\rdwarm\\u0007.json\"\n"),
      "rdwarm.toml:2:8: status.file: \"C:\\rdwarm\\u0007.json\" contains a control character");
  EXPECT_EQ(error_of("[health]\nlisten = \"127.0.0.1\"\n"),
            "rdwarm.toml:2:10: health.listen: \"127.0.0.1\" has no port; write host:port, such as "
            "\"127.0.0.1:9181\" or \"[::1]:9181\"");
  EXPECT_EQ(error_of("[health]\nlisten = \"::1:9181\"\n"),
            "rdwarm.toml:2:10: health.listen: \"::1:9181\" is ambiguous; put an IPv6 address in "
            "brackets, such as \"[::1]:9181\"");
}

TEST(ConfigErrors, EnumValuesListWhatIsAccepted) {
  EXPECT_EQ(error_of("[gate]\nkind = \"drian\"\n"),
            "rdwarm.toml:2:8: gate.kind: \"drian\" is not accepted; expected one of \"drain\", "
            "\"service\", \"command\", \"none\"");
  EXPECT_EQ(error_of("[warmup]\non_deadline = \"close\"\n"),
            "rdwarm.toml:2:15: warmup.on_deadline: \"close\" is not accepted; expected one of "
            "\"stay-closed\", \"open\"");
  // Values are case-sensitive, as the documentation writes them.
  EXPECT_EQ(error_of("[logging]\nlevel = \"INFO\"\n"),
            "rdwarm.toml:2:9: logging.level: \"INFO\" is not accepted; expected one of \"trace\", "
            "\"debug\", \"info\", \"warn\", \"error\"");
  EXPECT_EQ(error_of("[platform]\nkind = \"linux\"\n"),
            "rdwarm.toml:2:8: platform.kind: \"linux\" is not accepted; expected one of \"auto\", "
            "\"windows\", \"lab\"");
  EXPECT_EQ(error_of("[retry]\njitter = \"equal\"\n"),
            "rdwarm.toml:2:10: retry.jitter: \"equal\" is not accepted; expected one of \"full\", "
            "\"none\"");
  EXPECT_EQ(error_of("[logging]\nformat = \"xml\"\n"),
            "rdwarm.toml:2:10: logging.format: \"xml\" is not accepted; expected one of \"text\", "
            "\"json\"");
}

TEST(ConfigErrors, ServiceGateNeedsServices) {
  EXPECT_EQ(error_of("[gate]\nkind = \"service\"\n"),
            "rdwarm.toml:2:8: gate.services: the service gate needs at least one service; list "
            "the broker agent services to hold stopped until the host is ready, such as services "
            "= [\"BrokerAgent\"]");
  EXPECT_EQ(error_of("[gate]\nkind = \"service\"\nservices = []\n"),
            "rdwarm.toml:3:12: gate.services: the service gate needs at least one service; list "
            "the broker agent services to hold stopped until the host is ready, such as services "
            "= [\"BrokerAgent\"]");
  EXPECT_EQ(error_of("[gate]\nkind = \"service\"\nservices = [\"BrokerAgent\"]\n"), "loaded");
}

TEST(ConfigErrors, CommandGateNeedsBothCommands) {
  EXPECT_EQ(error_of("[gate]\nkind = \"command\"\n"),
            "rdwarm.toml:2:8: gate.close_command: the command gate needs both close_command and "
            "open_command; set close_command to the command line that keeps users out");
  EXPECT_EQ(error_of("[gate]\nkind = \"command\"\nclose_command = \"close.cmd\"\n"
                     "open_command = \"\"\n"),
            "rdwarm.toml:4:16: gate.open_command: the command gate needs both close_command and "
            "open_command; set open_command to the command line that lets users in");
  EXPECT_EQ(error_of("[gate]\nkind = \"command\"\nclose_command = \"close.cmd\"\n"
                     "open_command = \"open.cmd\"\n"),
            "loaded");
  // Commands left from another gate kind are harmless.
  EXPECT_EQ(error_of("[gate]\nkind = \"drain\"\nclose_command = \"close.cmd\"\n"), "loaded");
}

TEST(ConfigErrors, MaxDelayMustNotBeShorterThanInitialDelay) {
  EXPECT_EQ(error_of("[retry]\ninitial_delay = \"5s\"\nmax_delay = \"2s\"\n"),
            "rdwarm.toml:3:13: retry.max_delay: \"2s\" is shorter than retry.initial_delay "
            "(\"5s\"); max_delay caps the delay between attempts, so it must be at least "
            "initial_delay");
  // Only initial_delay written: the default max_delay (30s) is shorter; point at what was set.
  EXPECT_EQ(error_of("[retry]\ninitial_delay = \"1m\"\n"),
            "rdwarm.toml:2:17: retry.max_delay: \"30s\" is shorter than retry.initial_delay "
            "(\"1m\"); max_delay caps the delay between attempts, so it must be at least "
            "initial_delay");
  EXPECT_EQ(error_of("[retry]\ninitial_delay = \"2s\"\nmax_delay = \"2s\"\n"), "loaded");
}

TEST(ConfigErrors, TimeoutsMustFitInsideEachOther) {
  EXPECT_EQ(error_of("[probe]\nphase_timeout = \"30s\"\n"),
            "rdwarm.toml:2:17: probe.attempt_timeout: \"20s\" is shorter than "
            "probe.phase_timeout (\"30s\"); an attempt must have time for each of its phases");
  EXPECT_EQ(error_of("[warmup]\ndeadline = \"10s\"\n"),
            "rdwarm.toml:2:12: warmup.deadline: \"10s\" is shorter than probe.attempt_timeout "
            "(\"20s\"); the deadline must leave time for at least one whole attempt");
}

TEST(ConfigErrors, RemoteHealthListenerNeedsAllowRemote) {
  EXPECT_EQ(error_of("[health]\nlisten = \"0.0.0.0:9181\"\n"),
            "rdwarm.toml:2:10: health.listen: \"0.0.0.0:9181\" is not a loopback address; set "
            "allow_remote = true if a broker probes this host from another machine (the health "
            "server is read-only, but then reachable from the network), or listen on "
            "127.0.0.1");
  EXPECT_EQ(error_of("[health]\nlisten = \"0.0.0.0:9181\"\nallow_remote = true\n"), "loaded");
  EXPECT_EQ(error_of("[health]\nenabled = false\nlisten = \"10.0.0.5:9181\"\n"), "loaded");
  EXPECT_EQ(error_of("[health]\nlisten = \"127.0.0.2:9181\"\n"), "loaded");
  EXPECT_EQ(error_of("[health]\nlisten = \"[::1]:9181\"\n"), "loaded");
  EXPECT_EQ(error_of("[health]\nlisten = \"localhost:9181\"\n"), "loaded");
}

TEST(ConfigErrors, TheFirstMistakeInTheFileIsReported) {
  // Tables are stored sorted by name; the report still follows the file.
  EXPECT_EQ(error_of("[warmup]\ndeadline = \"soon\"\n[gate]\nkind = \"drian\"\n"),
            "rdwarm.toml:2:12: warmup.deadline: \"soon\" is not a duration; write a whole number "
            "and a unit (ms, s, m, h or d), such as \"500ms\", \"2s\", \"5m\"");
  EXPECT_EQ(error_of("[warmup]\ndeadline = \"5m\"\nfoo = 1\n[gate]\nkind = \"drian\"\n"),
            "rdwarm.toml:3:1: warmup.foo: unknown key; [warmup] accepts \"deadline\", "
            "\"on_deadline\", \"certificate_wait\"");
}

TEST(ConfigErrors, MissingFileNamesThePath) {
  const test::TempDir dir;
  const auto file = dir.path() / "absent.toml";
  const auto config = load_config_file(file);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message(), file.string() + ": the configuration file does not exist");

  const auto on_dir = load_config_file(dir.path());
  ASSERT_FALSE(on_dir.ok());
  EXPECT_EQ(on_dir.error().message(),
            dir.path().string() + ": is a directory, not a configuration file");
}

TEST(ConfigErrors, FileErrorsNameTheFile) {
  const test::TempDir dir;
  const auto file = dir.path() / "rdwarm.toml";
  std::ofstream(file) << "[gate]\nkind = \"drian\"\n";
  const auto config = load_config_file(file);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().where, file.string() + ":2:8");
  EXPECT_EQ(config.error().message(),
            file.string() +
                ":2:8: gate.kind: \"drian\" is not accepted; expected one of \"drain\", "
                "\"service\", \"command\", \"none\"");
}

TEST(ConfigErrors, OversizedFileIsRefusedBeforeParsing) {
  const test::TempDir dir;
  const auto file = dir.path() / "rdwarm.toml";
  std::ofstream(file) << std::string(kMaxConfigFileBytes + 1, '#');
  const auto config = load_config_file(file);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message(), file.string() + ": the configuration file is 1048577 " +
                                          "bytes; rdwarm reads at most 1048576");
}

}  // namespace
}  // namespace rdwarm::config
