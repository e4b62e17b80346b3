#include "tests/support/process.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>

namespace rdwarm::testing {
namespace {

constexpr std::chrono::milliseconds kPollInterval{5};

std::vector<std::string> merged_environment(const EnvVars& extra) {
  std::vector<std::string> result;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view var(*entry);
    const auto name = std::string(var.substr(0, var.find('=')));
    if (!extra.contains(name)) result.emplace_back(var);
  }
  for (const auto& [name, value] : extra) {
    result.push_back(name);
    result.back().append("=").append(value);
  }
  return result;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> result;
  result.reserve(strings.size() + 1);
  for (auto& s : strings) result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// Runs in the forked child: only async-signal-safe calls, then exec. On failure the errno goes
// to the parent through error_pipe (close-on-exec, so a successful exec closes it silently).
[[noreturn]] void exec_child(pid_t parent, int stdin_fd, int log_fd, int error_pipe,
                             const char* file, char* const* argv, char* const* envp) {
  // Own group, so terminate() reaches grandchildren too; die with the test process even if
  // it is killed (ctest timeout), so no daemon outlives its test run.
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);

  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (const int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP}) ::signal(sig, SIG_DFL);

  // Never hand ctest's pipes (or any other inherited descriptor) to a daemon: a child holding
  // them keeps ctest waiting after the test has finished.
  if (::dup2(stdin_fd, STDIN_FILENO) < 0 || ::dup2(log_fd, STDOUT_FILENO) < 0 ||
      ::dup2(log_fd, STDERR_FILENO) < 0) {
    const int err = errno;
    (void)!::write(error_pipe, &err, sizeof err);
    ::_exit(127);
  }
  ::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);

  ::execve(file, argv, envp);
  const int err = errno;
  (void)!::write(error_pipe, &err, sizeof err);
  ::_exit(127);
}

}  // namespace

std::optional<std::filesystem::path> find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return std::filesystem::path(name);
  const char* path = std::getenv("PATH");
  // Daemons such as xrdp live in /usr/sbin, which a non-root PATH often lacks.
  std::stringstream dirs(std::string(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin") +
                         ":/usr/sbin:/sbin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

ChildProcess::ChildProcess(std::vector<std::string> argv, std::filesystem::path log_file,
                           const EnvVars& extra_env)
    : argv_(std::move(argv)), log_file_(std::move(log_file)) {
  if (argv_.empty()) throw std::invalid_argument("ChildProcess: empty argv");
  // Resolved before fork(): after it a multi-threaded process may only make
  // async-signal-safe calls, so PATH search and allocation happen here.
  const auto program = find_program(argv_.front());
  if (!program) {
    throw std::runtime_error(
        "cannot start '" + argv_.front() +
        "': not found in PATH or /usr/sbin (scripts/setup installs the peers)");
  }
  const std::string file = program->string();
  std::vector<std::string> argv_copy = argv_;
  std::vector<std::string> env = merged_environment(extra_env);
  const std::vector<char*> argv_ptrs = c_strings(argv_copy);
  const std::vector<char*> env_ptrs = c_strings(env);

  const Fd stdin_fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  const Fd log_fd(::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (stdin_fd.get() < 0 || log_fd.get() < 0) {
    throw std::runtime_error("cannot open log file " + log_file_.string() + ": " +
                             std::strerror(errno));
  }
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  }
  Fd error_read(pipe_fds[0]);
  Fd error_write(pipe_fds[1]);

  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    exec_child(parent, stdin_fd.get(), log_fd.get(), error_write.get(), file.c_str(),
               argv_ptrs.data(), env_ptrs.data());
  }
  ::setpgid(pid_, pid_);  // also here: whoever runs first, the group exists before we signal it
  error_write.reset();

  int child_errno = 0;
  ssize_t got = 0;
  do {
    got = ::read(error_read.get(), &child_errno, sizeof child_errno);
  } while (got < 0 && errno == EINTR);
  if (got > 0) {
    terminate(std::chrono::milliseconds{0});
    throw std::runtime_error("cannot start '" + file + "': " + std::strerror(child_errno));
  }
}

ChildProcess::~ChildProcess() {
  terminate();
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : argv_(std::move(other.argv_)),
      log_file_(std::move(other.log_file_)),
      pid_(std::exchange(other.pid_, -1)),
      exit_status_(other.exit_status_),
      reaped_(other.reaped_) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    terminate();
    argv_ = std::move(other.argv_);
    log_file_ = std::move(other.log_file_);
    pid_ = std::exchange(other.pid_, -1);
    exit_status_ = other.exit_status_;
    reaped_ = other.reaped_;
  }
  return *this;
}

// WNOWAIT leaves the exited leader a zombie: its pid, and so the process group id, cannot be
// reused until terminate() has signalled the group and reaped it.
void ChildProcess::poll_exit() {
  if (pid_ <= 0 || exit_status_) return;
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return;
  if (info.si_pid != pid_) return;
  exit_status_ = info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
}

bool ChildProcess::running() {
  poll_exit();
  return pid_ > 0 && !exit_status_;
}

std::optional<int> ChildProcess::exit_status() {
  poll_exit();
  return exit_status_;
}

std::optional<int> ChildProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(kPollInterval);
  }
  return exit_status();
}

void ChildProcess::terminate(std::chrono::milliseconds grace) {
  if (pid_ <= 0 || reaped_) return;
  if (running()) {
    ::kill(-pid_, SIGTERM);
    wait_for_exit(grace);
  }
  // Also after a clean exit of the leader: nothing else in its group may survive the test.
  ::kill(-pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  if (!exit_status_) {
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  reaped_ = true;
}

std::string ChildProcess::log() const {
  std::string command = "$";
  for (const auto& arg : argv_) command += " " + arg;
  return command + "\n" + read_file_tail(log_file_);
}

std::string read_file_tail(const std::filesystem::path& file, std::size_t max_bytes) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return "(no file " + file.string() + ")\n";
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::size_t>(in.tellg());
  const std::size_t skip = size > max_bytes ? size - max_bytes : 0;
  in.seekg(static_cast<std::streamoff>(skip));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return skip > 0 ? "[... " + std::to_string(skip) + " bytes skipped ...]\n" + text : text;
}

}  // namespace rdwarm::testing
