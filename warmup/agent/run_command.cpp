#include "warmup/agent/run_command.hpp"

#include <thread>

#ifdef _WIN32
#include <windows.h>
#else
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#endif

namespace rdwarm::agent {

#ifdef _WIN32

Result<CommandResult> run_shell_command(const std::string& command,
                                        std::chrono::milliseconds timeout) {
  std::string line = "cmd.exe /c " + command;
  STARTUPINFOA si{};
  si.cb = sizeof si;
  PROCESS_INFORMATION pi{};
  if (CreateProcessA(nullptr, line.data(), nullptr, nullptr, FALSE, CREATE_NO_WINDOW, nullptr,
                     nullptr, &si, &pi) == 0) {
    return make_error(
        "command", "",
        "cannot start '" + command + "' (Win32 error " + std::to_string(GetLastError()) + ")");
  }
  CommandResult result;
  if (WaitForSingleObject(pi.hProcess, static_cast<DWORD>(timeout.count())) == WAIT_TIMEOUT) {
    TerminateProcess(pi.hProcess, 1);
    WaitForSingleObject(pi.hProcess, INFINITE);
    result.timed_out = true;
  }
  DWORD code = 0;
  GetExitCodeProcess(pi.hProcess, &code);
  result.exit_code = static_cast<int>(code);
  CloseHandle(pi.hThread);
  CloseHandle(pi.hProcess);
  return result;
}

#else

Result<CommandResult> run_shell_command(const std::string& command,
                                        std::chrono::milliseconds timeout) {
  const pid_t pid = ::fork();
  if (pid < 0) {
    return make_error("command", "", "cannot start '" + command + "': " + std::strerror(errno));
  }
  if (pid == 0) {
    ::setpgid(0, 0);  // its own process group, so a timeout kills what it started too
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, 0);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  CommandResult result;
  int status = 0;
  auto pause = std::chrono::milliseconds(1);
  while (true) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      return make_error("command", "", "lost '" + command + "': " + std::strerror(errno));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  return result;
}

#endif

}  // namespace rdwarm::agent
