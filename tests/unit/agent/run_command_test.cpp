// Operator commands and the command gate: exit codes, a time limit that really stops the command
// (and what it started), and errors that quote the command so an operator can find it.
#include "warmup/agent/run_command.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/ports.hpp"
#include "warmup/agent/gate.hpp"

namespace rdwarm::agent {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using rdwarm::testing::ScopedTempDir;

std::string slurp(const fs::path& file) {
  std::ifstream in(file);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Alive and not a zombie (an orphan's zombie may linger where PID 1 does not reap).
bool process_alive(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return false;
  const auto paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

TEST(RunShellCommand, ExitZero) {
  auto r = run_shell_command("true", 5s);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_FALSE(r->timed_out);
}

TEST(RunShellCommand, NonZeroExitIsReportedAsIs) {
  auto r = run_shell_command("exit 7", 5s);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->exit_code, 7);
  EXPECT_FALSE(r->timed_out);
}

TEST(RunShellCommand, AMissingProgramIsTheShells127) {
  auto r = run_shell_command("/nonexistent/rdwarm-close-gate", 5s);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->exit_code, 127);
}

TEST(RunShellCommand, RunsThroughTheShellWithArgumentsAndRedirection) {
  const ScopedTempDir dir("rdwarm-cmd");
  const auto out = dir.path() / "out.txt";
  auto r = run_shell_command("printf '%s|%s' \"drain on\" LAB-SH01 > '" + out.string() + "'", 5s);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(slurp(out), "drain on|LAB-SH01");
}

TEST(RunShellCommand, StandardInputIsEmpty) {
  // A command that reads its input must not hang on the agent's console.
  const ScopedTempDir dir("rdwarm-cmd");
  const auto out = dir.path() / "in.txt";
  const auto start = Clock::now();
  auto r = run_shell_command("cat > '" + out.string() + "'", 5s);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_LT(Clock::now() - start, 4s);
  EXPECT_EQ(slurp(out), "");
}

TEST(RunShellCommand, ATimeoutStopsTheCommandWithinTheLimit) {
  const auto start = Clock::now();
  auto r = run_shell_command("sleep 30", 300ms);
  const auto took = Clock::now() - start;
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->exit_code, 128 + SIGKILL);
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 300ms + 3s) << "the slack covers a loaded machine, not the 30 s sleep";
}

TEST(RunShellCommand, ATimeoutAlsoStopsWhatTheCommandStarted) {
  const ScopedTempDir dir("rdwarm-cmd");
  const auto pid_file = dir.path() / "child.pid";
  auto r = run_shell_command("sleep 30 & echo $! > '" + pid_file.string() + "'; wait", 500ms);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(r->timed_out);
  const auto text = slurp(pid_file);
  ASSERT_FALSE(text.empty()) << "the command did not get to start its child";
  const auto child = static_cast<pid_t>(std::stol(text));
  const auto until = Clock::now() + 3s;
  while (process_alive(child) && Clock::now() < until) std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(process_alive(child)) << "background child " << child << " survived the timeout";
}

TEST(CommandGate, ClosesAndOpensWithTheOperatorsCommands) {
  const ScopedTempDir dir("rdwarm-cmd");
  const auto state = dir.path() / "gate";
  const auto gate = make_command_gate("echo closed > '" + state.string() + "'",
                                      "echo open > '" + state.string() + "'", 5s);
  EXPECT_EQ(gate->kind(), "command");
  ASSERT_TRUE(gate->close().ok());
  EXPECT_EQ(slurp(state), "closed\n");
  ASSERT_TRUE(gate->open().ok());
  EXPECT_EQ(slurp(state), "open\n");
}

TEST(CommandGate, ANonZeroExitIsAnErrorQuotingTheCommand) {
  const auto gate = make_command_gate("true", "exit 3", 5s);
  ASSERT_TRUE(gate->close().ok());
  const auto opened = gate->open();
  ASSERT_FALSE(opened.ok());
  const auto msg = opened.error().message();
  EXPECT_NE(msg.find("'exit 3'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("exited with 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("open_command"), std::string::npos) << msg;
}

TEST(CommandGate, ACommandPastItsTimeLimitIsStoppedAndReported) {
  const auto gate = make_command_gate("sleep 30", "true", 300ms);
  const auto start = Clock::now();
  const auto closed = gate->close();
  EXPECT_LT(Clock::now() - start, 300ms + 3s);
  ASSERT_FALSE(closed.ok());
  const auto msg = closed.error().message();
  EXPECT_NE(msg.find("'sleep 30'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did not finish within 300 ms"), std::string::npos) << msg;
  EXPECT_NE(msg.find("close_command"), std::string::npos) << msg;
}

TEST(NoneGate, AlwaysSucceedsAndSaysWhatItIs) {
  const auto gate = make_none_gate();
  EXPECT_EQ(gate->kind(), "none");
  EXPECT_TRUE(gate->close().ok());
  EXPECT_TRUE(gate->open().ok());
}

}  // namespace
}  // namespace rdwarm::agent
