#include "warmup/cli/boot_command.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <iostream>
#include <mutex>
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
#include "imagebuild/seal/seal_manifest.hpp"
#include "warmup/agent/exit_codes.hpp"
#include "warmup/agent/gate_journal.hpp"
#include "warmup/agent/health_server.hpp"
#include "warmup/agent/logger.hpp"
#include "warmup/agent/orchestrator.hpp"
#include "warmup/agent/service_gate.hpp"
#include "warmup/agent/status_file.hpp"
#include "warmup/cli/arguments.hpp"
#include "warmup/cli/host_choice.hpp"

namespace rdwarm::cli {

namespace {

using agent::LogLevel;

const char* command_name(const BootArgs& a) {
  return a.prewarm ? "rdwarm image prewarm" : "rdwarm boot";
}

int config_error(const BootArgs& a, const std::string& message) {
  std::cerr << command_name(a) << ": " << message << "\n";
  return agent::kExitUsage;
}

LogLevel log_level(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::Trace:
    case config::LogLevel::Debug:
      return LogLevel::kDebug;
    case config::LogLevel::Warn:
      return LogLevel::kWarning;
    case config::LogLevel::Error:
      return LogLevel::kError;
    case config::LogLevel::Info:
      break;
  }
  return LogLevel::kInfo;
}

Result<std::unique_ptr<agent::AdmissionGate>> make_gate(const config::GateConfig& g,
                                                        host::HostPlatform& platform) {
  switch (g.kind) {
    case config::GateKind::Drain:
      return agent::make_drain_gate(platform);
    case config::GateKind::Command:
      return agent::make_command_gate(g.close_command, g.open_command, g.command_timeout);
    case config::GateKind::None:
      return agent::make_none_gate();
    case config::GateKind::Service:
      // Through the platform: the service control manager on Windows, the lab's state file.
      return agent::make_service_gate(platform, g.services, g.service_timeout);
  }
  return make_error("gate.kind", "", "unknown gate kind");
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
    } else if (s.phase != last_phase_) {
      std::fprintf(stdout, "%s\n", line.c_str());
      std::fflush(stdout);
    }
    last_phase_ = s.phase;
  }
  void end() {
    if (tty_) std::fprintf(stdout, "\n");
  }

 private:
  bool tty_;
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

  const auto log =
      agent::make_logger({log_level(cfg.logging.level),
                          cfg.logging.format == config::LogFormat::Json, cfg.logging.file});
  log(LogLevel::kInfo,
      "configuration: " + (loaded->file.empty() ? std::string("built-in defaults")
                                                : config::path_to_utf8(loaded->file)));

  HostChoice choice;
  choice.platform = std::string(config::to_string(config::effective_platform(cfg.platform.kind)));
  choice.lab_state_dir = cfg.platform.lab_state_dir;
  auto platform = open_host_platform(choice);
  if (!platform) return config_error(args, platform.error().message());
  auto gate = make_gate(cfg.gate, **platform);
  if (!gate) return config_error(args, gate.error().message());

  // Another agent at work on this host owns the gate, the status file and the health port: stop
  // before touching any of them (the orchestrator checks again for its other callers).
  if (!cfg.gate.journal.empty()) {
    if (const auto other = agent::another_agent_at_work(cfg.gate.journal)) {
      log(LogLevel::kError, *other);
      (void)(*platform)->write_event(
          {agent::kEventAnotherAgent, host::EventSeverity::kWarning, "rdwarm: " + *other});
      std::cout << command_name(args) << ": " << *other << " (exit " << agent::kExitInternal
                << ")\n";
      return agent::kExitInternal;
    }
  }

  agent::AgentStatus initial;
  initial.version = RDWARM_VERSION;
  // The image's seal record, shown on every boot (docs/image-seal.md).
  const auto manifest = imagebuild::seal_manifest_path(cfg.image.manifest, choice.platform == "lab",
                                                       cfg.platform.lab_state_dir);
  initial.image_manifest = imagebuild::image_facts(manifest, std::chrono::system_clock::now());
  if (initial.image_manifest) {
    log(LogLevel::kInfo, "image: " + initial.image_manifest->dump());
  }
  agent::StatusBoard board(initial);

  const bool tty = !args.no_progress && RDWARM_ISATTY(RDWARM_FILENO(stdout)) != 0;
  Progress progress(tty);
  const auto status_file = cfg.status.file;
  board.on_change([&](const agent::AgentStatus& s) {
    if (!status_file.empty()) {
      if (auto w = agent::write_status_file(status_file, s); !w) {
        log(LogLevel::kWarning, w.error().message());
      }
    }
    if (!args.no_progress) progress.show(s);
  });

  std::unique_ptr<agent::HealthServerThread> health;
  if (cfg.health.enabled) {
    auto endpoint = agent::health_endpoint(cfg.health.listen_host, cfg.health.listen_port);
    if (!endpoint) return config_error(args, endpoint.error().message());
    health = std::make_unique<agent::HealthServerThread>(board, *endpoint);
    if (auto started = health->start(); !started) {
      log(LogLevel::kError, "health endpoint not started: " + started.error().message() +
                                "; brokers cannot probe this host's readiness over HTTP");
      health.reset();
    } else {
      log(LogLevel::kInfo, "health endpoint: http://" + cfg.health.listen_host + ":" +
                               std::to_string(health->port()) +
                               "/readyz (also /healthz, /status, "
                               "/metrics)");
    }
  }

  agent::WarmupOptions options;
  options.probe.host = cfg.target.host;
  options.probe.port = cfg.target.port;
  options.probe.connect_timeout = cfg.probe.connect_timeout;
  options.probe.phase_timeout = cfg.probe.phase_timeout;
  options.probe.overall_timeout = cfg.probe.attempt_timeout;
  options.probe.identity = connector::ClientIdentity::for_machine(cfg.target.client_name);
  options.probe.identity.user_name = cfg.target.user_name;
  options.deadline = cfg.warmup.deadline;
  options.on_deadline = cfg.warmup.on_deadline == config::OnDeadline::Open
                            ? agent::OnDeadline::kOpen
                            : agent::OnDeadline::kStayClosed;
  options.certificate_wait = cfg.warmup.certificate_wait;
  options.retry.initial_delay = cfg.retry.initial_delay;
  options.retry.max_delay = cfg.retry.max_delay;
  options.retry.multiplier = cfg.retry.multiplier;
  options.retry.full_jitter = cfg.retry.jitter == config::Jitter::Full;
  options.retry.max_attempts = cfg.retry.max_attempts;
  options.journal_file = cfg.gate.journal;

  agent::Orchestrator orchestrator(options, {**platform, **gate, board, {}, log});

  // Signals end the warm-up (the deadline policy then decides the gate) or the serving.
  boost::asio::io_context signal_io(1);
  boost::asio::signal_set signals(signal_io, SIGINT, SIGTERM);
  std::mutex stop_mutex;
  std::condition_variable stop_cv;
  bool stop_serving = false;
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    orchestrator.request_stop();
    {
      const std::lock_guard lock(stop_mutex);
      stop_serving = true;
    }
    stop_cv.notify_all();
  });
  std::thread signal_thread([&] { signal_io.run(); });

  const auto result = orchestrator.run();
  progress.end();
  std::cout << command_name(args) << ": " << result.headline << " (exit " << result.exit_code
            << ")\n";
  std::cout.flush();

  if (health && cfg.health.serve_after_warmup) {
    log(LogLevel::kInfo, "serving health until stopped (SIGTERM or Ctrl+C)");
    std::unique_lock lock(stop_mutex);
    stop_cv.wait(lock, [&] { return stop_serving; });
  }
  signal_io.stop();
  signal_thread.join();
  if (health) health->stop();
  return result.exit_code;
}

}  // namespace rdwarm::cli
