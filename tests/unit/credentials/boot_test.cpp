// The boot warm-up with [nla] set (warmup/service/boot_run.cpp): the account reaches the probe and
// the log names it and where its password came from, never the password; an account whose
// password cannot be used stops the run before the gate, the status file or the health port are
// touched (exit code 2).
#ifndef _WIN32

#include <gtest/gtest.h>

#include <fstream>
#include <mutex>
#include <stop_token>
#include <string>

#include "licensing/host/lab/lab_state_file.hpp"
#include "tests/support/ports.hpp"
#include "tests/unit/credentials/credentials_test_support.hpp"
#include "warmup/agent/exit_codes.hpp"
#include "warmup/service/boot_run.hpp"

namespace rdwarm::credentials {
namespace {

using namespace std::chrono_literals;
using test::kPassword;
using test::write_with_mode;

class BootWithNla : public ::testing::Test {
 protected:
  void SetUp() override {
    host::lab::LabHostState s;
    s.local_licensing_mode = 4;
    s.local_license_servers = {"ls.example.test"};
    ASSERT_TRUE(
        host::lab::write_lab_state_file(dir_.path() / host::lab::kLabStateFileName, s).ok());
    auto& c = options_.config;
    c = config::default_config();
    c.platform.kind = config::PlatformKind::Lab;
    c.platform.lab_state_dir = dir_.path();
    c.target.port = 1;  // nothing listens: every attempt is refused at once
    c.probe.connect_timeout = 500ms;
    c.probe.phase_timeout = 500ms;
    c.probe.attempt_timeout = 1s;
    c.warmup.deadline = 1s;
    c.retry.initial_delay = 100ms;
    c.retry.max_delay = 200ms;
    c.gate.kind = config::GateKind::None;
    c.gate.journal = dir_.path() / "journal.json";
    c.status.file = dir_.path() / "status.json";
    c.health.enabled = false;
    c.nla = test::file_settings(password_file_);
    options_.log = [this](agent::LogLevel, const std::string& line) {
      const std::lock_guard lock(mutex_);
      log_ += line + "\n";
    };
    options_.on_setup_error = [this](const std::string& message) {
      const std::lock_guard lock(mutex_);
      setup_error_ += message;
    };
  }

  static std::string read_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  rdwarm::testing::ScopedTempDir dir_{"rdwarm-cred-boot"};
  std::filesystem::path password_file_ = dir_.path() / "nla-password";
  service::BootRunOptions options_;
  std::mutex mutex_;
  std::string log_;
  std::string setup_error_;
};

TEST_F(BootWithNla, TheLogNamesTheAccountAndItsSourceNeverThePassword) {
  write_with_mode(password_file_, std::string(kPassword) + "\n", 0600);
  const int rc = service::run_boot_warmup(options_, std::stop_token());
  EXPECT_EQ(rc, agent::kExitNotListening) << log_ << setup_error_;
  EXPECT_NE(log_.find("NLA credentials: CORP\\rdwarm-probe, password from file " +
                      password_file_.string() + "\n"),
            std::string::npos)
      << log_;
  EXPECT_NO_PASSWORD(log_);
  EXPECT_NO_PASSWORD(read_file(options_.config.status.file));
  EXPECT_NO_PASSWORD(read_file(options_.config.gate.journal));
}

TEST_F(BootWithNla, AFileOthersCanReadStopsTheRunBeforeTheGate) {
  write_with_mode(password_file_, std::string(kPassword) + "\n", 0644);
  options_.config.gate.kind = config::GateKind::Drain;
  const int rc = service::run_boot_warmup(options_, std::stop_token());
  EXPECT_EQ(rc, agent::kExitUsage);
  EXPECT_EQ(setup_error_, "nla.password_file: " + password_file_.string() +
                              " is readable by its group and readable by every other account "
                              "(mode 0644), so other accounts on this machine could read or "
                              "change the NLA password; rdwarm refuses to use it. Run: chmod 600 " +
                              password_file_.string());
  EXPECT_FALSE(std::filesystem::exists(options_.config.gate.journal)) << "the gate was touched";
  EXPECT_FALSE(std::filesystem::exists(options_.config.status.file));
  const auto state = host::lab::read_lab_state_file(dir_.path() / host::lab::kLabStateFileName);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->drain_mode, 0U) << "drain mode was set";
  EXPECT_NO_PASSWORD(log_);
  EXPECT_NO_PASSWORD(setup_error_);
}

TEST_F(BootWithNla, NoAccountMeansNoCredentialsAndSaysSo) {
  options_.config.nla = config::default_config().nla;
  options_.config.logging.level = config::LogLevel::Debug;
  options_.log = nullptr;  // the logger from [logging]: debug level, to a file
  options_.config.logging.file = dir_.path() / "rdwarm.log";
  const int rc = service::run_boot_warmup(options_, std::stop_token());
  EXPECT_EQ(rc, agent::kExitNotListening);
  EXPECT_NE(read_file(options_.config.logging.file)
                .find("NLA credentials: none ([nla] user is empty); a session host that requires "
                      "NLA gives the final verdict \"NLA required\" (exit code 12)"),
            std::string::npos)
      << read_file(options_.config.logging.file);
}

}  // namespace
}  // namespace rdwarm::credentials

#endif  // _WIN32
