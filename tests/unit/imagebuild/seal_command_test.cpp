// `rdwarm image seal` and `rdwarm image prewarm` in-process against lab state files the tests
// write: every exit code of seal (0 and 3 with a manifest; 14, 15, 2, 1 without one), the
// manifest validated against its schema, and `rdwarm status` showing the manifest's facts.
// Prewarm's exit codes that need no session host (3, 2, 13) are here; those that need one are in
// tests/integration/image_seal_test.cpp.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "licensing/host/lab/lab_state_file.hpp"
#include "licensing/wire/utc_time.hpp"
#include "tests/support/ports.hpp"
#include "tests/support/run_cli.hpp"
#include "tests/unit/imagebuild/loopback_ports.hpp"
#include "tests/unit/imagebuild/schema_violations.hpp"

namespace rdwarm::testing {
namespace {

using nlohmann::json;
using std::chrono::days;

std::vector<std::string> schema_violations(const json& manifest) {
  return rdwarm::testing::schema_violations("imagebuild/seal-manifest.schema.json", manifest);
}

class ImageSealCommand : public ::testing::Test {
 protected:
  void SetUp() override { std::ofstream(config_file()) << ""; }

  void write_state(const std::function<void(host::lab::LabHostState&)>& change) {
    host::lab::LabHostState s;
    s.policy_licensing_mode = 4;
    s.policy_license_servers = "127.0.0.1";
    s.grace_period_end = grace_end_;
    if (change) change(s);
    ASSERT_TRUE(
        host::lab::write_lab_state_file(dir_.path() / host::lab::kLabStateFileName, s).ok());
  }

  std::filesystem::path config_file() const { return dir_.path() / "rdwarm.toml"; }
  std::filesystem::path manifest() const { return dir_.path() / "seal-manifest.json"; }

  int seal(std::vector<std::string> extra, std::string& out) {
    std::vector<std::string> args{
        "image",           "seal",
        "--config",        config_file().string(),
        "--platform",      "lab",
        "--lab-state-dir", dir_.path().string(),
        "--ls-ports",      std::to_string(ls_a_.port()) + "," + std::to_string(ls_b_.port())};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(args, out);
  }

  json read_manifest() const {
    std::ifstream in(manifest());
    return json::parse(in, nullptr, false);
  }

  json status_json(int& rc) {
    std::string out;
    rc = run_cli({"status", "--json", "--config", config_file().string(), "--platform", "lab",
                  "--lab-state-dir", dir_.path().string()},
                 out);
    return json::parse(out, nullptr, false);
  }

