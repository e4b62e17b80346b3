#include "warmup/agent/gate.hpp"

#include "warmup/agent/run_command.hpp"

namespace rdwarm::agent {

namespace {

class NoneGate final : public AdmissionGate {
 public:
  [[nodiscard]] std::string kind() const override { return "none"; }
  [[nodiscard]] bool holds_users() const override { return false; }
  Status close() override { return Ok{}; }
  Status open() override { return Ok{}; }
};

class DrainGate final : public AdmissionGate {
 public:
  explicit DrainGate(host::HostPlatform& platform) : platform_(platform) {}
  [[nodiscard]] std::string kind() const override { return "drain"; }
  Status close() override { return platform_.set_gate(host::Gate::kClosed); }
  Status open() override { return platform_.set_gate(host::Gate::kOpen); }

 private:
  host::HostPlatform& platform_;
};

class CommandGate final : public AdmissionGate {
 public:
  CommandGate(std::string close_command, std::string open_command,
              std::chrono::milliseconds timeout)
      : close_(std::move(close_command)), open_(std::move(open_command)), timeout_(timeout) {}
  [[nodiscard]] std::string kind() const override { return "command"; }
  Status close() override { return run("close_command", close_); }
  Status open() override { return run("open_command", open_); }

 private:
  Status run(const char* key, const std::string& command) {
    auto r = run_shell_command(command, timeout_);
    if (!r) return make_error("gate", key, r.error().what);
    if (r->timed_out) {
      return make_error("gate", key,
                        "'" + command + "' did not finish within " +
                            std::to_string(timeout_.count()) + " ms and was stopped");
    }
    if (r->exit_code != 0) {
      return make_error("gate", key,
                        "'" + command + "' exited with " + std::to_string(r->exit_code));
    }
    return Ok{};
  }

  std::string close_;
  std::string open_;
  std::chrono::milliseconds timeout_;
};

}  // namespace

std::unique_ptr<AdmissionGate> make_none_gate() {
  return std::make_unique<NoneGate>();
}

std::unique_ptr<AdmissionGate> make_drain_gate(host::HostPlatform& platform) {
  return std::make_unique<DrainGate>(platform);
}

std::unique_ptr<AdmissionGate> make_command_gate(std::string close_command,
                                                 std::string open_command,
                                                 std::chrono::milliseconds timeout) {
  return std::make_unique<CommandGate>(std::move(close_command), std::move(open_command), timeout);
}

}  // namespace rdwarm::agent
