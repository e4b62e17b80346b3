// Every key reaches its field; values round-trip through to_toml; the building blocks (durations,
// listen addresses) parse what the documentation says and nothing else.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

#include "config/default_paths.hpp"
#include "config/duration.hpp"
#include "config/listen_address.hpp"
#include "config/loader.hpp"
#include "config/schema.hpp"
#include "tests/unit/config/config_test_support.hpp"

namespace rdwarm::config {
namespace {

using namespace std::chrono_literals;

// Every key set to something other than its default.
constexpr const char* kEveryKey = R"(
[target]
host = "rdsh01.example.test"
port = 3390
client_name = "WARM-01"
user_name = "svc-warm"

[probe]
connect_timeout = "500ms"
phase_timeout = "3s"
attempt_timeout = "1m"

[warmup]
deadline = "15m"
on_deadline = "open"
certificate_wait = false

[retry]
initial_delay = "250ms"
max_delay = "1m"
multiplier = 1.5
jitter = "none"
max_attempts = 12

[gate]
kind = "command"
services = ["BrokerAgent", "CtxSvc"]
service_timeout = "90s"
close_command = 'C:\Scripts\close-gate.cmd --reason "warm-up"'
open_command = "/usr/local/bin/open-gate"
command_timeout = "45s"
journal = 'D:\rdwarm\journal.json'

[health]
enabled = false
listen = "[::1]:9200"
allow_remote = true
serve_after_warmup = true

[status]
file = "/var/lib/rdwarm/status.json"

[logging]
level = "debug"
format = "json"
event_log = false
file = "/var/log/rdwarm.log"

[platform]
kind = "lab"
lab_state_dir = "/srv/lab"

[image]
manifest = "/srv/manifest.json"
planned_lifetime = "90d"

[nla]
user = "rdwarm-probe"
domain = "CORP"
password_source = "env"
password_file = "/srv/rdwarm/probe-password"
password_env = "PROBE_PASSWORD"
tokens = "ntlm"
)";

AgentConfig every_key_expected() {
  AgentConfig c = default_config();
  c.target = {"rdsh01.example.test", 3390, "WARM-01", "svc-warm"};
  c.probe = {500ms, 3s, 1min};
  c.warmup = {15min, OnDeadline::Open, false};
  c.retry = {250ms, 1min, 1.5, Jitter::None, 12};
  c.gate.kind = GateKind::Command;
  c.gate.services = {"BrokerAgent", "CtxSvc"};
  c.gate.service_timeout = 90s;
  c.gate.close_command = R"(C:\Scripts\close-gate.cmd --reason "warm-up")";
  c.gate.open_command = "/usr/local/bin/open-gate";
  c.gate.command_timeout = 45s;
  c.gate.journal = path_from_utf8(R"(D:\rdwarm\journal.json)");
  c.health = {false, "::1", 9200, true, true};
  c.status.file = "/var/lib/rdwarm/status.json";
  c.logging = {LogLevel::Debug, LogFormat::Json, false, "/var/log/rdwarm.log"};
  c.platform = {PlatformKind::Lab, "/srv/lab"};
  c.image = {"/srv/manifest.json", std::chrono::days(90)};
  c.nla = {"rdwarm-probe",   "CORP",         PasswordSource::Env, "/srv/rdwarm/probe-password",
           "PROBE_PASSWORD", NlaTokens::Ntlm};
  return c;
}

TEST(ConfigValues, EveryKeyIsParsedIntoItsField) {
  // The text must set every known key, or this test would not cover them all.
  const auto written = written_keys(kEveryKey, "every-key");
  ASSERT_TRUE(written.ok());
  std::set<std::string> in_text;
  for (const auto& k : *written) in_text.insert(k.name);
  for (const auto& k : known_keys()) {
    EXPECT_TRUE(in_text.contains(std::string(k.table) + "." + std::string(k.key)))
        << k.table << "." << k.key << " is not in the test text";
  }
  const auto config = load_config_text(kEveryKey, "every-key");
  ASSERT_TRUE(config.ok()) << config.error().message();
  const AgentConfig expected = every_key_expected();
  EXPECT_EQ(*config, expected) << to_toml(*config);
  // Each value differs from the default, so a key that is read but not stored would show.
  const AgentConfig defaults = default_config();
  EXPECT_NE(config->target.host, defaults.target.host);
  EXPECT_NE(config->retry.multiplier, defaults.retry.multiplier);
  EXPECT_NE(config->health.listen_port, defaults.health.listen_port);
}

TEST(ConfigValues, SingleKeysLeaveTheRestAtTheirDefaults) {
  const auto config = load_config_text("[gate]\nkind = \"none\"\n", "x");
  ASSERT_TRUE(config.ok());
  AgentConfig expected = default_config();
  expected.gate.kind = GateKind::None;
  EXPECT_EQ(*config, expected);
}

TEST(ConfigValues, EmptyAndCommentOnlyTextsGiveTheDefaults) {
  for (const char* text : {"", "\n\n", "# nothing set\n", "[gate]\n[health]\n"}) {
    const auto config = load_config_text(text, "x");
    ASSERT_TRUE(config.ok()) << text;
    EXPECT_EQ(*config, default_config()) << text;
  }
  const test::TempDir dir;
  std::ofstream(dir.path() / "empty.toml").close();
  const auto config = load_config_file(dir.path() / "empty.toml");
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(*config, default_config());
}

TEST(ConfigValues, WindowsEditorsLineEndingsAndByteOrderMarkAreAccepted) {
  const auto config = load_config_text("\xEF\xBB\xBF[gate]\r\nkind = \"none\"\r\n", "x");
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(config->gate.kind, GateKind::None);
}

TEST(ConfigValues, EmptyPathsSelectThePlatformDefaults) {
  const auto config = load_config_text(
      "[status]\nfile = \"\"\n[gate]\njournal = \"\"\n[image]\nmanifest = \"\"\n"
      "[platform]\nlab_state_dir = \"\"\n[logging]\nfile = \"\"\n",
      "x");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->status.file, default_status_path());
  EXPECT_EQ(config->gate.journal, default_gate_journal_path());
  EXPECT_EQ(config->image.manifest, default_manifest_path());
  EXPECT_EQ(config->platform.lab_state_dir, default_lab_state_dir());
  EXPECT_TRUE(config->logging.file.empty());
#ifndef _WIN32
  EXPECT_EQ(default_status_path().filename(), "status.json");
  EXPECT_EQ(default_status_path().parent_path().filename(), "rdwarm");
#endif
}

