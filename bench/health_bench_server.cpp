// The health server with a fixed, realistic StatusBoard, for load tests (bench/readyz_wrk.sh).
// Listens on 127.0.0.1 (port 0 = a free port), prints "port=<n>" on standard output once it is
// listening, and serves until SIGINT or SIGTERM.
//
//   rdwarm_health_bench_server [--port N] [--ready 0|1] [--max-connections N]
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "warmup/agent/health_server.hpp"

namespace {

rdwarm::agent::AgentStatus fixed_status(bool ready) {
  using rdwarm::agent::AgentPhase;
  using rdwarm::agent::BrokerStatus;
  rdwarm::agent::AgentStatus s;
  s.version = "bench";
  s.platform = "lab";
  s.target = "127.0.0.1:3389";
  s.started_at = std::chrono::system_clock::now() - std::chrono::seconds(40);
  s.phase = ready ? AgentPhase::kReady : AgentPhase::kWaiting;
  s.broker_status = ready ? BrokerStatus::kAvailable : BrokerStatus::kWarmingUp;
  s.ready = ready;
  s.gate_kind = "drain";
  s.gate_state = ready ? "open" : "closed";
  s.attempts = 4;
  s.attempts_by_outcome = {{"LicensingFailed", 3}, {"Licensed", ready ? 1u : 0u}};
  s.last_attempt = rdwarm::agent::AttemptRecord{4, ready ? "Licensed" : "LicensingFailed", "", 8.4,
                                                std::chrono::system_clock::now()};
  if (ready) s.time_to_ready_seconds = 37.2;
  s.grace_days_left = 0;
  s.certificate_not_after_unix = 1'900'000'000;
  s.certificate_issuer = "CN=LAB-LS";
  s.reasons = {ready ? "The host holds a license-server certificate until 2030-03-17."
                     : "The license server has not issued a certificate yet (attempt 4)."};
  return s;
}

int run(int argc, char** argv) {
  unsigned long port = 0;
  bool ready = true;
  rdwarm::agent::HealthServerOptions options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const unsigned long value = std::strtoul(argv[i + 1], nullptr, 10);
    if (flag == "--port" && value <= 65535) {
      port = value;
    } else if (flag == "--ready") {
      ready = value != 0;
    } else if (flag == "--max-connections" && value > 0) {
      options.max_connections = value;
    } else {
      std::fprintf(stderr, "usage: %s [--port N] [--ready 0|1] [--max-connections N]\n", argv[0]);
      return 2;
    }
  }

  rdwarm::agent::StatusBoard board(fixed_status(ready));
  board.update([](rdwarm::agent::AgentStatus&) {});
  const auto endpoint =
      rdwarm::agent::health_endpoint("127.0.0.1", static_cast<std::uint16_t>(port));
  if (!endpoint.ok()) {
    std::fprintf(stderr, "%s\n", endpoint.error().message().c_str());
    return 1;
  }
  rdwarm::agent::HealthServerThread server(board, *endpoint, options);
  if (const auto started = server.start(); !started.ok()) {
    std::fprintf(stderr, "%s\n", started.error().message().c_str());
    return 1;
  }
  std::printf("port=%u\n", static_cast<unsigned>(server.port()));
  std::fflush(stdout);

  boost::asio::io_context signals_io;
  boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int) {});
  signals_io.run();
  server.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rdwarm_health_bench_server: %s\n", e.what());
    return 1;
  }
}
