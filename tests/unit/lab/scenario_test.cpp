// Scenario files: every shipped one loads (from disk and built in, identically), and mistakes are
// reported with the file, the line and the key.
#include "lab/scenario/scenario.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "lab/scenario/embedded_scenarios.hpp"

namespace rdwarm::lab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path kScenarioDir = fs::path(RDWARM_SOURCE_DIR) / "lab" / "scenarios";

TEST(Scenarios, EveryShippedFileLoadsWithADescriptionAndAPromise) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(kScenarioDir)) {
    auto s = load_scenario_file(entry.path());
    ASSERT_TRUE(s.ok()) << s.error().message();
    EXPECT_FALSE(s->description.empty()) << s->name;
    EXPECT_FALSE(s->expect.empty()) << s->name;
    names.insert(s->name);
  }
  // The issue's list, plus the lab's extra cases.
  for (const char* required :
       {"first-boot", "warm", "grace-active", "ls-down", "ls-flaky", "nla-required", "per-device",
        "boot-storm", "fault-reset", "fault-stall", "fault-malformed"}) {
    EXPECT_TRUE(names.count(required)) << required;
  }
}

TEST(Scenarios, BuiltInCopiesAreTheFilesOnDisk) {
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(kScenarioDir)) {
    if (entry.path().extension() == ".toml") ++files;
  }
  ASSERT_EQ(embedded_scenarios().size(), files) << "rebuild: a scenario file was added or removed";
  for (const auto& e : embedded_scenarios()) {
    std::ifstream in(kScenarioDir / (std::string(e.name) + ".toml"));
    std::string disk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(disk, e.text) << e.name;
  }
  auto all = list_scenarios(std::nullopt);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), files);
}

TEST(Scenarios, KeyValuesOfTheIssueScenarios) {
  auto first = find_scenario("first-boot", std::nullopt);
  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_EQ(first->source, "built-in:first-boot");
  EXPECT_FALSE(first->host.certificate);
  ASSERT_TRUE(first->host.grace_left.has_value());
  EXPECT_LT(first->host.grace_left->count(), 0);
  EXPECT_EQ(first->license_server.latency, 3000ms);
  EXPECT_EQ(first->host.licensing_mode, LicensingMode::PerUser);
  EXPECT_EQ(first->fault.kind, FaultKind::None);

  auto warm = find_scenario("warm", std::nullopt);
  ASSERT_TRUE(warm.ok());
  EXPECT_TRUE(warm->host.certificate);

  auto grace = find_scenario("grace-active", std::nullopt);
  ASSERT_TRUE(grace.ok());
  EXPECT_EQ(grace->host.grace_left, std::chrono::hours(24 * 60));

  auto down = find_scenario("ls-down", std::nullopt);
  ASSERT_TRUE(down.ok());
  ASSERT_EQ(down->license_server.outages.size(), 1u);
  EXPECT_EQ(down->license_server.outages[0].to, std::chrono::hours(24 * 3650));

  auto device = find_scenario("per-device", std::nullopt);
  ASSERT_TRUE(device.ok());
  EXPECT_EQ(device->host.licensing_mode, LicensingMode::PerDevice);
  EXPECT_TRUE(device->license_server.per_device);

  auto storm = find_scenario("boot-storm", std::nullopt);
  ASSERT_TRUE(storm.ok());
  EXPECT_GT(storm->competing_hosts, 0u);
  EXPECT_GT(storm->license_server.capacity_per_second, 0.0);

  auto nla = find_scenario("nla-required", std::nullopt);
  ASSERT_TRUE(nla.ok());
  EXPECT_TRUE(nla->host.nla_required);

  auto stall = find_scenario("fault-stall", std::nullopt);
  ASSERT_TRUE(stall.ok());
  EXPECT_EQ(stall->fault.kind, FaultKind::Stall);
  EXPECT_EQ(stall->fault.stall, StallPoint::Licensing);
  EXPECT_TRUE(stall->fault.hits(1));
  EXPECT_TRUE(stall->fault.hits(1000));
}

