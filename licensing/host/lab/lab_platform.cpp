#include "licensing/host/lab/lab_platform.hpp"

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>
#include <vector>

#ifdef __linux__
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>
#endif

#include "licensing/host/lab/lab_state_file.hpp"
#include "licensing/wire/utc_time.hpp"

namespace rdwarm::host::lab {

namespace {

using Clock = std::chrono::steady_clock;

std::string severity_name(EventSeverity s) {
  switch (s) {
    case EventSeverity::kWarning:
      return "warning";
    case EventSeverity::kError:
      return "error";
    case EventSeverity::kInformation:
      break;
  }
  return "information";
}

// Wakes when something in the state directory is written or renamed into place. On Linux this is
// inotify; elsewhere a short poll, which is enough for the lab.
class DirectoryWatch {
 public:
  explicit DirectoryWatch(const std::filesystem::path& dir) {
#ifdef __linux__
    fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd_ >= 0 &&
        ::inotify_add_watch(fd_, dir.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE) < 0) {
      ::close(fd_);
      fd_ = -1;
    }
#else
    (void)dir;
#endif
  }
  ~DirectoryWatch() {
#ifdef __linux__
    if (fd_ >= 0) ::close(fd_);
#endif
  }
  DirectoryWatch(const DirectoryWatch&) = delete;
  DirectoryWatch& operator=(const DirectoryWatch&) = delete;
  DirectoryWatch(DirectoryWatch&&) = delete;
  DirectoryWatch& operator=(DirectoryWatch&&) = delete;

  // Waits up to `timeout` for any change; returns early on one. Spurious wake-ups are fine: the
  // caller compares the certificate.
  void wait(std::chrono::milliseconds timeout) {
#ifdef __linux__
    if (fd_ >= 0) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(timeout.count())) > 0) {
        alignas(inotify_event) char buf[4096];
        while (::read(fd_, buf, sizeof buf) > 0) {
        }
      }
      return;
    }
#endif
    std::this_thread::sleep_for(std::min(timeout, std::chrono::milliseconds(20)));
  }

 private:
  int fd_ = -1;
};

class LabPlatform final : public HostPlatform {
 public:
  explicit LabPlatform(std::filesystem::path state_file) : file_(std::move(state_file)) {}

  [[nodiscard]] std::string name() const override { return "lab"; }

  Result<LicensingSnapshot> read_snapshot() override {
    auto state = read_lab_state_file(file_);
    if (!state.ok()) return state.error();
    return interpret_host_values(raw_values_from_lab_state(*state),
                                 std::chrono::system_clock::now(), "lab");
  }

  Result<Gate> read_gate() override {
    auto state = read_lab_state_file(file_);
    if (!state.ok()) return state.error();
    return state->drain_mode == 0 && state->winstations_disabled == 0 ? Gate::kOpen : Gate::kClosed;
  }

  Status set_gate(Gate gate) override {
    if (!std::filesystem::exists(file_)) {
      return make_error(
          "lab state file", "",
          "cannot set the gate: " + file_.string() + " does not exist (start rdwarm-lab first)");
    }
    auto written = update_lab_state_file(file_, [gate](LabHostState& s) {
      // Closed = drain (TSServerDrainMode 2), as the Windows backend does; WinStationsDisabled is
      // left to the operator.
      s.drain_mode = gate == Gate::kClosed ? 2 : 0;
    });
    if (!written.ok()) return written.error();
    return Ok{};
  }

  Status arm_certificate_wait() override {
    watch_ = std::make_unique<DirectoryWatch>(file_.parent_path());
    auto state = read_lab_state_file(file_);
    armed_certificate_ = state.ok() ? state->x509_certificate2 : std::vector<std::uint8_t>{};
    armed_ = true;
    return Ok{};
  }

  Result<WaitResult> wait_for_certificate_change(std::chrono::milliseconds timeout) override {
    if (!armed_) {
      auto armed = arm_certificate_wait();
      if (!armed.ok()) return armed.error();
    }
    const auto deadline = Clock::now() + timeout;
    while (true) {
      auto state = read_lab_state_file(file_);
      if (state.ok() && state->x509_certificate2 != armed_certificate_) {
        armed_ = false;
        return WaitResult::kChanged;
      }
      const auto now = Clock::now();
      if (now >= deadline) {
        return WaitResult::kTimedOut;
      }
      watch_->wait(std::chrono::ceil<std::chrono::milliseconds>(deadline - now));
    }
  }

  Result<ServiceState> query_service(const std::string& name) override {
    auto state = read_lab_state_file(file_);
    if (!state.ok()) return state.error();
    const ServiceState* service = find_lab_service(*state, name);
    if (service == nullptr) return no_such_service(name);
    return *service;
  }

  // The lab's services change state at once, under the state file's lock; `timeout` has nothing
  // to wait for.
  Status stop_service(const std::string& name, std::chrono::milliseconds) override {
    return set_service(name, ServiceState::kStopped);
  }
  Status start_service(const std::string& name, std::chrono::milliseconds) override {
    return set_service(name, ServiceState::kRunning);
  }

  Status write_event(const HostEvent& event) override {
    const nlohmann::json line = {{"time", format_utc(std::chrono::system_clock::now())},
                                 {"id", event.id},
                                 {"severity", severity_name(event.severity)},
                                 {"message", event.message}};
    std::ofstream out(file_.parent_path() / kLabEventLogName, std::ios::app);
    out << line.dump() << '\n';
    if (!out) {
      return make_error("lab event log", "",
                        "cannot append to " + (file_.parent_path() / kLabEventLogName).string());
    }
    return Ok{};
  }

 private:
  Error no_such_service(const std::string& name) const {
    return make_error("service " + name, "",
                      "does not exist on the lab host (" + file_.string() +
                          " lists none by that name); declare it in the scenario's [host] "
                          "services, or correct gate.services");
  }

  Status set_service(const std::string& name, ServiceState wanted) {
    if (!std::filesystem::exists(file_)) {
      return make_error(
          "service " + name, "",
          "cannot control it: " + file_.string() + " does not exist (start rdwarm-lab first)");
    }
    bool found = false;
    auto written = update_lab_state_file(file_, [&](LabHostState& s) {
      ServiceState* service = find_lab_service(s, name);
      found = service != nullptr;
      if (found) *service = wanted;
    });
    if (!written.ok()) return written.error();
    if (!found) return no_such_service(name);
    return Ok{};
  }

  std::filesystem::path file_;
  std::unique_ptr<DirectoryWatch> watch_;
  std::vector<std::uint8_t> armed_certificate_;
  bool armed_ = false;
};

}  // namespace

std::unique_ptr<HostPlatform> make_lab_platform(const std::filesystem::path& state_file) {
  return std::make_unique<LabPlatform>(state_file);
}

}  // namespace rdwarm::host::lab
