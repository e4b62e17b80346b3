#include "warmup/cli/boot_command.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <stop_token>
#include <thread>

#ifdef _WIN32
#include <io.h>
#define RDWARM_ISATTY _isatty
#define RDWARM_FILENO _fileno
#else
#include <unistd.h>
#define RDWARM_ISATTY isatty
#define RDWARM_FILENO fileno
#endif

#include "config/default_paths.hpp"
#include "config/listen_address.hpp"
#include "config/loader.hpp"
#include "warmup/agent/agent_status.hpp"
#include "warmup/agent/exit_codes.hpp"
#include "warmup/cli/arguments.hpp"
#include "warmup/service/boot_run.hpp"

namespace rdwarm::cli {

namespace {

const char* command_name(const BootArgs& a) {
  return a.prewarm ? "rdwarm image prewarm" : "rdwarm boot";
}

int config_error(const BootArgs& a, const std::string& message) {
  std::cerr << command_name(a) << ": " << message << "\n";
  return agent::kExitUsage;
}

// One line that rewrites itself on a terminal; plain lines otherwise (only when the phase or the
// attempt changes, so a log file does not fill with waits).
class Progress {
 public:
  explicit Progress(bool tty) : tty_(tty) {}
  void show(const agent::AgentStatus& s) {
    const std::lock_guard lock(mutex_);
    const auto elapsed =
        std::chrono::duration<double>(std::chrono::system_clock::now() - s.started_at).count();
    char head[160];
    std::snprintf(head, sizeof head, "[%6.1fs] %-15s attempt %u", elapsed,
                  agent::phase_name(s.phase).c_str(), s.attempts);
    std::string line = head;
    if (s.last_attempt) line += "  last: " + s.last_attempt->outcome;
    line += "  gate: " + s.gate_state;
    if (tty_) {
      if (line.size() > 100) line.resize(100);
      std::fprintf(stdout, "\r%-100s", line.c_str());
      std::fflush(stdout);
      shown_ = true;
    } else if (s.phase != last_phase_) {
      std::fprintf(stdout, "%s\n", line.c_str());
      std::fflush(stdout);
    }
    last_phase_ = s.phase;
  }
  void end() {
    const std::lock_guard lock(mutex_);
    if (shown_) std::fprintf(stdout, "\n");  // ends the line that rewrote itself
  }

 private:
  bool tty_;
  bool shown_ = false;
  std::mutex mutex_;
  agent::AgentPhase last_phase_ = agent::AgentPhase::kStarting;
};

Status apply_overrides(const BootArgs& a, config::AgentConfig& c) {
  if (!a.platform.empty()) {
    if (a.platform == "lab") {
      c.platform.kind = config::PlatformKind::Lab;
    } else if (a.platform == "windows") {
      c.platform.kind = config::PlatformKind::Windows;
    } else {
      return make_error("--platform", "",
                        "unknown platform '" + a.platform + "' (accepted: windows, lab)");
    }
  }
  if (!a.lab_state_dir.empty()) c.platform.lab_state_dir = a.lab_state_dir;
  if (!a.target.empty()) {
    auto t = parse_target(a.target);
    if (!t) return t.error();
    c.target.host = t->host;
    c.target.port = t->port;
  }
  if (!a.deadline.empty()) {
    auto d = parse_duration(a.deadline);
    if (!d) return d.error();
    c.warmup.deadline = *d;
  }
  if (a.health_listen.ends_with(":0")) {
    // Port 0 (a free port, printed at start) is for tests and rehearsals; rdwarm.toml needs a
    // fixed port because brokers must know it.
    c.health.listen_host = a.health_listen.substr(0, a.health_listen.size() - 2);
    c.health.listen_port = 0;
    c.health.enabled = true;
  } else if (!a.health_listen.empty()) {
    auto l = config::parse_listen_address(a.health_listen);
    if (!l) return l.error();
    c.health.listen_host = l->host;
    c.health.listen_port = l->port;
    c.health.enabled = true;
  }
  if (!a.status_file.empty()) c.status.file = a.status_file;
  if (!a.journal_file.empty()) c.gate.journal = a.journal_file;
  if (a.serve) c.health.serve_after_warmup = true;
  if (a.prewarm) {
    c.gate.kind = config::GateKind::None;
    c.health.enabled = false;
    c.health.serve_after_warmup = false;
  }
  return Ok{};
}

}  // namespace

int run_boot(const BootArgs& args) {
  auto loaded = config::load_effective_config(args.config_file);
  if (!loaded) return config_error(args, loaded.error().message());
  auto cfg = loaded->config;
  if (auto o = apply_overrides(args, cfg); !o) return config_error(args, o.error().message());

  const bool tty = !args.no_progress && RDWARM_ISATTY(RDWARM_FILENO(stdout)) != 0;
  Progress progress(tty);

  service::BootRunOptions options;
  options.config = cfg;
  options.config_file = loaded->file;
  options.serve = cfg.health.serve_after_warmup;
  options.how_to_stop = "SIGTERM or Ctrl+C";
  options.on_setup_error = [&](const std::string& message) { config_error(args, message); };
  if (!args.no_progress) {
    options.on_status = [&](const agent::AgentStatus& s) { progress.show(s); };
  }
  options.on_warmup_end = [&](int exit_code, const std::string& headline) {
    progress.end();
    std::cout << command_name(args) << ": " << headline << " (exit " << exit_code << ")\n";
    std::cout.flush();
  };

  // Signals end the warm-up (the deadline policy then decides the gate) or the serving.
  std::stop_source stop;
  boost::asio::io_context signal_io(1);
  boost::asio::signal_set signals(signal_io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) stop.request_stop();
  });
  std::thread signal_thread([&] { signal_io.run(); });

  const int exit_code = service::run_boot_warmup(options, stop.get_token());
  signal_io.stop();
  signal_thread.join();
  return exit_code;
}

}  // namespace rdwarm::cli
