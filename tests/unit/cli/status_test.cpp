// `rdwarm status` on the lab platform: the table, the JSON and the exit codes for a host before
// and after it has its certificate, and for hosts rdwarm does not apply to.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "licensing/crypto/registry_chain.hpp"
#include "licensing/host/lab/lab_state_file.hpp"
#include "licensing/wire/utc_time.hpp"
#include "tests/support/run_cli.hpp"
#include "tests/support/test_chain.hpp"
#include "warmup/cli/exit_codes.hpp"

namespace rdwarm::cli {
namespace {

namespace fs = std::filesystem;
using testing::run_cli;

class StatusCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rdwarm-status-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    host::lab::LabHostState s;
    s.policy_licensing_mode = 4;
    s.policy_license_servers = "LAB-LS";
    s.grace_period_end = std::chrono::system_clock::now() - std::chrono::hours(24);
    s.drain_mode = 2;
    write(s);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const host::lab::LabHostState& s) {
    ASSERT_TRUE(host::lab::write_lab_state_file(dir_ / host::lab::kLabStateFileName, s).ok());
  }
  int status(std::string& out, bool json = false) {
    std::vector<std::string> args{"status", "--platform", "lab", "--lab-state-dir", dir_.string()};
    if (json) args.emplace_back("--json");
    return run_cli(args, out);
  }

  fs::path dir_;
};

TEST_F(StatusCommand, FirstBootHostIsNotReadyAndTheTableSaysWhy) {
  std::string out;
  EXPECT_EQ(status(out), kExitNoCertificate);
  EXPECT_NE(out.find("Readiness        NOT READY"), std::string::npos) << out;
  EXPECT_NE(out.find("Licensing mode   per-user (policy)"), std::string::npos) << out;
  EXPECT_NE(out.find("License servers  LAB-LS (policy)"), std::string::npos) << out;
  EXPECT_NE(out.find("Grace period     ended "), std::string::npos) << out;
  EXPECT_NE(out.find("Certificate      none yet"), std::string::npos) << out;
  EXPECT_NE(out.find("Admission        draining (TSServerDrainMode=2"), std::string::npos) << out;
  EXPECT_NE(out.find("no license-server certificate yet"), std::string::npos) << out;
  for (std::size_t start = 0, end = 0; end != std::string::npos; start = end + 1) {
    end = out.find('\n', start);
    const auto line = out.substr(start, end == std::string::npos ? end : end - start);
    if (line.starts_with("  ") && !line.starts_with("  - ")) {
      EXPECT_LE(line.size(), 160u) << line;
    }
  }
}

TEST_F(StatusCommand, HostWithChainIsReadyAndJsonNamesTheLicenseServer) {
  auto s = *host::lab::read_lab_state_file(dir_ / host::lab::kLabStateFileName);
  s.x509_certificate2 =
      crypto::encode_registry_certificate_chain(test::make_chain("LAB-LS", "LAB-SH01", 30));
  s.drain_mode = 0;
  write(s);
  std::string out;
  EXPECT_EQ(status(out, true), kExitReady);
  const auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["schema"], "rdwarm.status/1");
  EXPECT_EQ(j["readiness"]["ready"], true);
  EXPECT_EQ(j["host"]["platform"], "lab");
  EXPECT_EQ(j["host"]["licensing_mode"]["name"], "per-user");
  EXPECT_EQ(j["host"]["certificate"]["chain"].size(), 2u);
  EXPECT_EQ(j["host"]["certificate"]["chain"][0]["subject"], "CN=LAB-LS");
  EXPECT_EQ(j["host"]["admission"]["value"]["state"], "open");
  EXPECT_EQ(j["host"]["grace"]["value"]["days_left"], 0);
}

TEST_F(StatusCommand, PerDeviceHostIsNotApplicable) {
  auto s = *host::lab::read_lab_state_file(dir_ / host::lab::kLabStateFileName);
  s.policy_licensing_mode = 2;
  write(s);
  std::string out;
  EXPECT_EQ(status(out), kExitNotApplicable);
  EXPECT_NE(out.find("NOT APPLICABLE"), std::string::npos);
}

TEST_F(StatusCommand, MissingStateFileIsAnErrorThatSaysToStartTheLab) {
  fs::remove(dir_ / host::lab::kLabStateFileName);
  std::string out;
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(status(out), kExitInternal);
  const auto err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("rdwarm-lab"), std::string::npos) << err;
}

TEST_F(StatusCommand, UnknownPlatformIsAUsageError) {
  std::string out;
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run_cli({"status", "--platform", "mac"}, out), kExitUsage);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("accepted: windows, lab"),
            std::string::npos);
}

}  // namespace
}  // namespace rdwarm::cli
