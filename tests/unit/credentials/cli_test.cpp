// `rdwarm credentials set`, `show` and `clear`, and `rdwarm probe --user`, through the real command
// line in-process (tests/support/run_cli.hpp), with standard input from a pipe or a pseudo
// terminal. Every output and error is searched for the test password.
#ifndef _WIN32

#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/ports.hpp"
#include "tests/support/run_cli.hpp"
#include "tests/unit/config/config_test_support.hpp"
#include "tests/unit/credentials/credentials_test_support.hpp"

namespace rdwarm::credentials {
namespace {

using test::kPassword;
using test::mode_of;
using test::StdinFrom;
using test::write_text;
using test::write_with_mode;

struct CliRun {
  int rc = -1;
  std::string out;
  std::string err;
};

// The command with standard input reading `input` (an empty pipe when nullopt).
CliRun cli(const std::vector<std::string>& args, std::optional<std::string> input = std::nullopt) {
  const StdinFrom in(input.value_or(""));
  CliRun r;
  ::testing::internal::CaptureStderr();
  r.rc = rdwarm::testing::run_cli(args, r.out);
  r.err = ::testing::internal::GetCapturedStderr();
  EXPECT_NO_PASSWORD(r.out);
  EXPECT_NO_PASSWORD(r.err);
  return r;
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class CredentialsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    write_text(config_, "");  // the defaults; --config keeps /etc/rdwarm out of the test
  }
  rdwarm::testing::ScopedTempDir dir_{"rdwarm-cred-cli"};
  std::filesystem::path config_ = dir_.path() / "rdwarm.toml";
  std::filesystem::path password_file_ = dir_.path() / "etc" / "nla-password";
};

TEST_F(CredentialsCli, SetThenShowThenClear) {
  // set: the file appears with mode 0600 holding the password, and the [nla] lines are printed.
  auto r =
      cli({"credentials", "set", "--user", "rdwarm-probe", "--domain", "CORP", "--password-stdin",
           "--password-file", password_file_.string(), "--config", config_.string()},
          std::string(kPassword) + "\n");
  ASSERT_EQ(r.rc, 0) << r.out << r.err;
  EXPECT_EQ(mode_of(password_file_), 0600U);
  EXPECT_EQ(read_file(password_file_), std::string(kPassword) + "\n");
  EXPECT_NE(
      r.out.find("Stored the NLA password of CORP\\rdwarm-probe in " + password_file_.string() +
                 " (mode 0600: readable and writable by its owner only)."),
      std::string::npos)
      << r.out;
  const std::string lines =
      "[nla]\nuser = \"rdwarm-probe\"\ndomain = \"CORP\"\n"
      "password_source = \"file\"\npassword_file = \"" +
      password_file_.string() + "\"\npassword_env = \"RDWARM_NLA_PASSWORD\"\ntokens = \"spnego\"\n";
  ASSERT_TRUE(r.out.ends_with(lines)) << r.out;

  // The printed lines are the configuration the agent then reads.
  write_text(config_, r.out.substr(r.out.find("[nla]\nuser")));
  r = cli({"credentials", "show", "--config", config_.string()});
  ASSERT_EQ(r.rc, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "NLA credentials (configuration: " + config_.string() +
                       ")\n"
                       "  account          CORP\\rdwarm-probe\n"
                       "  password from    file " +
                       password_file_.string() +
                       "\n"
                       "  password         present (<redacted>)\n");
  r = cli({"credentials", "show", "--config", config_.string(), "--json"});
  ASSERT_EQ(r.rc, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], "rdwarm.credentials/1");
  EXPECT_EQ(j["user"], "rdwarm-probe");
  EXPECT_EQ(j["domain"], "CORP");
  EXPECT_EQ(j["password_source"], "file");
  EXPECT_EQ(j["location"], "file " + password_file_.string());
  EXPECT_EQ(j["password"], "<redacted>");
  EXPECT_TRUE(j["problem"].is_null());

  // Someone loosens the mode: show says so, with the command that fixes it.
  ASSERT_EQ(::chmod(password_file_.c_str(), 0644), 0);
  r = cli({"credentials", "show", "--config", config_.string()});
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.out.find("password         not usable\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Run: chmod 600 " + password_file_.string()), std::string::npos) << r.out;
  ASSERT_EQ(::chmod(password_file_.c_str(), 0600), 0);

  // clear: the file is gone, and show then says how to write it again.
  r = cli({"credentials", "clear", "--config", config_.string()});
  ASSERT_EQ(r.rc, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Removed the stored NLA password: " + password_file_.string() + ".\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("[nla] user is still CORP\\rdwarm-probe"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(password_file_));
  r = cli({"credentials", "show", "--config", config_.string()});
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.out.find("does not exist, so there is no password for CORP\\rdwarm-probe"),
            std::string::npos)
      << r.out;
  r = cli({"credentials", "clear", "--config", config_.string()});
  EXPECT_EQ(r.rc, 0);
  EXPECT_NE(r.out.find("No stored NLA password to remove"), std::string::npos) << r.out;
}