TEST(Scenarios, MinimalFileTakesTheDefaults) {
  auto s = parse_scenario("description = \"minimal\"\n", "min.toml", "min");
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->host.name, "LAB-SH01");
  EXPECT_EQ(s->host.licensing_mode, LicensingMode::PerUser);
  EXPECT_EQ(s->host.license_servers, std::vector<std::string>{"LAB-LS"});
  EXPECT_EQ(s->session.hold, 5000ms);
  EXPECT_EQ(s->session.phase_timeout, 20000ms);
  EXPECT_EQ(s->fault.kind, FaultKind::None);
  EXPECT_FALSE(s->fault.hits(1));
  EXPECT_EQ(s->license_server.queue_limit, 0u);
  EXPECT_EQ(s->license_server.request_timeout, 0ms);
}

// The boot-storm benchmark's scenarios (bench/scenarios) use the lab's parser too.
TEST(Scenarios, BenchStormScenariosLoad) {
  const fs::path bench = fs::path(RDWARM_SOURCE_DIR) / "bench" / "scenarios";
  auto plain = load_scenario_file(bench / "bench-storm.toml");
  ASSERT_TRUE(plain.ok()) << plain.error().message();
  EXPECT_EQ(plain->license_server.capacity_per_second, 20.0);
  EXPECT_EQ(plain->license_server.queue_limit, 0u);
  auto overload = load_scenario_file(bench / "bench-storm-overload.toml");
  ASSERT_TRUE(overload.ok()) << overload.error().message();
  EXPECT_EQ(overload->license_server.capacity_per_second, 20.0);
  EXPECT_EQ(overload->license_server.queue_limit, 40u);
  EXPECT_EQ(overload->license_server.request_timeout, 0ms);
}

TEST(Scenarios, LicenseServerOverloadKeys) {
  auto s = parse_scenario(
      "description = \"o\"\n[license_server]\ncapacity_per_second = 20\nqueue_limit = 40\n"
      "request_timeout = \"10s\"\n",
      "o.toml", "o");
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->license_server.queue_limit, 40u);
  EXPECT_EQ(s->license_server.request_timeout, 10000ms);
}

TEST(Scenarios, HostServices) {
  auto s = parse_scenario(
      "description = \"c\"\n[host]\nservices = [\"BrokerAgent\", \"Spooler\"]\n", "c.toml", "c");
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->host.services, (std::vector<std::string>{"BrokerAgent", "Spooler"}));
  auto none = parse_scenario("description = \"c\"\n", "c.toml", "c");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->host.services.empty());
  for (const auto& [text, what] : std::vector<std::pair<std::string, std::string>>{
           {"services = \"BrokerAgent\"", "must be an array of strings"},
           {"services = [\"Citrix\\\\BrokerAgent\"]", "is not a Windows service name"},
           {"services = [\"\"]", "is not a Windows service name"},
           {"services = [\"BrokerAgent\", \"brokeragent\"]", "lists \"brokeragent\" twice"}}) {
    auto bad = parse_scenario("description = \"c\"\n[host]\n" + text + "\n", "c.toml", "c");
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_EQ(bad.error().where, "c.toml:3") << text;
    EXPECT_EQ(bad.error().field, "host.services") << text;
    EXPECT_NE(bad.error().what.find(what), std::string::npos) << bad.error().message();
  }
}

TEST(Scenarios, GraceSpellings) {
  auto grace = [](const std::string& value) {
    return parse_scenario("description = \"g\"\n[host]\ngrace = \"" + value + "\"\n", "g.toml",
                          "g");
  };
  EXPECT_EQ(grace("over")->host.grace_left, -std::chrono::hours(24));
  EXPECT_EQ(grace("ended 30d")->host.grace_left, -std::chrono::hours(24 * 30));
  EXPECT_EQ(grace("active")->host.grace_left, std::chrono::hours(24 * 90));
  EXPECT_EQ(grace("10s")->host.grace_left, 10000ms);
  EXPECT_FALSE(grace("absent")->host.grace_left.has_value());
  EXPECT_FALSE(grace("soon").ok());
}

TEST(Scenarios, FaultFirstConnectionsLimitsWhichConnectionsAreHit) {
  auto s = parse_scenario(
      "description = \"f\"\n[fault]\nkind = \"stall\"\nphase = \"tls\"\nfirst_connections = 2\n",
      "f.toml", "f");
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->fault.stall, StallPoint::Tls);
  EXPECT_TRUE(s->fault.hits(1));
  EXPECT_TRUE(s->fault.hits(2));
  EXPECT_FALSE(s->fault.hits(3));
}

