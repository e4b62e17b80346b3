// The real `rdwarm image prewarm` and `rdwarm image seal` binaries against rdwarm-lab: prewarm's
// exit codes that need a session host (0, 10, 12; 3, 2 and 13 are in
// tests/unit/imagebuild/seal_command_test.cpp) with the gate never touched and no health endpoint,
// and a sealed image's facts in the boot agent's /status and status file on the next boot.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "licensing/wire/utc_time.hpp"
#include "tests/integration/agent_harness.hpp"

namespace rdwarm::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t kStarted = 1000;
constexpr std::uint32_t kGateClosed = 1002;
constexpr std::uint32_t kReady = 1004;

bool has(const std::vector<std::uint32_t>& ids, std::uint32_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

struct Prewarm {
  std::optional<int> exit_code;
  std::uint32_t max_drain_mode = 0;
  std::string log;
};

// `rdwarm image prewarm` against `lab`, watching the lab's drain mode while it runs. The
// configuration asks for the drain gate and a health endpoint, which prewarm must ignore.
Prewarm run_prewarm(const LabProcess& lab, const AgentFiles& files, const std::string& deadline) {
  std::ofstream(files.config_file()) << "[gate]\nkind = \"drain\"\n[health]\nenabled = true\n";
  const auto log = files.dir() / "prewarm.log";
  ChildProcess process(
      {RDWARM_BINARY, "image", "prewarm", "--config", files.config_file().string(), "--platform",
       "lab", "--lab-state-dir", lab.state_dir().string(), "--target",
       "127.0.0.1:" + std::to_string(lab.port()), "--deadline", deadline, "--status-file",
       files.status_file().string(), "--journal", files.journal_file().string(), "--no-progress"},
      log);
  Prewarm run;
  const auto end = AgentClock::now() + 40s;
  while (AgentClock::now() < end) {
    run.max_drain_mode = std::max(run.max_drain_mode, drain_mode(lab).value_or(0));
    run.exit_code = process.wait_for_exit(20ms);
    if (run.exit_code) break;
  }
  run.log = process.log();
  return run;
}

TEST(ImagePrewarm, FirstBootWarmsUpWithTheGateLeftOpen) {
  LabProcess lab("first-boot");
  AgentFiles files;
  const auto run = run_prewarm(lab, files, "30s");
  ASSERT_TRUE(run.exit_code.has_value()) << run.log;
  EXPECT_EQ(*run.exit_code, 0) << run.log << lab.log();
  EXPECT_NE(run.log.find("rdwarm image prewarm: "), std::string::npos) << run.log;
  EXPECT_NE(run.log.find("(exit 0)"), std::string::npos) << run.log;
  EXPECT_EQ(run.log.find("health endpoint"), std::string::npos) << run.log;
  EXPECT_EQ(run.max_drain_mode, 0u) << "prewarm closed the gate";
  const auto ids = event_ids(lab);
  EXPECT_TRUE(has(ids, kStarted) && has(ids, kReady)) << ::testing::PrintToString(ids);
  // Gate `none` holds nobody back, so nothing may speak of closing it.
  std::ifstream events(lab.state_dir() / host::lab::kLabEventLogName);
  const std::string event_text{std::istreambuf_iterator<char>(events), {}};
  EXPECT_FALSE(has(ids, kGateClosed)) << ::testing::PrintToString(ids);
  EXPECT_EQ(event_text.find("closed the"), std::string::npos) << event_text;
  EXPECT_EQ(event_text.find("drain gate"), std::string::npos) << event_text;
  EXPECT_NE(run.log.find("gate none: reporting only"), std::string::npos) << run.log;
  EXPECT_EQ(field<std::string>(files.status(), {"gate", "kind"}, ""), "none");
  EXPECT_GE(field(files.status(), {"attempts", "total"}, 0), 2) << files.status().dump(2);
}

TEST(ImagePrewarm, LicenseServerDownExitsTen) {
  LabProcess lab("ls-down");
  AgentFiles files;
  const auto run = run_prewarm(lab, files, "3s");
  ASSERT_TRUE(run.exit_code.has_value()) << run.log;
  EXPECT_EQ(*run.exit_code, 10) << run.log;
  EXPECT_EQ(run.max_drain_mode, 0u);
}

TEST(ImagePrewarm, NlaRequiredExitsTwelve) {
  LabProcess lab("nla-required");
  AgentFiles files;
  const auto run = run_prewarm(lab, files, "60s");
  ASSERT_TRUE(run.exit_code.has_value()) << run.log;
  EXPECT_EQ(*run.exit_code, 12) << run.log;
}

// `rdwarm image seal` on the lab's host; the manifest it wrote (empty object when none).
nlohmann::json seal_lab(const LabProcess& lab, const AgentFiles& files, int expected_exit) {
  ChildProcess seal(
      {RDWARM_BINARY, "image", "seal", "--config", files.config_file().string(), "--platform",
       "lab", "--lab-state-dir", lab.state_dir().string(), "--skip", "ls-reachable"},
      files.dir() / "seal.log");
  const auto sealed = seal.wait_for_exit(20s);
  EXPECT_TRUE(sealed.has_value()) << seal.log();
  EXPECT_EQ(sealed.value_or(-1), expected_exit) << seal.log();
  return read_json(lab.state_dir() / "seal-manifest.json");
}

TEST(ImageSeal, GraceOverWithoutCertificateRefusesAndWarmHostSealsWithItsCertificate) {
  LabProcess first_boot("first-boot");
  AgentFiles files;
  EXPECT_EQ(seal_lab(first_boot, files, 14), nlohmann::json::object());

  LabProcess warm("warm");
  const auto manifest = seal_lab(warm, files, 0);
  EXPECT_EQ(field<std::string>(manifest, {"certificate", "state"}, ""), "usable")
      << manifest.dump(2);
  EXPECT_FALSE(field<std::string>(manifest, {"certificate", "issuer"}, "").empty());
}

// Seal the lab's "image" (grace ends in 90 days, past the planned 30), then boot it: the agent
// reads the manifest and shows its facts in /status and the status file.
TEST(ImageSeal, TheNextBootShowsTheSealedImagesFacts) {
  LabProcess lab("first-boot");
  AgentFiles files;
  const auto grace_end = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now() +
                                                                  std::chrono::days(90));
  ASSERT_TRUE(host::lab::update_lab_state_file(lab.state_file(), [&](host::lab::LabHostState& s) {
                s.grace_period_end = grace_end;
              }).ok());
  const auto manifest = seal_lab(lab, files, 0);
  ASSERT_EQ(field<std::string>(manifest, {"schema"}, ""), "rdwarm.seal-manifest/1")
      << manifest.dump(2);
  EXPECT_EQ(field<std::string>(manifest, {"grace", "end"}, ""), format_utc(grace_end));

  AgentProcess agent(lab, files, "30s", {"--serve"});
  const auto port = agent.health_port(10s);
  ASSERT_TRUE(port.has_value()) << agent.log();
  const auto reply = http_get(*port, "/status");
  ASSERT_TRUE(reply.has_value());
  const auto status = nlohmann::json::parse(reply->body, nullptr, false);
  EXPECT_EQ(field<std::string>(status, {"image_manifest", "sealed_at"}, ""),
            field<std::string>(manifest, {"sealed_at"}, "?"))
      << reply->body;
  EXPECT_EQ(field(status, {"image_manifest", "age_days"}, -1), 0) << reply->body;
  EXPECT_EQ(field<std::string>(status, {"image_manifest", "grace_end"}, ""), format_utc(grace_end))
      << reply->body;
  EXPECT_TRUE(poll_until(
      [&] {
        return field<std::string>(files.status(), {"image_manifest", "rdwarm_version"}, "") ==
               field<std::string>(manifest, {"rdwarm_version"}, "?");
      },
      5s))
      << files.status().dump(2);
  EXPECT_TRUE(agent.terminate().has_value());
}

}  // namespace
}  // namespace rdwarm::testing