TEST_F(CredentialsCli, ShowWithoutAnAccountSaysWhatThatMeans) {
  const auto r = cli({"credentials", "show", "--config", config_.string()});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("account          none ([nla] user is empty): a session host that "
                       "requires NLA gives the verdict \"NLA required\" (exit code 12)"),
            std::string::npos)
      << r.out;
}

TEST_F(CredentialsCli, SetRefusesStandardInputThatIsNotATerminalWithoutTheFlag) {
  const auto r = cli({"credentials", "set", "--user", "probe", "--password-file",
                      password_file_.string(), "--config", config_.string()},
                     std::string(kPassword) + "\n");
  EXPECT_EQ(r.rc, 2);
  EXPECT_EQ(r.err,
            "rdwarm credentials set: --password-stdin: standard input is not a terminal, so the "
            "password cannot be typed; pipe it in with --password-stdin, e.g. from your secret "
            "store. There is no --password option: a password on the command line shows in "
            "process lists and shell history.\n");
  EXPECT_FALSE(std::filesystem::exists(password_file_));
}

TEST_F(CredentialsCli, SetRefusesAnEmptyPasswordAndABadAccount) {
  auto r = cli({"credentials", "set", "--user", "probe", "--password-stdin", "--password-file",
                password_file_.string(), "--config", config_.string()},
               "\n");
  EXPECT_EQ(r.rc, 2);
  EXPECT_EQ(r.err,
            "rdwarm credentials set: --password-stdin: standard input holds no password (it is "
            "empty, or only a newline)\n");
  r = cli({"credentials", "set", "--user", "CORP\\probe", "--password-stdin", "--password-file",
           password_file_.string(), "--config", config_.string()},
          std::string(kPassword));
  EXPECT_EQ(r.rc, 2);
  EXPECT_EQ(r.err.rfind("rdwarm credentials set: --user: \"CORP\\probe\" is not accepted; write "
                        "the domain in nla.domain",
                        0),
            0U)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(password_file_));
  // There is no --password, and the refusal does not repeat what followed it.
  for (const std::string& arg :
       {std::string("--password"), std::string("--password=") + std::string(kPassword)}) {
    std::vector<std::string> args{"credentials", "set", "--user", "probe", arg};
    if (arg == "--password") args.emplace_back(kPassword);
    r = cli(args);
    EXPECT_EQ(r.rc, 2);
    EXPECT_EQ(r.err,
              "rdwarm credentials set: --password: there is no such option: a password on the "
              "command line shows in process lists and shell history. See rdwarm credentials set "
              "--help.\n");
  }
}