struct BadCase {
  std::string text;
  std::string where;  // "file:line"
  std::string field;
  std::string what_contains;
};

class BadScenario : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadScenario, ErrorNamesFileLineAndKey) {
  const auto& c = GetParam();
  auto s = parse_scenario(c.text, "bad.toml", "bad");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().where, c.where) << s.error().message();
  EXPECT_EQ(s.error().field, c.field) << s.error().message();
  EXPECT_NE(s.error().what.find(c.what_contains), std::string::npos) << s.error().message();
}

INSTANTIATE_TEST_SUITE_P(
    Mistakes, BadScenario,
    ::testing::Values(
        BadCase{"description = \"x\"\n[license_server]\nlatency = \"3 s\"\n", "bad.toml:3",
                "license_server.latency", "unknown unit"},
        BadCase{"description = \"x\"\n[license_server]\nlatency = 3\n", "bad.toml:3",
                "license_server.latency", "duration string"},
        BadCase{"description = \"x\"\n[host]\nlicensing_mod = \"per-user\"\n", "bad.toml:3",
                "host.licensing_mod", "not a known key"},
        BadCase{"description = \"x\"\n\n[host]\nlicensing_mode = \"per-seat\"\n", "bad.toml:4",
                "host.licensing_mode", "\"per-user\""},
        BadCase{"description = \"x\"\n[host]\nname = \"A-NAME-LONGER-THAN-15\"\n", "bad.toml:3",
                "host.name", "15 characters"},
        BadCase{"description = \"x\"\n[license_server]\nfailure_probability = 1.5\n", "bad.toml:3",
                "license_server.failure_probability", "from 0 to 1"},
        BadCase{
            "description = \"x\"\n[license_server]\noutages = [{ from = \"5s\", to = \"1s\" }]\n",
            "bad.toml:3", "license_server.outages.to", "later than"},
        BadCase{"description = \"x\"\n[license_server]\noutages = [{ from = \"0s\", until = \"1s\" "
                "}]\n",
                "bad.toml:3", "license_server.outages.until", "not a known key"},
        BadCase{"description = \"x\"\n[license_server]\nqueue_limit = 40\n", "bad.toml:3",
                "license_server.queue_limit", "needs capacity_per_second > 0"},
        BadCase{"description = \"x\"\n[license_server]\nqueue_limit = -1\n", "bad.toml:3",
                "license_server.queue_limit", "whole number"},
        BadCase{"description = \"x\"\n[license_server]\nrequest_timeout = 10\n", "bad.toml:3",
                "license_server.request_timeout", "duration string"},
        BadCase{"description = \"x\"\n[fault]\nkind = \"stall\"\nphase = \"logon\"\n", "bad.toml:4",
                "fault.phase", "\"licensing\""},
        BadCase{"description = \"x\"\nhost = 3\n", "bad.toml:2", "host", "must be a table"},
        BadCase{"description = \"x\"\nsurprise = true\n", "bad.toml:2", "surprise",
                "not a known key"},
        BadCase{"[host]\nname = \"A\"\n", "bad.toml", "description", "missing"},
        BadCase{"description = \"x\"\n[host\n", "bad.toml:2", "", "not valid TOML"},
        BadCase{"description = \"x\"\n[nla]\npassword = \"a\"\nnt_hash = "
                "\"00000000000000000000000000000000\"\n",
                "bad.toml:4", "nla.nt_hash", "exactly one"},
        BadCase{"description = \"x\"\n[nla]\nnt_hash = \"not-hex\"\n", "bad.toml:3", "nla.nt_hash",
                "32 hex digits"},
        BadCase{"description = \"x\"\n[nla]\ncredssp_version = 7\n", "bad.toml:3",
                "nla.credssp_version", "from 2 to 6"},
        BadCase{"description = \"x\"\n[nla]\naccount_state = \"expired\"\n", "bad.toml:3",
                "nla.account_state", "\"password-expired\""},
        BadCase{"description = \"x\"\n[nla]\nuser = \"\"\n", "bad.toml:3", "nla.user", "1 to 256"},
        BadCase{"description = \"x\"\n[nla]\npassword = \"\"\n", "bad.toml:3", "nla.password",
                "must not be empty"},
        BadCase{"description = \"x\"\n[nla]\nremote_desktop_right = \"yes\"\n", "bad.toml:3",
                "nla.remote_desktop_right", "true or false"},
        BadCase{"description = \"x\"\n[nla]\npasword = \"x\"\n", "bad.toml:3", "nla.pasword",
                "not a known key"}));