  ScopedTempDir dir_{"rdwarm-image-seal"};
  OpenPort ls_a_;
  OpenPort ls_b_;
  // Whole seconds: the state file and the manifest keep no fraction.
  host::SystemTime grace_end_ =
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now() + days(90));
};

TEST_F(ImageSealCommand, HealthyImageIsSealedWithAManifestThatValidates) {
  write_state(nullptr);
  std::string out;
  ASSERT_EQ(seal({}, out), 0) << out;
  EXPECT_NE(out.find("sealed; manifest written to " + manifest().string()), std::string::npos)
      << out;
  const auto m = read_manifest();
  ASSERT_TRUE(m.is_object()) << "no manifest at " << manifest();
  EXPECT_EQ(schema_violations(m), std::vector<std::string>{}) << m.dump(2);
  EXPECT_EQ(m["verdict"], "pass");
  EXPECT_EQ(m["exit_code"], 0);
  EXPECT_EQ(m["platform"], "lab");
  EXPECT_EQ(m["rdwarm_version"], RDWARM_VERSION);
  EXPECT_EQ(m["grace"]["end"], format_utc(grace_end_));
  EXPECT_EQ(m["grace"]["timebomb_present"], true);
  EXPECT_EQ(m["certificate"]["state"], "absent");
  EXPECT_EQ(m["planned_lifetime_seconds"], 30 * 86400);
  const auto& passed = m["checks"]["passed"];
  EXPECT_NE(std::find(passed.begin(), passed.end(), "ls-reachable"), passed.end()) << m.dump(2);
  EXPECT_NE(std::find(passed.begin(), passed.end(), "grace-period"), passed.end()) << m.dump(2);
  // sealed_at is the snapshot's time: now, give or take the test's run time.
  const auto sealed = parse_utc(m["sealed_at"].get<std::string>(), "sealed_at");
  ASSERT_TRUE(sealed.ok());
  EXPECT_LT(std::chrono::abs(std::chrono::system_clock::now() - *sealed), std::chrono::minutes(1));
}

TEST_F(ImageSealCommand, StatusShowsTheManifestsFactsOnceSealed) {
  write_state(nullptr);
  int rc = -1;
  auto s = status_json(rc);
  EXPECT_EQ(rc, 11);  // no certificate yet: status's own exit code, unchanged by the manifest
  ASSERT_TRUE(s.is_object());
  EXPECT_TRUE(s["image"].is_null()) << s["image"].dump();

  std::string out;
  ASSERT_EQ(seal({}, out), 0) << out;
  s = status_json(rc);
  EXPECT_EQ(rc, 11);
  ASSERT_TRUE(s["image"].is_object()) << s.dump(2);
  EXPECT_EQ(s["image"]["age_days"], 0);
  EXPECT_EQ(s["image"]["grace_end"], format_utc(grace_end_));
  EXPECT_EQ(s["image"]["rdwarm_version"], RDWARM_VERSION);
  EXPECT_EQ(s["image"]["sealed_at"], read_manifest()["sealed_at"]);

  run_cli({"status", "--config", config_file().string(), "--platform", "lab", "--lab-state-dir",
           dir_.path().string()},
          out);
  EXPECT_NE(out.find("Image"), std::string::npos) << out;
  EXPECT_NE(out.find("0 days ago, rdwarm " + std::string(RDWARM_VERSION) + "; grace end at seal " +
                     format_utc(grace_end_).substr(0, 10)),
            std::string::npos)
      << out;

  std::ofstream(manifest(), std::ios::trunc) << "not json";
  s = status_json(rc);
  EXPECT_EQ(rc, 11) << "an unreadable manifest must not change status's verdict";
  EXPECT_TRUE(s["image"].contains("problem")) << s.dump(2);
}

TEST_F(ImageSealCommand, ManifestGoesWhereTheConfigurationOrTheOptionSays) {
  write_state(nullptr);
  const auto configured = dir_.path() / "from-config" / "m.json";
  std::ofstream(config_file()) << "[image]\nmanifest = \"" << configured.generic_string() << "\"\n";
  std::string out;
  ASSERT_EQ(seal({}, out), 0) << out;
  EXPECT_TRUE(std::filesystem::exists(configured)) << out;
  EXPECT_FALSE(std::filesystem::exists(manifest()));
  int rc = -1;
  EXPECT_TRUE(status_json(rc)["image"].is_object()) << "status must read the configured path";

  const auto option = dir_.path() / "option.json";
  ASSERT_EQ(seal({"--manifest", option.string()}, out), 0) << out;
  EXPECT_TRUE(std::filesystem::exists(option)) << out;
}

TEST_F(ImageSealCommand, NotApplicableHostIsSealedAndExitsThree) {
  write_state([](auto& s) { s.rdsh_role = false; });
  std::string out;
  EXPECT_EQ(seal({}, out), 3) << out;
  const auto m = read_manifest();
  ASSERT_TRUE(m.is_object()) << out;
  EXPECT_EQ(schema_violations(m), std::vector<std::string>{}) << m.dump(2);
  EXPECT_EQ(m["verdict"], "not-applicable");
  EXPECT_EQ(m["exit_code"], 3);
  EXPECT_EQ(m["checks"]["passed"], json::array({"rdsh-role"})) << m.dump(2);
}

TEST_F(ImageSealCommand, GraceInsideThePlannedLifetimeRefusesWithFourteen) {
  write_state(nullptr);  // 90 grace days left
  std::string out;
  EXPECT_EQ(seal({"--planned-lifetime", "120d"}, out), 14) << out;
  EXPECT_NE(out.find("not sealed, no manifest written"), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(manifest()));
  // Skipping the check on purpose seals, and the manifest says it was skipped.
  EXPECT_EQ(seal({"--planned-lifetime", "120d", "--skip", "grace-period"}, out), 0) << out;
  const auto skipped = read_manifest()["checks"]["skipped"];
  EXPECT_NE(std::find(skipped.begin(), skipped.end(), "grace-period"), skipped.end())
      << skipped.dump();
}

TEST_F(ImageSealCommand, FatalCheckRefusesWithFifteenAndLeavesNoManifest) {
  write_state(nullptr);
  const ClosedPort closed;
  std::string out;
  EXPECT_EQ(seal({"--ls-ports", std::to_string(closed.port())}, out), 15) << out;
  EXPECT_NE(out.find("FAIL    ls-reachable"), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(manifest()));
}

TEST_F(ImageSealCommand, UsageErrorsExitTwoWithoutAManifest) {
  write_state(nullptr);
  std::string out;
  EXPECT_EQ(seal({"--planned-lifetime", "30"}, out), 2);
  EXPECT_EQ(seal({"--skip", "dns"}, out), 2);
  EXPECT_EQ(seal({"--platform", "bsd"}, out), 2);
  EXPECT_EQ(seal({"--json"}, out), 2);  // the manifest is seal's machine-readable output
  EXPECT_FALSE(std::filesystem::exists(manifest()));
}

TEST_F(ImageSealCommand, UnreadableHostOrUnwritableManifestExitsOne) {
  std::string out;
  EXPECT_EQ(seal({}, out), 1);  // no state file
  write_state(nullptr);
  const auto blocker = dir_.path() / "a-file";
  std::ofstream(blocker) << "x";
  EXPECT_EQ(seal({"--manifest", (blocker / "m.json").string()}, out), 1) << out;
  EXPECT_FALSE(std::filesystem::exists(manifest()));
}

// Prewarm without a session host: a host with nothing to warm up exits 3 at once, bad options 2,
// and a listener that is not there 13 at the deadline.
class ImagePrewarmCommand : public ImageSealCommand {
 protected:
  int prewarm(std::vector<std::string> extra, std::string& out) {
    std::vector<std::string> args{"image",           "prewarm",
                                  "--config",        config_file().string(),
                                  "--platform",      "lab",
                                  "--lab-state-dir", dir_.path().string(),
                                  "--status-file",   (dir_.path() / "status.json").string(),
                                  "--journal",       (dir_.path() / "journal.json").string(),
                                  "--no-progress"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(args, out);
  }
};

TEST_F(ImagePrewarmCommand, NothingToWarmUpExitsThreeAndLeavesTheGateAlone) {
  write_state([](auto& s) {
    s.rdsh_role = false;
    s.drain_mode = 1;
  });
  std::string out;
  EXPECT_EQ(prewarm({"--deadline", "5s"}, out), 3) << out;
  EXPECT_NE(out.find("rdwarm image prewarm: "), std::string::npos) << out;
  auto state = host::lab::read_lab_state_file(dir_.path() / host::lab::kLabStateFileName);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->drain_mode, 1u);
}

TEST_F(ImagePrewarmCommand, NoListenerExitsThirteenWithTheGateNeverClosed) {
  write_state(nullptr);
  // The config asks for the drain gate and a health port; prewarm uses neither.
  std::ofstream(config_file()) << "[gate]\nkind = \"drain\"\n";
  const ClosedPort closed;
  std::string out;
  EXPECT_EQ(
      prewarm({"--deadline", "2s", "--target", "127.0.0.1:" + std::to_string(closed.port())}, out),
      13)
      << out;
  std::ifstream in(dir_.path() / "status.json");
  const auto status = json::parse(in, nullptr, false);
  ASSERT_TRUE(status.is_object());
  EXPECT_EQ(status["gate"]["kind"], "none") << status.dump(2);
  auto state = host::lab::read_lab_state_file(dir_.path() / host::lab::kLabStateFileName);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->drain_mode, 0u) << "prewarm closed the gate";
}

TEST_F(ImagePrewarmCommand, UsageErrorsExitTwo) {
  write_state(nullptr);
  std::string out;
  EXPECT_EQ(prewarm({"--deadline", "soon"}, out), 2);
  EXPECT_EQ(prewarm({"--platform", "bsd"}, out), 2);
  EXPECT_EQ(prewarm({"--serve"}, out), 2) << "prewarm has no health endpoint to keep serving";
}

}  // namespace
}  // namespace rdwarm::testing
