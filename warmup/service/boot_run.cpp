#include "warmup/service/boot_run.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>

#include "config/default_paths.hpp"
#include "imagebuild/seal/seal_manifest.hpp"
#include "licensing/host/lab/lab_platform.hpp"
#include "licensing/host/lab/lab_state_file.hpp"
#include "warmup/agent/exit_codes.hpp"
#include "warmup/agent/gate_journal.hpp"
#include "warmup/agent/health_server.hpp"
#include "warmup/agent/orchestrator.hpp"
#include "warmup/agent/service_gate.hpp"
#include "warmup/agent/status_file.hpp"
#include "warmup/credentials/credential_store.hpp"
#include "warmup/credentials/resolver.hpp"
#ifdef _WIN32
#include "licensing/host/windows/windows_platform.hpp"
#endif

namespace rdwarm::service {

namespace {

using agent::LogLevel;

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

Result<std::unique_ptr<host::HostPlatform>> open_platform(const config::PlatformConfig& p) {
  if (config::effective_platform(p.kind) == config::PlatformKind::Lab) {
    const auto dir = p.lab_state_dir.empty() ? config::default_lab_state_dir() : p.lab_state_dir;
    return host::lab::make_lab_platform(dir / host::lab::kLabStateFileName);
  }
#ifdef _WIN32
  return host::windows::make_windows_platform();
#else
  return make_error("platform.kind", "",
                    "the windows platform exists only in rdwarm.exe on Windows; use kind = "
                    "\"lab\" with rdwarm-lab");
#endif
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
      return agent::make_service_gate(platform, g.services, g.service_timeout);
  }
  return make_error("gate.kind", "", "unknown gate kind");
}

agent::WarmupOptions warmup_options(const config::AgentConfig& cfg) {
  agent::WarmupOptions o;
  o.probe.host = cfg.target.host;
  o.probe.port = cfg.target.port;
  o.probe.connect_timeout = cfg.probe.connect_timeout;
  o.probe.phase_timeout = cfg.probe.phase_timeout;
  o.probe.overall_timeout = cfg.probe.attempt_timeout;
  o.probe.identity = connector::ClientIdentity::for_machine(cfg.target.client_name);
  o.probe.identity.user_name = cfg.target.user_name;
  o.deadline = cfg.warmup.deadline;
  o.on_deadline = cfg.warmup.on_deadline == config::OnDeadline::Open
                      ? agent::OnDeadline::kOpen
                      : agent::OnDeadline::kStayClosed;
  o.certificate_wait = cfg.warmup.certificate_wait;
  o.retry.initial_delay = cfg.retry.initial_delay;
  o.retry.max_delay = cfg.retry.max_delay;
  o.retry.multiplier = cfg.retry.multiplier;
  o.retry.full_jitter = cfg.retry.jitter == config::Jitter::Full;
  o.retry.max_attempts = cfg.retry.max_attempts;
  o.journal_file = cfg.gate.journal;
  return o;
}

}  // namespace

agent::LogFunction logger_for(const config::AgentConfig& config) {
  return agent::make_logger({log_level(config.logging.level),
                             config.logging.format == config::LogFormat::Json,
                             config.logging.file});
}