// The password typed at a terminal: echo is off while it is typed, so the terminal never shows it.
TEST_F(CredentialsCli, SetReadsATypedPasswordWithoutEcho) {
  int master = -1;
  int slave = -1;
  ASSERT_EQ(::openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
  std::string screen;  // everything the terminal displayed
  const auto read_until = [&](std::string_view text) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (screen.find(text) == std::string::npos && std::chrono::steady_clock::now() < until) {
      pollfd p{master, POLLIN, 0};
      if (::poll(&p, 1, 50) > 0) {
        char buffer[256];
        const auto n = ::read(master, buffer, sizeof buffer);
        if (n > 0) screen.append(buffer, static_cast<std::size_t>(n));
      }
    }
    return screen.find(text) != std::string::npos;
  };
  const auto echo_off = [&] {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    termios t{};
    while (std::chrono::steady_clock::now() < until) {
      if (::tcgetattr(master, &t) == 0 && (t.c_lflag & ECHO) == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  };
  const std::string line = std::string(kPassword) + "\n";
  bool typed = false;
  std::thread typist([&] {
    // Type each line only once the prompt is shown and echo is off, as a person would.
    if (!read_until("NLA password for probe: ") || !echo_off()) return;
    (void)::write(master, line.data(), line.size());
    if (!read_until("Again, to check: ") || !echo_off()) return;
    (void)::write(master, line.data(), line.size());
    typed = true;
  });
  CliRun r;
  {
    const test::FdSwap in(0, slave);
    const test::FdSwap err(2, slave);
    r.rc = rdwarm::testing::run_cli({"credentials", "set", "--user", "probe", "--password-file",
                                     password_file_.string(), "--config", config_.string()},
                                    r.out);
  }
  typist.join();
  for (pollfd p{master, POLLIN, 0}; ::poll(&p, 1, 100) > 0;) {  // what is left on the screen
    char buffer[256];
    const auto n = ::read(master, buffer, sizeof buffer);
    if (n <= 0) break;
    screen.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(slave);
  ::close(master);
  ASSERT_TRUE(typed) << screen;
  EXPECT_EQ(r.rc, 0) << r.out << screen;
  EXPECT_EQ(read_file(password_file_), line);
  EXPECT_NE(screen.find("NLA password for probe: "), std::string::npos) << screen;
  EXPECT_NO_PASSWORD(screen);
  EXPECT_NO_PASSWORD(r.out);
}

class ProbeCli : public CredentialsCli {};

TEST_F(ProbeCli, TheFlagsFeedTheProbeAndNothingShowsThePassword) {
  const auto pw = (dir_.path() / "pw").string();
  write_with_mode(pw, std::string(kPassword), 0600);
  // Nothing listens on port 1: the verdict is "not listening", reached with credentials loaded.
  auto r = cli({"probe", "127.0.0.1:1", "--user", "probe", "--domain", ".", "--password-file", pw,
                "--json", "--timeout", "2s"});
  EXPECT_EQ(r.rc, 13) << r.out << r.err;
  r = cli({"probe", "127.0.0.1:1", "--user", "probe", "--password-file", pw, "--timeout", "2s"});
  EXPECT_EQ(r.rc, 13) << r.out << r.err;
  const config::test::ScopedEnv env("RDWARM_TEST_PROBE_PW", std::string(kPassword));
  r = cli({"probe", "127.0.0.1:1", "--user", "probe", "--password-env", "RDWARM_TEST_PROBE_PW",
           "--timeout", "2s"});
  EXPECT_EQ(r.rc, 13) << r.out << r.err;
}

TEST_F(ProbeCli, UnusableCredentialsAreUsageErrors) {
  const auto pw = (dir_.path() / "pw").string();
  write_with_mode(pw, std::string(kPassword), 0644);
  auto r = cli({"probe", "127.0.0.1:1", "--user", "probe", "--password-file", pw});
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("Run: chmod 600 " + pw), std::string::npos) << r.err;
  r = cli({"probe", "127.0.0.1:1", "--password-file", pw});
  EXPECT_EQ(r.rc, 2);
  EXPECT_EQ(r.err, "rdwarm: --password-file: needs --user, the account whose password this is\n");
  r = cli(
      {"probe", "127.0.0.1:1", "--user", "probe", "--password-file", pw, "--password-env", "X"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_EQ(r.err,
            "rdwarm: --password-file: and --password-env both name a password; give one of them\n");
  r = cli({"probe", "127.0.0.1:1", "--user", "probe", "--password-env", "RDWARM_TEST_UNSET_9"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("the environment variable RDWARM_TEST_UNSET_9 is not set"),
            std::string::npos)
      << r.err;
  r = cli({"probe", "127.0.0.1:1", "--user", "CORP\\probe", "--password-file", pw});
  EXPECT_EQ(r.rc, 2);
  EXPECT_EQ(r.err.rfind("rdwarm: --user: \"CORP\\probe\" is not accepted", 0), 0U) << r.err;
  r = cli({"probe", "127.0.0.1:1", "--user", "probe", "--password", std::string(kPassword)});
  EXPECT_EQ(r.rc, 2) << "there is no --password";
  EXPECT_EQ(r.err,
            "rdwarm: --password: there is no such option: a password on the command line shows in "
            "process lists and shell history. See rdwarm probe --help.\n");
}

TEST_F(ProbeCli, HelpSaysWhyThereIsNoPasswordFlag) {
  auto r = cli({"probe", "--help"});
  EXPECT_EQ(r.rc, 0);
  EXPECT_NE(r.out.find("There is no --password: process lists show arguments"), std::string::npos)
      << r.out;
  r = cli({"credentials", "set", "--help"});
  EXPECT_EQ(r.rc, 0);
  EXPECT_NE(r.out.find("There is no --password option"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace rdwarm::credentials

#endif  // _WIN32
