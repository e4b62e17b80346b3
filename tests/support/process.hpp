// A child process for tests: its own process group, output in a log file, always cleaned up.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rdwarm::testing {

// Start children from the thread that runs the tests (gtest's main thread): PR_SET_PDEATHSIG
// kills a child when the thread that forked it ends.

// Added to (or overriding) the test process's own environment.
using EnvVars = std::map<std::string, std::string>;

class ChildProcess {
 public:
  static constexpr std::chrono::milliseconds kDefaultGrace{2000};

  // Starts argv[0] (searched in PATH) with stdin from /dev/null and stdout+stderr appended to
  // log_file. Throws std::runtime_error naming the program if it cannot be started.
  ChildProcess(std::vector<std::string> argv, std::filesystem::path log_file,
               const EnvVars& extra_env = {});
  ~ChildProcess();

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::filesystem::path& log_path() const { return log_file_; }
  const std::vector<std::string>& argv() const { return argv_; }

  bool running();
  // Exit code, or 128 + signal number; nullopt while running.
  std::optional<int> exit_status();
  // Waits up to `timeout` for the process to exit on its own; nullopt if it did not.
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);
  // SIGTERM to the whole group, SIGKILL after `grace`; reaps the leader. Idempotent.
  void terminate(std::chrono::milliseconds grace = kDefaultGrace);

  // The log file's contents (the last 64 KiB), prefixed with the command line.
  std::string log() const;

 private:
  void poll_exit();

  std::vector<std::string> argv_;
  std::filesystem::path log_file_;
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  bool reaped_ = false;
};

// argv[0] as the child would run it: PATH, then /usr/sbin and /sbin; nullopt if absent.
std::optional<std::filesystem::path> find_program(const std::string& name);

// The contents of a file, or its last `max_bytes`, for failure messages.
std::string read_file_tail(const std::filesystem::path& file, std::size_t max_bytes = 64 * 1024);

}  // namespace rdwarm::testing