TEST(Scenarios, NlaDefaultsAreTheLabAccount) {
  auto s = parse_scenario("description = \"n\"\n[host]\nname = \"SH-7\"\n", "n.toml", "n");
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->nla.account.user, "probe");
  EXPECT_EQ(s->nla.account.domain, "LAB");
  EXPECT_EQ(s->nla.account.nt_hash, auth::ntlm::nt_hash("lab-only-Passw0rd"));
  EXPECT_EQ(s->nla.account.state, auth::ntlm::AccountState::Enabled);
  EXPECT_EQ(s->nla.credential, "password");
  EXPECT_TRUE(s->nla.remote_desktop_right);
  EXPECT_EQ(s->nla.credssp_version, 6u);
  EXPECT_EQ(s->nla.computer_name, "SH-7");  // the NTLM target name is the host's name
}

TEST(Scenarios, NlaKeys) {
  auto s = parse_scenario(
      "description = \"n\"\n[nla]\nuser = \"svc-warm\"\ndomain = \"\"\npassword = \"x-1\"\n"
      "account_state = \"locked-out\"\nremote_desktop_right = false\ncredssp_version = 3\n",
      "n.toml", "n");
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->nla.account.user, "svc-warm");
  EXPECT_EQ(s->nla.account.domain, "");
  EXPECT_EQ(s->nla.account.nt_hash, auth::ntlm::nt_hash("x-1"));
  EXPECT_EQ(s->nla.account.state, auth::ntlm::AccountState::LockedOut);
  EXPECT_FALSE(s->nla.remote_desktop_right);
  EXPECT_EQ(s->nla.credssp_version, 3u);
  // winpr-hash -u probe -p lab-only-Passw0rd, fourth field.
  const std::string hex = "9B0F9E7B1D5D5D33E0735D093170E077";
  auto h = parse_scenario("description = \"h\"\n[nla]\nnt_hash = \"" + hex + "\"\n", "h.toml", "h");
  ASSERT_TRUE(h.ok()) << h.error().message();
  EXPECT_EQ(h->nla.credential, "nt_hash");
  EXPECT_EQ(h->nla.account.nt_hash, auth::ntlm::nt_hash_from_hex(hex).value());
}

TEST(Scenarios, EveryShippedFileDocumentsTheNlaKeys) {
  for (const auto& entry : fs::directory_iterator(kScenarioDir)) {
    auto s = load_scenario_file(entry.path());
    ASSERT_TRUE(s.ok()) << s.error().message();
    for (const char* key :
         {"[nla]", "\nuser = ", "\ndomain = ", "\npassword = ", "nt_hash", "\naccount_state = ",
          "\nremote_desktop_right = ", "\ncredssp_version = ", "\"nla\" (with nla_required"}) {
      EXPECT_NE(s->text.find(key), std::string::npos) << s->name << " lacks " << key;
    }
  }
  auto nla = find_scenario("nla-required", std::nullopt);
  ASSERT_TRUE(nla.ok());
  EXPECT_NE(nla->expect.find("exits 12"), std::string::npos) << nla->expect;
  EXPECT_NE(nla->expect.find("STATUS_LOGON_FAILURE"), std::string::npos) << nla->expect;
}

TEST(Scenarios, UnknownNameListsTheBuiltInOnesAndMissingFileSaysSo) {
  auto s = find_scenario("frist-boot", std::nullopt);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().what.find("first-boot"), std::string::npos) << s.error().message();
  auto f = find_scenario("/nonexistent/x.toml", std::nullopt);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message().find("cannot be read"), std::string::npos);
  auto in_dir = find_scenario("warm", kScenarioDir);
  ASSERT_TRUE(in_dir.ok()) << in_dir.error().message();
  EXPECT_TRUE(in_dir->host.certificate);
}

}  // namespace
}  // namespace rdwarm::lab