int run_boot_warmup(const BootRunOptions& options, const std::stop_token& stop) {
  const auto& cfg = options.config;
  const auto log = options.log ? options.log : logger_for(cfg);
  log(LogLevel::kInfo, "configuration: " + (options.config_file.empty()
                                                ? std::string("built-in defaults")
                                                : config::path_to_utf8(options.config_file)));

  const auto setup_error = [&](const std::string& message) {
    if (options.on_setup_error) {
      options.on_setup_error(message);
    } else {
      log(LogLevel::kError, message);
    }
    return agent::kExitUsage;
  };

  auto platform = open_platform(cfg.platform);
  if (!platform) return setup_error(platform.error().message());
  auto gate = make_gate(cfg.gate, **platform);
  if (!gate) return setup_error(gate.error().message());

  // [nla]: an account that is configured but cannot be used stops the run before anything is
  // touched (gate, status file, health port).
  auto store = credentials::make_platform_store(cfg.nla);
  auto nla = credentials::resolve_credentials(cfg.nla, *store);
  if (!nla) return setup_error(nla.error().message());
  if (*nla) {
    log(LogLevel::kInfo, "NLA credentials: " + credentials::describe(**nla));
  } else {
    log(LogLevel::kDebug,
        "NLA credentials: none ([nla] user is empty); a session host that requires NLA gives "
        "the final verdict \"NLA required\" (exit code 12)");
  }

  // Another agent at work on this host owns the gate, the status file and the health port: stop
  // before touching any of them (the orchestrator checks again for its other callers).
  if (!cfg.gate.journal.empty()) {
    if (const auto other = agent::another_agent_at_work(cfg.gate.journal)) {
      log(LogLevel::kError, *other);
      (void)(*platform)->write_event(
          {agent::kEventAnotherAgent, host::EventSeverity::kWarning, "rdwarm: " + *other});
      if (options.on_warmup_end) options.on_warmup_end(agent::kExitInternal, *other);
      return agent::kExitInternal;
    }
  }

  agent::AgentStatus initial;
  initial.version = RDWARM_VERSION;
  // The image's seal record, shown on every boot (docs/image-seal.md).
  const bool lab = config::effective_platform(cfg.platform.kind) == config::PlatformKind::Lab;
  const auto manifest =
      imagebuild::seal_manifest_path(cfg.image.manifest, lab, cfg.platform.lab_state_dir);
  initial.image_manifest = imagebuild::image_facts(manifest, std::chrono::system_clock::now());
  if (initial.image_manifest) {
    log(LogLevel::kInfo, "image: " + initial.image_manifest->dump());
  }
  agent::StatusBoard board(initial);
  const auto status_file = cfg.status.file;
  board.on_change([&](const agent::AgentStatus& s) {
    if (!status_file.empty()) {
      if (auto w = agent::write_status_file(status_file, s); !w) {
        log(LogLevel::kWarning, w.error().message());
      }
    }
    if (options.on_status) options.on_status(s);
  });

  std::unique_ptr<agent::HealthServerThread> health;
  if (cfg.health.enabled) {
    auto endpoint = agent::health_endpoint(cfg.health.listen_host, cfg.health.listen_port);
    if (!endpoint) return setup_error(endpoint.error().message());
    health = std::make_unique<agent::HealthServerThread>(board, *endpoint);
    if (auto started = health->start(); !started) {
      log(LogLevel::kError, "health endpoint not started: " + started.error().message() +
                                "; brokers cannot probe this host's readiness over HTTP");
      health.reset();
    } else {
      log(LogLevel::kInfo, "health endpoint: http://" + cfg.health.listen_host + ":" +
                               std::to_string(health->port()) +
                               "/readyz (also /healthz, /status, /metrics)");
    }
  }

  agent::WarmupOptions warmup = warmup_options(cfg);
  warmup.probe.credentials = std::move(nla).value();
  warmup.probe.nla_tokens = cfg.nla.tokens == config::NlaTokens::Ntlm ? auth::TokenFormat::kRawNtlm
                                                                      : auth::TokenFormat::kSpnego;
  agent::Orchestrator orchestrator(std::move(warmup), {**platform, **gate, board, {}, log});

  std::mutex stop_mutex;
  std::condition_variable stop_cv;
  bool stopped = false;
  // Runs at once when the stop was requested before this point.
  const std::stop_callback on_stop(stop, [&] {
    orchestrator.request_stop();
    {
      const std::lock_guard lock(stop_mutex);
      stopped = true;
    }
    stop_cv.notify_all();
  });

  const auto result = orchestrator.run();
  if (options.on_warmup_end) options.on_warmup_end(result.exit_code, result.headline);

  if (health && options.serve) {
    log(LogLevel::kInfo, "serving health until stopped" +
                             (options.how_to_stop.empty() ? "" : " (" + options.how_to_stop + ")"));
    std::unique_lock lock(stop_mutex);
    stop_cv.wait(lock, [&] { return stopped; });
  }
  if (health) health->stop();
  return result.exit_code;
}

}  // namespace rdwarm::service
