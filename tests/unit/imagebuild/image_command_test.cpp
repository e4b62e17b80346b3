// `rdwarm image check` in-process against lab state files the tests write: every exit code (0, 3,
// 14, 15, 2 and 1), the configuration's planned lifetime and its override, --skip, and the
// reachability ports pointed at loopback listeners.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "licensing/host/lab/lab_state_file.hpp"
#include "tests/support/ports.hpp"
#include "tests/support/run_cli.hpp"
#include "tests/unit/imagebuild/loopback_ports.hpp"

namespace rdwarm::testing {
namespace {

using nlohmann::json;
using std::chrono::days;

class ImageCheckCommand : public ::testing::Test {
 protected:
  void write_state(const std::function<void(host::lab::LabHostState&)>& change) {
    const auto now = std::chrono::system_clock::now();
    host::lab::LabHostState s;
    s.policy_licensing_mode = 4;
    s.policy_license_servers = "127.0.0.1";
    s.grace_period_end = now + days(90);
    if (change) change(s);
    ASSERT_TRUE(
        host::lab::write_lab_state_file(dir_.path() / host::lab::kLabStateFileName, s).ok());
  }

  std::string write_config(const std::string& text) {
    const auto file = dir_.path() / "rdwarm.toml";
    std::ofstream(file) << text;
    return file.string();
  }

  // Runs `rdwarm image check` on the state dir with the open loopback ports as license-server
  // ports; `extra` may add options.
  int check(std::vector<std::string> extra, std::string& out) {
    std::vector<std::string> args{
        "image",           "check",
        "--config",        config_.empty() ? write_config("") : config_,
        "--platform",      "lab",
        "--lab-state-dir", dir_.path().string(),
        "--ls-ports",      std::to_string(ls_a_.port()) + "," + std::to_string(ls_b_.port())};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(args, out);
  }

  json check_json(std::vector<std::string> extra, int& rc) {
    extra.push_back("--json");
    std::string out;
    rc = check(extra, out);
    return json::parse(out);
  }

  ScopedTempDir dir_{"rdwarm-image-check"};
  OpenPort ls_a_;
  OpenPort ls_b_;
  std::string config_;
};

TEST_F(ImageCheckCommand, HealthyImageExitsZero) {
  write_state(nullptr);
  int rc = -1;
  const auto j = check_json({}, rc);
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(j["verdict"], "pass");
  EXPECT_EQ(j["exit_code"], 0);
  ASSERT_EQ(j["license_servers"].size(), 1u);
  EXPECT_EQ(j["license_servers"][0]["ports"][0]["state"], "open");
  EXPECT_EQ(j["license_servers"][0]["ports"][1]["state"], "open");
  EXPECT_EQ(j["checks"][4]["id"], "ls-reachable");
  EXPECT_EQ(j["checks"][4]["status"], "pass");
}

TEST_F(ImageCheckCommand, NoSessionHostRoleExitsThree) {
  write_state([](auto& s) { s.rdsh_role = false; });
  std::string out;
  EXPECT_EQ(check({}, out), 3);
  EXPECT_NE(out.find("NOT APPLICABLE"), std::string::npos);
}

TEST_F(ImageCheckCommand, GraceInsideThePlannedLifetimeExitsFourteen) {
  write_state(nullptr);  // 90 grace days left
  int rc = -1;
  auto j = check_json({"--planned-lifetime", "120d"}, rc);
  EXPECT_EQ(rc, 14);
  EXPECT_EQ(j["verdict"], "grace-ends-in-lifetime");
  EXPECT_EQ(j["planned_lifetime"]["text"], "120d");
  j = check_json({"--planned-lifetime", "60d"}, rc);
  EXPECT_EQ(rc, 0);
}

TEST_F(ImageCheckCommand, ThePlannedLifetimeComesFromTheConfigurationUnlessOverridden) {
  write_state(nullptr);
  config_ = write_config("[image]\nplanned_lifetime = \"100d\"\n");
  std::string out;
  EXPECT_EQ(check({}, out), 14);
  EXPECT_NE(out.find("planned lifetime 100d"), std::string::npos);
  EXPECT_EQ(check({"--planned-lifetime", "30d"}, out), 0);
}

TEST_F(ImageCheckCommand, FatalCheckExitsFifteen) {
  write_state([](auto& s) { s.edition_id = "ServerRdsh"; });
  std::string out;
  EXPECT_EQ(check({}, out), 15);
  EXPECT_NE(out.find("FAIL    multisession-policy"), std::string::npos);
  // Skipping the failing check on purpose is the pipeline's call.
  EXPECT_EQ(check({"--skip", "multisession-policy"}, out), 0);
}

TEST_F(ImageCheckCommand, ClosedLicenseServerPortsExitFifteen) {
  write_state(nullptr);
  const ClosedPort closed;
  std::string out;
  EXPECT_EQ(check({"--ls-ports", std::to_string(closed.port())}, out), 15);
  EXPECT_NE(out.find("FAIL    ls-reachable"), std::string::npos);
  EXPECT_NE(out.find(std::to_string(closed.port()) + " refused"), std::string::npos);
  EXPECT_EQ(check({"--ls-ports", std::to_string(closed.port()), "--skip", "ls-reachable"}, out), 0);
}

TEST_F(ImageCheckCommand, UsageErrorsExitTwo) {
  write_state(nullptr);
  std::string out;
  EXPECT_EQ(check({"--planned-lifetime", "30"}, out), 2);  // a lifetime needs its unit
  EXPECT_EQ(check({"--planned-lifetime", "0d"}, out), 2);
  EXPECT_EQ(check({"--skip", "dns"}, out), 2);
  EXPECT_EQ(check({"--ls-ports", "135,99999"}, out), 2);
  EXPECT_EQ(check({"--connect-timeout", "0s"}, out), 2);
  EXPECT_EQ(check({"--dns-timeout", "2h"}, out), 2);
  EXPECT_EQ(check({"--platform", "bsd"}, out), 2);
  EXPECT_EQ(check({"--no-such-option"}, out), 2);
  EXPECT_EQ(run_cli({"image"}, out), 2);  // `image` needs a subcommand
  config_ = write_config("[image]\nplanned_lifetime = \"soon\"\n");
  EXPECT_EQ(check({}, out), 2);
}

TEST_F(ImageCheckCommand, UnreadableHostStateExitsOne) {
  std::string out;  // no state file written
  EXPECT_EQ(check({}, out), 1);
}

}  // namespace
}  // namespace rdwarm::testing