TEST(ConfigValues, ToTomlReadsBackToTheSameConfig) {
  for (const AgentConfig& c : {default_config(), every_key_expected()}) {
    const std::string text = to_toml(c);
    const auto back = load_config_text(text, "to_toml");
    ASSERT_TRUE(back.ok()) << back.error().message() << "\n" << text;
    EXPECT_EQ(*back, c) << text;
  }
  // Strings that need escaping survive too.
  AgentConfig c = default_config();
  c.gate.kind = GateKind::Command;
  c.gate.close_command = "say \"closed\" \\ done\tnow";
  c.gate.open_command = "caf\xC3\xA9.cmd";
  const auto back = load_config_text(to_toml(c), "to_toml");
  ASSERT_TRUE(back.ok()) << back.error().message() << "\n" << to_toml(c);
  EXPECT_EQ(*back, c);
}

TEST(ConfigValues, ToJsonNamesEveryKeyWithItsTomlSpelling) {
  const auto json = to_json(every_key_expected());
  std::size_t count = 0;
  for (const auto& [table, keys] : json.items()) count += keys.size();
  EXPECT_EQ(count, known_keys().size());
  EXPECT_EQ(json["gate"]["kind"], "command");
  EXPECT_EQ(json["gate"]["services"], nlohmann::ordered_json::array({"BrokerAgent", "CtxSvc"}));
  EXPECT_EQ(json["warmup"]["on_deadline"], "open");
  EXPECT_EQ(json["probe"]["connect_timeout"], "500ms");
  EXPECT_EQ(json["retry"]["multiplier"], 1.5);
  EXPECT_EQ(json["target"]["port"], 3390);
  EXPECT_EQ(json["health"]["listen"], "[::1]:9200");
  EXPECT_EQ(json["image"]["planned_lifetime"], "90d");
  EXPECT_EQ(json.begin().key(), "target");  // documentation order, not alphabetical
}

TEST(ConfigValues, KnownKeysAreUniqueAndSayWhatTheyAccept) {
  std::set<std::string> names;
  for (const auto& k : known_keys()) {
    EXPECT_TRUE(names.insert(std::string(k.table) + "." + std::string(k.key)).second);
    EXPECT_FALSE(k.expect.empty()) << k.table << "." << k.key;
  }
  EXPECT_EQ(known_tables().size(), 11U);
}

TEST(ConfigDuration, ParsesEveryUnit) {
  EXPECT_EQ(*parse_duration("500ms"), 500ms);
  EXPECT_EQ(*parse_duration("2s"), 2s);
  EXPECT_EQ(*parse_duration("5m"), 5min);
  EXPECT_EQ(*parse_duration("1h"), 1h);
  EXPECT_EQ(*parse_duration("30d"), std::chrono::days(30));
  EXPECT_EQ(*parse_duration("0s"), 0ms);
  EXPECT_EQ(*parse_duration("3650d"), std::chrono::days(3650));
}

TEST(ConfigDuration, RefusesWhatIsNotADuration) {
  for (const char* text : {"", "s", "5", "5 s", " 5s", "+5s", "-5s", "5S", "5sec", "1.5s", "5y",
                           "3651d", "99999999999999999999s"}) {
    EXPECT_FALSE(parse_duration(text).ok()) << text;
  }
}

