// The command line of install and uninstall, in-process: the task XML can be printed anywhere; the
// registration itself is Windows-only and says so.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/ports.hpp"
#include "tests/support/run_cli.hpp"

namespace rdwarm::testing {
namespace {

TEST(ImageInstallCli, PrintsTheTaskXmlForTheGivenConfig) {
  const ScopedTempDir dir("rdwarm-install-cli");
  const auto cfg = dir.path() / "rdwarm.toml";
  std::ofstream(cfg) << "[warmup]\ndeadline = \"30m\"\n";
  std::string out;
  EXPECT_EQ(run_cli({"image", "install", "--print-task-xml", "--config", cfg.string()}, out), 0);
  EXPECT_NE(out.find("<BootTrigger>"), std::string::npos) << out;
  EXPECT_NE(out.find("<ExecutionTimeLimit>PT36M</ExecutionTimeLimit>"), std::string::npos) << out;

  std::ofstream(cfg) << "[warmup]\ndeadline = \"soon\"\n";
  EXPECT_EQ(run_cli({"image", "install", "--print-task-xml", "--config", cfg.string()}, out), 2);
}

#ifndef _WIN32
TEST(ImageInstallCli, RegistrationIsWindowsOnly) {
  std::string out;
  EXPECT_EQ(run_cli({"image", "install", "--as-service"}, out), 2);
  EXPECT_NE(out.find("exists only in rdwarm.exe on Windows"), std::string::npos) << out;
  EXPECT_EQ(run_cli({"image", "uninstall", "--json"}, out), 2);
  EXPECT_NE(out.find("\"schema\": \"rdwarm.image-install/1\""), std::string::npos) << out;
  EXPECT_EQ(run_cli({"service"}, out), 2);
}
#endif

}  // namespace
}  // namespace rdwarm::testing
