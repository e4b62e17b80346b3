// The boot warm-up with a stop token (warmup/service/boot_run.hpp), which the Windows service
// runs: against the lab platform (a host state file the test writes, per-user licensing, no
// certificate) and a target nothing listens on. A stop ends the warm-up and the serving promptly;
// with serve the health endpoint answers after the warm-up until the stop.
#include "warmup/service/boot_run.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <mutex>
#include <regex>
#include <string>

#include "licensing/host/lab/lab_state_file.hpp"
#include "tests/support/ports.hpp"
#include "warmup/agent/exit_codes.hpp"

namespace rdwarm::service {
namespace {

using namespace std::chrono_literals;

class BootRun : public ::testing::Test {
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
    c.target.host = "127.0.0.1";
    c.target.port = 1;  // nothing listens: every attempt is refused at once
    c.retry.initial_delay = 100ms;
    c.retry.max_delay = 200ms;
    c.gate.kind = config::GateKind::Drain;
    c.gate.journal = dir_.path() / "journal.json";
    c.status.file = dir_.path() / "status.json";
    c.health.listen_port = 0;  // a free port, named in the log
    options_.log = [this](agent::LogLevel, const std::string& line) {
      const std::lock_guard lock(mutex_);
      log_ += line + "\n";
    };
    options_.on_warmup_end = [this](int code, const std::string&) {
      const std::lock_guard lock(mutex_);
      ++ends_;
      end_code_ = code;
    };
    options_.on_status = [this](const agent::AgentStatus& status) {
      const std::lock_guard lock(mutex_);
      attempts_ = status.attempts;
    };
  }

  unsigned attempts() {
    const std::lock_guard lock(mutex_);
    return attempts_;
  }
  int ends() {
    const std::lock_guard lock(mutex_);
    return ends_;
  }
  std::uint16_t health_port() {
    const std::lock_guard lock(mutex_);
    std::smatch m;
    static const std::regex kPort(R"(http://127\.0\.0\.1:([0-9]+)/readyz)");
    return std::regex_search(log_, m, kPort) ? static_cast<std::uint16_t>(std::stoi(m[1].str()))
                                             : 0;
  }
  template <class F>
  static bool eventually(F f, std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!f()) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(20ms);
    }
    return true;
  }
  static std::string http_get(std::uint16_t port, const std::string& path) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    boost::asio::write(socket, boost::asio::buffer("GET " + path +
                                                   " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                   "Connection: close\r\n\r\n"));
    std::string response;
    boost::system::error_code ec;
    boost::asio::read(socket, boost::asio::dynamic_buffer(response), ec);
    return response;
  }

  testing::ScopedTempDir dir_{"rdwarm-boot-run"};
  BootRunOptions options_;
  std::mutex mutex_;
  std::string log_;
  unsigned attempts_ = 0;
  int ends_ = 0;
  int end_code_ = -1;
};

TEST_F(BootRun, AStopEndsTheWarmupPromptly) {
  options_.serve = true;
  std::stop_source stop;
  auto run =
      std::async(std::launch::async, [&] { return run_boot_warmup(options_, stop.get_token()); });
  ASSERT_TRUE(eventually([&] { return attempts() >= 2; }, 10s)) << log_;
  EXPECT_EQ(run.wait_for(0ms), std::future_status::timeout) << "a 10 minute deadline";
  const auto asked = std::chrono::steady_clock::now();
  stop.request_stop();
  ASSERT_EQ(run.wait_for(5s), std::future_status::ready) << "still running 5 s after the stop";
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 3s);
  EXPECT_EQ(run.get(), agent::kExitNotListening);  // the last conclusive attempt
  EXPECT_EQ(ends(), 1);
  EXPECT_EQ(end_code_, agent::kExitNotListening);
  // The deadline policy (stay-closed) decided the gate, as for SIGTERM in `rdwarm boot`.
  auto lab = host::lab::read_lab_state_file(dir_.path() / host::lab::kLabStateFileName);
  ASSERT_TRUE(lab.ok());
  EXPECT_EQ(lab->drain_mode, 2U);
}

TEST_F(BootRun, ServeKeepsHealthAnsweringAfterTheWarmupUntilStopped) {
  options_.serve = true;
  options_.config.retry.max_attempts = 1;
  options_.config.warmup.on_deadline = config::OnDeadline::Open;
  std::stop_source stop;
  auto run =
      std::async(std::launch::async, [&] { return run_boot_warmup(options_, stop.get_token()); });
  ASSERT_TRUE(eventually([&] { return ends() == 1; }, 10s)) << log_;
  EXPECT_EQ(end_code_, agent::kExitNotListening);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(run.wait_for(0ms), std::future_status::timeout) << "serving ended with the warm-up";
  const auto port = health_port();
  ASSERT_NE(port, 0) << log_;
  const auto response = http_get(port, "/healthz");
  EXPECT_TRUE(response.starts_with("HTTP/1.1 200")) << response;
  stop.request_stop();
  ASSERT_EQ(run.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(run.get(), agent::kExitNotListening);
  auto lab = host::lab::read_lab_state_file(dir_.path() / host::lab::kLabStateFileName);
  ASSERT_TRUE(lab.ok());
  EXPECT_EQ(lab->drain_mode, 0U) << "on_deadline = open";
}

TEST_F(BootRun, WithoutServeItReturnsWhenTheWarmupEnds) {
  options_.config.retry.max_attempts = 1;
  const int code = run_boot_warmup(options_, std::stop_token());
  EXPECT_EQ(code, agent::kExitNotListening);
  EXPECT_EQ(ends(), 1);
}

TEST_F(BootRun, AStopBeforeTheStartStillEndsAtOnce) {
  options_.serve = true;
  std::stop_source stop;
  stop.request_stop();
  auto run =
      std::async(std::launch::async, [&] { return run_boot_warmup(options_, stop.get_token()); });
  ASSERT_EQ(run.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(ends(), 1);
}

TEST_F(BootRun, AWrongPlatformIsAConfigurationError) {
#ifdef _WIN32
  GTEST_SKIP() << "rdwarm.exe has the windows platform";
#endif
  options_.config.platform.kind = config::PlatformKind::Windows;
  EXPECT_EQ(run_boot_warmup(options_, std::stop_token()), agent::kExitUsage);
  EXPECT_NE(log_.find("exists only in rdwarm.exe on Windows"), std::string::npos) << log_;
}

}  // namespace
}  // namespace rdwarm::service