TEST(ConfigDuration, FormatsTheShortestExactSpelling) {
  EXPECT_EQ(format_duration(3000ms), "3s");
  EXPECT_EQ(format_duration(1500ms), "1500ms");
  EXPECT_EQ(format_duration(90s), "90s");
  EXPECT_EQ(format_duration(10min), "10m");
  EXPECT_EQ(format_duration(std::chrono::days(30)), "30d");
  EXPECT_EQ(format_duration(0ms), "0s");
  for (std::chrono::milliseconds d :
       {1ms, 999ms, 1000ms * 61, 1000ms * 3600 * 25, std::chrono::milliseconds(86'400'001)}) {
    EXPECT_EQ(*parse_duration(format_duration(d)), d) << format_duration(d);
  }
}

TEST(ConfigListenAddress, ParsesHostAndPort) {
  auto a = parse_listen_address("127.0.0.1:9181");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9181);
  a = parse_listen_address("[::1]:80");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(format_listen_address(a->host, a->port), "[::1]:80");
  for (const char* bad : {"", ":9181", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:x", "[::1]",
                          "[::1]9181", "::1:9181", "a b:1"}) {
    EXPECT_FALSE(parse_listen_address(bad).ok()) << bad;
  }
}

TEST(ConfigListenAddress, KnowsLoopback) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "localhost", "LOCALHOST"}) {
    EXPECT_TRUE(is_loopback_host(host)) << host;
  }
  for (const char* host : {"0.0.0.0", "10.0.0.1", "128.0.0.1", "127.0.0", "127.0.0.1.5",
                           "::", "rdsh01", "1270.0.0.1", "::ffff:10.0.0.1"}) {
    EXPECT_FALSE(is_loopback_host(host)) << host;
  }
}

using test::ScopedEnv;

TEST(ConfigEffective, ExplicitFileWinsOverTheEnvironment) {
  const test::TempDir dir;
  std::ofstream(dir.path() / "explicit.toml") << "[gate]\nkind = \"none\"\n";
  std::ofstream(dir.path() / "env.toml") << "[gate]\nkind = \"service\"\nservices = [\"A\"]\n";
  const ScopedEnv env("RDWARM_CONFIG", (dir.path() / "env.toml").string());

  auto loaded = load_effective_config(dir.path() / "explicit.toml");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(loaded->file, dir.path() / "explicit.toml");
  EXPECT_EQ(loaded->config.gate.kind, GateKind::None);

  loaded = load_effective_config({});
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(loaded->file, dir.path() / "env.toml");
  EXPECT_EQ(loaded->config.gate.kind, GateKind::Service);
}

TEST(ConfigEffective, ANamedFileMustExist) {
  const test::TempDir dir;
  const ScopedEnv env("RDWARM_CONFIG", (dir.path() / "missing.toml").string());
  const auto loaded = load_effective_config({});
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().message(),
            (dir.path() / "missing.toml").string() + ": the configuration file does not exist");
}

TEST(ConfigEffective, WithoutAnyFileTheDefaultsApply) {
  const ScopedEnv env("RDWARM_CONFIG", "");
  const auto loaded = load_effective_config({});
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  if (std::filesystem::exists(default_config_path())) {
    EXPECT_EQ(loaded->file, default_config_path());
  } else {
    EXPECT_TRUE(loaded->file.empty());
    EXPECT_EQ(loaded->config, default_config());
  }
}

#ifdef _WIN32
TEST(ConfigDefaults, WindowsFilesLiveUnderProgramData) {
  const ScopedEnv env("ProgramData", "D:\\PD");
  EXPECT_EQ(default_config_path(), std::filesystem::path("D:\\PD\\rdwarm\\rdwarm.toml"));
  EXPECT_EQ(default_status_path(), std::filesystem::path("D:\\PD\\rdwarm\\status.json"));
  EXPECT_EQ(default_gate_journal_path(),
            std::filesystem::path("D:\\PD\\rdwarm\\gate-journal.json"));
  EXPECT_EQ(default_manifest_path(), std::filesystem::path("D:\\PD\\rdwarm\\seal-manifest.json"));
  EXPECT_EQ(default_config().status.file, default_status_path());
}
#else
TEST(ConfigDefaults, FilesLiveUnderTheTemporaryDirectory) {
  const test::TempDir dir;
  const ScopedEnv env("TMPDIR", dir.path().string());
  EXPECT_EQ(default_config_path(), std::filesystem::path("/etc/rdwarm/rdwarm.toml"));
  EXPECT_EQ(default_status_path(), dir.path() / "rdwarm" / "status.json");
  EXPECT_EQ(default_gate_journal_path(), dir.path() / "rdwarm" / "gate-journal.json");
  EXPECT_EQ(default_manifest_path(), dir.path() / "rdwarm" / "seal-manifest.json");
  EXPECT_EQ(default_config().status.file, default_status_path());
}
#endif

TEST(ConfigEffective, LabStateDirDefaultFollowsTheEnvironment) {
  const ScopedEnv env("RDWARM_LAB_STATE_DIR", "/srv/lab-state");
  EXPECT_EQ(default_config().platform.lab_state_dir, std::filesystem::path("/srv/lab-state"));
}

}  // namespace
}  // namespace rdwarm::config
